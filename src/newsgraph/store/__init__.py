"""The knowledge store: records of many documents as one source-linked knowledge graph.

``Store(url)`` opens a SQLite file (default ``./newsgraph.db`` or
``$NEWSGRAPH_DB``) or a PostgreSQL database (``postgresql://...``), with one
schema (SQLAlchemy 2 models in ``newsgraph.store.models``, Alembic migrations
in ``newsgraph/store/migrations``)::

    from newsgraph.store import Store
    store = Store("corpus.db")
    store.add_record(record, raw=html, source="page.html")
    store.entity_profile("Ibrahim Traoré")
    store.timeline(entity="Sergei Shoigu", start="2024-01")
"""
from newsgraph.store.api import Store
from newsgraph.store.db import DEFAULT_DB, ENV_VAR, resolve_url
from newsgraph.store.queries import EntityNotFound
from newsgraph.store.writer import AddResult

__all__ = ["DEFAULT_DB", "ENV_VAR", "AddResult", "EntityNotFound", "Store", "resolve_url"]
