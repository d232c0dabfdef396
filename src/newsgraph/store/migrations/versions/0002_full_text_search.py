"""full-text search over document text and quotes

SQLite: FTS5 tables with external content (the rows stay in ``documents`` and
``quotes``), kept in step by triggers. PostgreSQL: stored generated
``search_tsv`` columns (``to_tsvector('english', ...)``) with GIN indexes, so
ranking reads the stored vectors.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN"
    " INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, coalesce(new.title, ''), new.text); END",
    "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN"
    " INSERT INTO documents_fts(documents_fts, rowid, title, text)"
    " VALUES ('delete', old.id, coalesce(old.title, ''), old.text); END",
    "CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN"
    " INSERT INTO documents_fts(documents_fts, rowid, title, text)"
    " VALUES ('delete', old.id, coalesce(old.title, ''), old.text);"
    " INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, coalesce(new.title, ''), new.text); END",
    "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER quotes_fts_ai AFTER INSERT ON quotes BEGIN"
    " INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER quotes_fts_ad AFTER DELETE ON quotes BEGIN"
    " INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER quotes_fts_au AFTER UPDATE OF text ON quotes BEGIN"
    " INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS quotes_fts_au", "DROP TRIGGER IF EXISTS quotes_fts_ad",
    "DROP TRIGGER IF EXISTS quotes_fts_ai", "DROP TABLE IF EXISTS quotes_fts",
    "DROP TRIGGER IF EXISTS documents_fts_au", "DROP TRIGGER IF EXISTS documents_fts_ad",
    "DROP TRIGGER IF EXISTS documents_fts_ai", "DROP TABLE IF EXISTS documents_fts",
]
PG_UP = [
    "ALTER TABLE documents ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS"
    " (to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || text)) STORED",
    "CREATE INDEX ix_documents_fts ON documents USING gin (search_tsv)",
    "ALTER TABLE quotes ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS"
    " (to_tsvector('english'::regconfig, text)) STORED",
    "CREATE INDEX ix_quotes_fts ON quotes USING gin (search_tsv)",
    "CREATE INDEX ix_entity_aliases_alias_key_prefix ON entity_aliases (alias_key text_pattern_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS ix_entity_aliases_alias_key_prefix",
    "DROP INDEX IF EXISTS ix_quotes_fts",
    "ALTER TABLE quotes DROP COLUMN IF EXISTS search_tsv",
    "DROP INDEX IF EXISTS ix_documents_fts",
    "ALTER TABLE documents DROP COLUMN IF EXISTS search_tsv",
]


def _statements(up: bool) -> list[str]:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if name == "postgresql":
        return PG_UP if up else PG_DOWN
    return []


def upgrade() -> None:
    for statement in _statements(True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(False):
        op.execute(statement)
