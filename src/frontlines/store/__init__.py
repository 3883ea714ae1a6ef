"""The store: SQLAlchemy models, Alembic migrations and the repository (SQLite by default, PostgreSQL too)."""

from frontlines.store.db import open_store
from frontlines.store.repository import Store

__all__ = ["Store", "open_store"]
