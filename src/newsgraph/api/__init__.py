"""The REST API and the analyst's dashboard (``newsgraph serve``): see ``newsgraph.api.app``."""
from newsgraph.api.app import create_app

__all__ = ["create_app"]
