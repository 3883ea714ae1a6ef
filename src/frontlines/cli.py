"""The `frontlines` command line. Each command is a thin shell over a module function."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from frontlines import __version__
from frontlines.config import DbOption

app = typer.Typer(
    name="frontlines",
    help="Conflict news to sourced, geocoded ACLED-style events, territorial control, casualties and claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False, db: DbOption = None
) -> None:
    """Versions, spaCy model, gazetteer size and store URL."""
    from frontlines.info import collect_info

    data = collect_info(db)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {v}")


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders, .jsonl files, feed files or feed URLs.")
    ],
    db: DbOption = None,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Publication date (YYYY-MM-DD) for documents without one."),
    ] = None,
    no_extract: Annotated[bool, typer.Option("--no-extract", help="Store documents only.")] = False,
) -> None:
    """Read documents, extract events and claims, and store them. Exit 1 if any document was rejected."""
    from frontlines.ingest.service import ingest_command

    raise typer.Exit(ingest_command(paths, db_url=db, published=published, extract=not no_extract))


@app.command()
def extract(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files or folders; '-' or nothing reads stdin.")
    ] = None,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Publication date (YYYY-MM-DD) for documents without one."),
    ] = None,
    input_format: Annotated[str, typer.Option("--input-format", help="auto | text | html | jsonl")] = "auto",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSON Lines here.")] = None,
) -> None:
    """Extract events and claims as JSON Lines, touching no database."""
    from frontlines.extract.command import extract_command

    raise typer.Exit(
        extract_command(paths or ["-"], published=published, input_format=input_format, output=output)
    )


@app.command()
def summary(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    latest: Annotated[int, typer.Option("--latest", help="How many recent events to list.")] = 15,
) -> None:
    """What the store holds: counts, events by type and province, recent events, claims."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store
    from frontlines.views.summary import print_summary, summarise

    with open_store(resolve_db_url(db)) as store:
        data = summarise(store, latest=latest)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        print_summary(data)


@app.command("eval")
def eval_(
    gold: Annotated[
        list[str] | None,
        typer.Argument(
            help="ACLED-format CSV gold, or a dev-set path/name (acled, case, isaf, gtd, location)."
        ),
    ] = None,
    db: DbOption = None,
    use_extract: Annotated[bool, typer.Option("--extract", help="Extract from the gold's text now.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="Score only the first N rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score extraction against human-coded gold; prints per-field accuracy and weighted F1."""
    from frontlines.eval.command import eval_command

    raise typer.Exit(
        eval_command(gold or [], db_url=db, use_extract=use_extract, limit=limit, as_json=as_json)
    )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _register_views() -> None:
    """Commands whose modules import heavier libraries (pyarrow, shapely) load them only when run."""
    from frontlines.export.exporters import export_command
    from frontlines.views.casualties import casualties_command
    from frontlines.views.claims import claims_command

    app.command("export", help="Export merged events: ACLED CSV, GeoJSON or Parquet.")(export_command)
    app.command("casualties", help="Fatalities by month, province or victim category, claims beside.")(
        casualties_command
    )
    app.command("claims", help="Aggregate claims grouped by metric and period, disagreements side by side.")(
        claims_command
    )


boundaries_app = typer.Typer(
    help="Administrative boundary layers (GeoJSON, Shapefile, GeoPackage).", no_args_is_help=True
)
app.add_typer(boundaries_app, name="boundaries")


def _register_serve() -> None:
    from frontlines.api.app import serve_command

    app.command(
        "serve", help="Serve the API (writes need a token) and the map dashboard (loopback by default)."
    )(serve_command)


def _register_geo() -> None:
    from frontlines.geo.boundaries import boundaries_import_command
    from frontlines.views.control import control_command
    from frontlines.views.sites import sites_command

    app.command(
        "control", help="Territorial control of every district on a date, with the events behind it."
    )(control_command)
    app.command(
        "sites", help="Who holds each key site (crossings, capitals, bases) on a date; revenue shares."
    )(sites_command)
    boundaries_app.command("import", help="Import an admin boundary layer and match it to gazetteer codes.")(
        boundaries_import_command
    )


def _register_review() -> None:
    from frontlines.api.tokens import token_app

    app.add_typer(token_app, name="token", help="API tokens for analysts' writes (review, corrections).")


def _register_scale() -> None:
    from frontlines.scale.backfill import backfill_command

    app.command("backfill", help="Backfill many shards with Dask workers into a store, resumably.")(
        backfill_command
    )


# Commands that need the store, pyarrow, FastAPI or shapely cost about 0.6 s to import. When the console
# script runs one of the light commands (the common `frontlines extract` in a shell pipeline), they are not
# registered; `--help`, every other command and programmatic use (tests) get all of them.
_LIGHT_COMMANDS = {"extract", "ingest", "info", "summary", "eval", "version"}


def _invoked_light_command() -> bool:
    if not sys.argv or Path(sys.argv[0]).name != "frontlines":
        return False
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    return first in _LIGHT_COMMANDS and "--help" not in sys.argv[1:2]


if not _invoked_light_command():
    _register_views()
    _register_serve()
    _register_geo()
    _register_review()
    _register_scale()


def main() -> None:  # pragma: no cover - console entry
    app(prog_name="frontlines")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
