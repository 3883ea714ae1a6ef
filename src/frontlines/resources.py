"""Package data and shared parsing helpers, loaded once per process.

Start-up time matters (`frontlines extract` of one article should take well under 2 s), so YAML goes through
libyaml when PyYAML has it (about ten times faster than the pure-Python loader on our lexicons) and the blank
English pipeline used to tokenise dictionary patterns is built once and shared.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(name: str) -> str:
    """A file under `frontlines/data/`."""
    return resources.files("frontlines.data").joinpath(name).read_text(encoding="utf-8")


def load_yaml(name: str) -> Any:
    """Parse a YAML file under `frontlines/data/` (safe loader; C implementation when available)."""
    return yaml.load(read_text(name), Loader=_Loader)  # noqa: S506 - a safe loader either way


@lru_cache(maxsize=1)
def blank_english() -> Any:
    """`spacy.blank("en")`, built once: each Language instance re-loads the tokenizer's special cases."""
    import spacy

    return spacy.blank("en")
