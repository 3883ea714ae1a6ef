"""Open a store: make the engine, bring the schema to the newest Alembic revision, hand back a `Store`.

SQLite (the default) gets WAL journaling, foreign keys and a busy timeout on every connection; PostgreSQL
URLs are used as given (``postgresql+psycopg://...``; a bare ``postgresql://`` is routed to psycopg 3).
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from frontlines.store.repository import Store

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_lock = threading.Lock()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the migration scripts shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    memory = u.database in (None, "", ":memory:")
    if not memory:
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # One shared connection for an in-memory database, or each connection would see an empty one.
    engine = create_engine(url, poolclass=pool.StaticPool) if memory else create_engine(url)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster than FULL
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def upgrade(engine: Engine) -> None:
    """Run `alembic upgrade head` on this engine's database."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# Any constant: PostgreSQL advisory locks are per database, and only migrations take this one.
_MIGRATION_LOCK_KEY = 0x66726F6E  # "fron"


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time per database: two processes opening a fresh store at once must not
    both create its tables ("table already exists"). PostgreSQL: an advisory lock; SQLite: a lock file."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def open_store(url: str, *, migrate: bool = True, attempts: int = 5) -> Store:
    """A Store on `url`, its schema upgraded to the newest revision when it is behind (one query when not).

    SQLite can answer "database is locked" at once, without waiting out the busy timeout, while another
    process is switching a fresh file to WAL or checkpointing it as it closes; opening is retried then.
    """
    for attempt in range(attempts):
        engine = make_engine(url)
        try:
            if migrate and current_revision(engine) != head_revision():
                with _lock, _migration_lock(engine):
                    if current_revision(engine) != head_revision():  # another process may have done it
                        upgrade(engine)
            return Store(engine)
        except OperationalError as e:
            engine.dispose()
            if attempt == attempts - 1 or "database is locked" not in str(e):
                raise
            time.sleep(0.1 * 2**attempt)
    raise AssertionError("unreachable")
