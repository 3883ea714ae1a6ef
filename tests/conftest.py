"""Shared fixtures: a throwaway PostgreSQL server for the session, and `db_url` over SQLite and PostgreSQL.

The server is started as in ../shared/STACK.md (initdb refuses root, so it runs as `postgres`; unix socket in a
temporary folder; fsync off). Without PostgreSQL binaries the `postgres` tests skip, unless
FRONTLINES_REQUIRE_POSTGRES=1, when they fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _pg_bin() -> Path | None:
    env = os.environ.get("FRONTLINES_PG_BIN")
    if env:
        return Path(env)
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(x) for x in d.split("/")[-2].split(".")]
    )
    if dirs:
        return Path(dirs[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(why: str) -> None:
    if os.environ.get("FRONTLINES_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (FRONTLINES_REQUIRE_POSTGRES=1) but {why}")
    pytest.skip(f"PostgreSQL tests skipped: {why}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict[str, str | int]]:
    """A running PostgreSQL server: {"host": socket dir, "port": port}. Stopped at the end of the session."""
    pg_bin = _pg_bin()
    if pg_bin is None or not (pg_bin / "initdb").exists():
        _missing("no initdb found (install Debian's postgresql or set FRONTLINES_PG_BIN)")
    as_root = os.geteuid() == 0
    if as_root and shutil.which("runuser") is None:
        _missing("running as root without runuser")

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if as_root else list(cmd)
        subprocess.run(full, check=True, capture_output=True, text=True)

    d = Path(tempfile.mkdtemp(prefix="frontlines-pg-"))
    if as_root:
        shutil.chown(d, "postgres", "postgres")
    port = _free_port()
    data, log = d / "data", d / "log"
    try:
        run(
            str(pg_bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        opts = f"-p {port} -k {d} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        run(str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", opts, "start")
    except (subprocess.CalledProcessError, OSError) as e:
        detail = getattr(e, "stderr", "") or str(e)
        shutil.rmtree(d, ignore_errors=True)
        _missing(f"the server did not start: {detail.strip()[-500:]}")
    try:
        yield {"host": str(d), "port": port}
    finally:
        try:
            run(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: dict[str, str | int]) -> Iterator[str]:
    """A URL whose tables land in a fresh empty schema on the session's server, dropped after the test.

    A schema per test (via search_path) instead of a database per test: CREATE DATABASE costs ~0.7 s here.
    """
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = f"host={postgres_server['host']} port={postgres_server['port']} user=postgres dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    yield (
        f"postgresql+psycopg://postgres@/postgres?host={postgres_server['host']}&port={postgres_server['port']}"
        f"&options=-csearch_path%3D{name}"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty store: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def nlp():
    """The bare English pipeline (no place ruler), loaded once for the component tests."""
    from frontlines.nlp import load_nlp

    return load_nlp(ruler=False)


@pytest.fixture(scope="session")
def nlp_places():
    """The product's pipeline: the English model with the gazetteer's place ruler before `ner`."""
    from frontlines.nlp import load_nlp

    return load_nlp()


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields the base URL."""
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
