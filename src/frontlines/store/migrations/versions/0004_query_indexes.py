"""query indexes: the API's event listing (filters + date order), bbox, notes text search, a cheap fingerprint

Revision ID: 0004
Revises: 0003

The listing orders by event_date (undated last), then id, and filters by type, province, district, date range,
bbox or a substring of the notes (`frontlines.store.queries`). Each equality filter gets a composite index ending
in the order columns, so a page is an index range walk that stops after `limit` rows instead of a sort of every
match. PostgreSQL sorts NULLs last in ascending order already; SQLite sorts them first, so its order indexes lead
with the expression ``(event_date IS NULL)`` that the SQLite query orders by.

Notes search (case-insensitive substring) gets a trigram index: pg_trgm's GIN on ``lower(notes)`` when the
extension can be created (skipped, with a seq scan left, when the role may not), and on SQLite an FTS5 trigram
table over events.notes kept in sync by triggers (SQLite >= 3.34).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Equality filters of the listing: (index suffix, leading expression).
_FILTERS = (
    ("type", "event_type"),
    ("sub_type", "sub_event_type"),
    ("admin1", "lower(admin1)"),
    ("admin2", "lower(admin2)"),
)
FTS_TABLE = "events_notes_fts"
_FTS_TRIGGERS = ("events_notes_fts_ai", "events_notes_fts_ad", "events_notes_fts_au")


def index_names() -> list[str]:
    """The plain indexes this revision creates (the text-search structures are named separately)."""
    return [
        "ix_events_listing",
        *(f"ix_events_{name}_listing" for name, _ in _FILTERS),
        "ix_events_lonlat",
        "ix_documents_extracted_at",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    order = ["event_date", "id"] if pg else ["(event_date IS NULL)", "event_date", "id"]
    op.create_index("ix_events_listing", "events", [sa.text(c) for c in order])
    for name, lead in _FILTERS:
        # PostgreSQL answers a count from the index alone only when every column the filter reads is in it:
        # lower(admin1) needs admin1 itself alongside.
        include = [lead[6:-1]] if pg and lead.startswith("lower(") else []
        cols = [sa.text(c) for c in (lead, *order)]
        op.create_index(f"ix_events_{name}_listing", "events", cols, postgresql_include=include)
    # The order columns too: a box's page is then sorted from the index alone, without reading its rows.
    op.create_index("ix_events_lonlat", "events", [sa.text(c) for c in ("longitude", "latitude", *order)])
    # max(extracted_at) is part of the store fingerprint: a re-extraction that keeps every max(id) still shows.
    op.create_index("ix_documents_extracted_at", "documents", ["extracted_at"])
    if pg:
        _pg_trigram(bind)
    else:
        _sqlite_fts(bind)


def _pg_trigram(bind: sa.Connection) -> None:
    try:
        with bind.begin_nested():  # a role without CREATE on the database fails here, not the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return
    bind.execute(sa.text("CREATE INDEX ix_events_notes_trgm ON events USING gin (lower(notes) gin_trgm_ops)"))


def _sqlite_fts(bind: sa.Connection) -> None:
    try:
        bind.execute(
            sa.text(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(notes, content='events', content_rowid='id', "
                "tokenize='trigram case_sensitive 0')"
            )
        )
    except sa.exc.OperationalError:  # an SQLite without FTS5 or its trigram tokenizer: searches scan
        return
    ins = f"INSERT INTO {FTS_TABLE}(rowid, notes) VALUES (new.id, new.notes);"
    dele = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, notes) VALUES ('delete', old.id, old.notes);"
    for stmt in (
        f"CREATE TRIGGER events_notes_fts_ai AFTER INSERT ON events BEGIN {ins} END",
        f"CREATE TRIGGER events_notes_fts_ad AFTER DELETE ON events BEGIN {dele} END",
        f"CREATE TRIGGER events_notes_fts_au AFTER UPDATE OF notes ON events BEGIN {dele} {ins} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    ):
        bind.execute(sa.text(stmt))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_events_notes_trgm")
    else:
        for trig in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    for name in reversed(index_names()):
        op.drop_index(name, table_name="documents" if "documents" in name else "events")
