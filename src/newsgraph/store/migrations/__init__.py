"""Alembic migrations of the knowledge store (``newsgraph db upgrade``)."""
