"""API tokens for analysts' writes: `frontlines token create|list|revoke`.

A token is a 256-bit random secret shown once at creation; the store keeps only its SHA-256 (a fast hash is
enough for a high-entropy secret: there is nothing to brute-force), so a copy of the database lets no one in.
The token's name is the reviewer's identity in the audit log. A revoked token is refused from then on.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from frontlines.config import DbOption
from frontlines.store.models import ApiTokenRow
from frontlines.store.repository import Store

PREFIX = "fl_"
MAX_NAME = 200
# last_used_at is a convenience for `token list`: written at most this often per token, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)

token_app = typer.Typer(no_args_is_help=True, help="API tokens for analysts' writes.")


class TokenError(ValueError):
    """A token that cannot be created or revoked (name taken, unknown, invalid)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _open(db: Store | str) -> tuple[Store, bool]:
    if isinstance(db, Store):
        return db, False
    from frontlines.store.db import open_store

    return open_store(db), True


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise TokenError(f"a token name is 1 to {MAX_NAME} printable characters")
    return name


def create_token(db_url: Store | str, name: str) -> str:
    """Create the token `name` and return its secret (shown once: only its hash is stored)."""
    name = _check_name(name)
    secret = PREFIX + secrets.token_urlsafe(32)
    store, own = _open(db_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(ApiTokenRow.__table__).values(
                    name=name, token_hash=hash_secret(secret), created_at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        raise TokenError(f"a token named {name!r} exists (revoked names are not reused)") from None
    finally:
        if own:
            store.close()
    return secret


def verify_token(db: Store | str, secret: str | None) -> str | None:
    """The name of the live token whose secret this is, else None (unknown, revoked, empty)."""
    if not secret or len(secret) > 200:
        return None
    store, own = _open(db)
    t = ApiTokenRow.__table__.c
    try:
        with store.engine.connect() as conn:
            row = conn.execute(
                select(t.id, t.name, t.revoked_at, t.last_used_at).where(t.token_hash == hash_secret(secret))
            ).first()
            if row is None or row.revoked_at is not None:
                return None
            now = datetime.now(UTC)
            last = row.last_used_at
            if last is not None and last.tzinfo is None:
                last = last.replace(tzinfo=UTC)  # SQLite returns naive UTC
            if last is None or now - last > _TOUCH_EVERY:
                conn.execute(update(ApiTokenRow.__table__).where(t.id == row.id).values(last_used_at=now))
                conn.commit()
            return str(row.name)
    finally:
        if own:
            store.close()


def list_tokens(db: Store | str) -> list[dict[str, Any]]:
    """Every token's name and dates (never a secret: none is stored)."""
    store, own = _open(db)
    t = ApiTokenRow.__table__.c
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(t.name, t.created_at, t.revoked_at, t.last_used_at).order_by(t.id))
            return [dict(r._mapping) for r in rows]
    finally:
        if own:
            store.close()


def revoke_token(db: Store | str, name: str) -> None:
    """Revoke the token `name` (kept, marked revoked, so the audit log's names stay meaningful)."""
    store, own = _open(db)
    t = ApiTokenRow.__table__.c
    try:
        with store.engine.begin() as conn:
            res = conn.execute(
                update(ApiTokenRow.__table__)
                .where(t.name == name, t.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            if res.rowcount != 1:
                known = conn.execute(select(t.revoked_at).where(t.name == name)).first()
                raise TokenError(
                    f"no token named {name!r}" if known is None else f"{name!r} is already revoked"
                )
    finally:
        if own:
            store.close()


# ---------------------------------------------------------------------------------------------- CLI


def _url(db: str | None) -> str:
    from frontlines.config import resolve_db_url

    return resolve_db_url(db)


@token_app.command("create")
def create_command(name: Annotated[str, typer.Argument(help="Who uses it: the audit log's reviewer name.")],
                   db: DbOption = None) -> None:  # fmt: skip
    """Create a token and print its secret, once (only a hash is stored)."""
    try:
        secret = create_token(_url(db), name)
    except TokenError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(secret)
    typer.echo(
        f"token {name!r} created; send it as 'Authorization: Bearer <token>'. It is not shown again.",
        err=True,
    )


@token_app.command("list")
def list_command(db: DbOption = None) -> None:
    """Tokens with their creation, revocation and last-use times."""
    for r in list_tokens(_url(db)):
        state = f"revoked {r['revoked_at']:%Y-%m-%d %H:%M}" if r["revoked_at"] else "active"
        used = f"{r['last_used_at']:%Y-%m-%d %H:%M}" if r["last_used_at"] else "never"
        typer.echo(f"{r['name']}\t{state}\tcreated {r['created_at']:%Y-%m-%d %H:%M}\tlast used {used}")


@token_app.command("revoke")
def revoke_command(
    name: Annotated[str, typer.Argument(help="The token's name.")], db: DbOption = None
) -> None:
    """Revoke a token: requests with it are refused from now on."""
    try:
        revoke_token(_url(db), name)
    except TokenError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"token {name!r} revoked", err=True)
