"""newsgraph: news articles, statements and interviews into a source-linked knowledge graph."""
__version__ = "0.1.0"
