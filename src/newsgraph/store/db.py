"""Engines and migrations: one schema on SQLite (default) and PostgreSQL."""
from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

DEFAULT_DB = "newsgraph.db"
ENV_VAR = "NEWSGRAPH_DB"
MIGRATIONS = Path(__file__).parent / "migrations"
WRITER_CACHE_ENV = "NEWSGRAPH_SQLITE_WRITER_CACHE_MB"
WRITER_CACHE_MB = 2048  # a writer touches index pages all over a large store: keep them (filled as read)
_SCHEMA_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def resolve_url(url: str | os.PathLike[str] | None = None) -> str:
    """The database URL: ``url``, else ``$NEWSGRAPH_DB``, else ``./newsgraph.db``.

    A plain path is a SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3.
    """
    value = os.fspath(url) if url is not None else os.environ.get(ENV_VAR) or DEFAULT_DB
    if "://" not in value:
        return f"sqlite:///{value}"
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None, *, schema: str | None = None, echo: bool = False) -> Engine:
    """An engine with the settings the store relies on.

    SQLite: WAL journal, ``synchronous=NORMAL``, foreign keys on, a busy
    timeout, and transactions begun by SQLAlchemy (``BEGIN``) so that
    SAVEPOINTs work. PostgreSQL: ``schema`` (if given) is created and put
    first on the search path; transactions are ``REPEATABLE READ`` (one snapshot per
    read) except those of :func:`writer`.
    """
    url = resolve_url(url)
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _sqlite_setup(engine)
        return engine
    connect_args: dict[str, object] = {}
    if schema is not None:
        if not _SCHEMA_RE.match(schema):
            raise ValueError(f"bad schema name {schema!r}")
        connect_args["options"] = f"-csearch_path={schema}"
    # reads see one snapshot for the whole transaction, as on SQLite: under READ COMMITTED each statement
    # of a request saw the store anew, and a document superseded mid-request showed half its facts
    engine = create_engine(url, echo=echo, connect_args=connect_args, pool_pre_ping=True,
                           isolation_level="REPEATABLE READ")
    if schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    return engine


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through every test
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN (SAVEPOINT support)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-524288")  # up to 512 MiB of pages: a batch dirties many, none spilled
        cur.execute("PRAGMA mmap_size=4294967296")  # read pages through mmap, not pread
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        # writers take the write lock up front: no lock upgrade to fail half-way under concurrency
        write = conn.get_execution_options().get("newsgraph_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def writer(engine: Engine):
    """A connection for writing (``BEGIN IMMEDIATE`` on SQLite; ``READ COMMITTED`` on PostgreSQL, so that
    a writer sees what the writer before it committed once it holds the write lock)."""
    cache_mb = writer_cache_mb() if is_sqlite(engine) else 0  # a bad setting fails before a connection is taken
    conn = engine.connect().execution_options(newsgraph_write=True)
    if not is_sqlite(engine):
        conn = conn.execution_options(isolation_level="READ COMMITTED")
    else:
        # SQLite's page cache of the writing connection: at 512 MiB a store of 60,000 documents (1 GB)
        # stored 13% fewer records a second than with 2 GiB; the cache grows only as pages are read
        # (on the DB-API connection: through SQLAlchemy it would begin the transaction the caller begins)
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
    return conn


def writer_cache_mb() -> int:
    """The writing connection's SQLite page cache in MiB (``$NEWSGRAPH_SQLITE_WRITER_CACHE_MB``, default 2048)."""
    value = os.environ.get(WRITER_CACHE_ENV, "").strip()
    try:
        return max(1, int(value)) if value else WRITER_CACHE_MB
    except ValueError:
        raise ValueError(f"{WRITER_CACHE_ENV} must be a number of MiB, not {value!r}") from None


def alembic_config(engine: Engine | None = None, url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Run the Alembic migrations up to ``revision``; returns the revision now in place."""
    from alembic import command

    now = current_revision(engine)
    if revision == "head" and now == head_revision():
        return now
    command.upgrade(alembic_config(engine), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str = "base") -> str | None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)
    return current_revision(engine)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
