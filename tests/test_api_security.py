"""API security: token-guarded writes (hashed at rest, revocable), body limit, CORS closed by default,
parameterised filters, no tracebacks to clients, loopback binding and token-guarded reads beyond it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from frontlines.api.app import create_app, is_loopback
from frontlines.api.tokens import create_token, revoke_token, token_app, verify_token
from frontlines.records import Document, Event, Evidence
from frontlines.store import open_store
from frontlines.store.models import ApiTokenRow

TEXT = "Gunmen attacked a police post near the river crossing at dawn, wounding two guards."
ORIGIN = "https://analysts.example.org"


def _seed(u: str) -> str:
    with open_store(u) as s:
        d = Document(
            id="sec.txt", text=TEXT, published=date(2021, 7, 1), title="t", origin="sec.txt", fmt="text"
        )
        row, _ = s.add_document(d)
        ev = Event(d.id, event_id="sec1", event_date="2021-07-01", event_type="Battles", sub_event_type="Armed clash",
                   actor1="Unidentified Armed Group (Afghanistan)", admin1="Kunduz", admin2="Imam Sahib",
                   notes="post attacked", evidence=[Evidence.of(d, 0, 6, ["actor1"])])  # fmt: skip
        s.save_extraction(row, [ev], "v1")
    return u


@pytest.fixture
def url(tmp_path: Path) -> str:
    return _seed(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(url)) as c:
        yield c


def _review(c: TestClient, token: str | None, body: Any = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return c.post("/api/events/1/review", json=body or {"action": "confirm"}, headers=headers, **kw)


# ---------------------------------------------------------------------------------------------- tokens


def test_writes_need_a_live_token(client: TestClient, url: str) -> None:
    r = _review(client, None)
    assert r.status_code == 401 and r.json() == {"detail": "a valid API token is required"}
    assert r.headers["www-authenticate"] == "Bearer"
    assert _review(client, "fl_not-a-real-token").status_code == 401
    r = client.post(
        "/api/events/1/review", json={"action": "confirm"}, headers={"Authorization": "Basic YTpi"}
    )
    assert r.status_code == 401
    assert client.post("/api/audit/1/revert").status_code == 401
    secret = create_token(url, "alice")
    assert _review(client, secret).status_code == 200
    assert client.get("/api/audit").json()["items"][0]["reviewer"] == "alice"  # identity = the token's name
    revoke_token(url, "alice")
    assert _review(client, secret).status_code == 401
    assert client.get("/api/audit").json()["total"] == 1  # the refused write changed nothing


def test_tokens_are_stored_hashed(url: str, tmp_path: Path) -> None:
    secret = create_token(url, "bob")
    assert len(secret) >= 40  # 256 random bits, url-safe
    with open_store(url) as s, s.engine.connect() as conn:
        (row,) = conn.execute(select(ApiTokenRow.__table__)).mappings().all()
        assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
        for table in inspect(conn).get_table_names():  # the secret is in no column of any table
            for r in conn.execute(text(f'SELECT * FROM "{table}"')):
                assert not any(secret in str(v) for v in r), table
        conn.execute(text("PRAGMA wal_checkpoint(FULL)"))
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))
    assert secret.encode() not in raw and row["token_hash"].encode() in raw
    assert verify_token(url, secret) == "bob" and verify_token(url, row["token_hash"]) is None


def test_token_cli_create_list_revoke(url: str) -> None:
    runner = CliRunner()
    made = runner.invoke(token_app, ["create", "carol", "--db", url])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("fl_") and verify_token(url, secret) == "carol"
    listed = runner.invoke(token_app, ["list", "--db", url])
    assert "carol" in listed.stdout and "active" in listed.stdout and secret not in listed.stdout
    assert runner.invoke(token_app, ["create", "carol", "--db", url]).exit_code == 1  # names are unique
    assert runner.invoke(token_app, ["revoke", "carol", "--db", url]).exit_code == 0
    assert verify_token(url, secret) is None
    assert "revoked" in runner.invoke(token_app, ["list", "--db", url]).stdout
    assert runner.invoke(token_app, ["revoke", "nobody", "--db", url]).exit_code == 1


# ---------------------------------------------------------------------------------------------- limits


def test_request_body_over_64_kib_is_refused(client: TestClient, url: str) -> None:
    secret = create_token(url, "dave")
    small = {"action": "correct", "fields": {"notes": "n" * 9000}}
    assert _review(client, secret, small).status_code == 200
    big = {"action": "correct", "fields": {"notes": "n" * (70 * 1024)}}
    r = _review(client, secret, big)
    assert r.status_code == 413 and "detail" in r.json()

    def chunks() -> Iterator[bytes]:  # no Content-Length: a streamed body is counted as it arrives
        yield b'{"action": "correct", "fields": {"notes": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}}'

    r = client.post("/api/events/1/review", content=chunks(),
                    headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413
    assert client.get("/api/audit").json()["total"] == 1  # only the small correction landed


# ---------------------------------------------------------------------------------------------- CORS


def test_cors_closed_by_default(client: TestClient) -> None:
    r = client.get("/api/events", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options(
        "/api/events/1/review", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_open_to_the_given_origin_only(url: str) -> None:
    with TestClient(create_app(url, cors_origins=[ORIGIN])) as c:
        r = c.get("/api/events", headers={"Origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == ORIGIN
        pre = c.options(
            "/api/events/1/review",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"},
        )  # fmt: skip
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ORIGIN
        other = c.get("/api/events", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# ---------------------------------------------------------------------------------------------- injection


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("actor", "' OR '1'='1"),
        ("actor", "%"),
        ("q", "_"),
        ("q", "post attacked' OR 1=1 --"),
        ("admin1", "Kunduz'; DROP TABLE events; --"),
        ("admin2", '" OR ""="'),
        ("event_type", "Battles' OR 'a'='a"),
        ("certainty", "reported') UNION SELECT token_hash FROM api_tokens --"),
    ],
)
def test_injection_looking_filters_match_nothing(
    client: TestClient, url: str, param: str, value: str
) -> None:
    create_token(url, "erin")
    assert client.get("/api/events").json()["total"] == 1
    r = client.get("/api/events", params={param: value})
    assert r.status_code == 200 and r.json()["total"] == 0 and r.json()["items"] == []
    assert client.get("/api/events").json()["total"] == 1  # the table is still there


def test_injection_looking_audit_filter(client: TestClient) -> None:
    r = client.get("/api/audit", params={"event_id": "sec1' OR '1'='1"})
    assert r.status_code == 200 and r.json() == {"items": [], "total": 0}


# ---------------------------------------------------------------------------------------------- errors


def test_internal_errors_carry_no_traceback_or_sql(url: str) -> None:
    app = create_app(url)

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError('SELECT token_hash FROM api_tokens WHERE name = "x" -- File "/srv/app.py", line 1')

    app.state.service.facets = broken
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/facets")
    assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
    assert "SELECT" not in r.text and "Traceback" not in r.text and "app.py" not in r.text


# ---------------------------------------------------------------------------------------------- binding


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    import uvicorn

    from frontlines.api.app import serve_command

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    import typer

    cli = typer.Typer()
    cli.command()(serve_command)
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output
    return seen


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    seen = _serve(monkeypatch, "--db", url)
    assert seen["host"] == "127.0.0.1"
    with TestClient(seen["app"]) as c:  # loopback: reads are open, writes still need a token
        assert c.get("/api/events", headers={"Origin": ORIGIN}).status_code == 200
        assert "access-control-allow-origin" not in c.get("/api/events", headers={"Origin": ORIGIN}).headers
        assert _review(c, None).status_code == 401


def test_reads_need_a_token_off_loopback(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    secret = create_token(url, "frank")
    seen = _serve(monkeypatch, "--db", url, "--host", "0.0.0.0", "--cors-origin", ORIGIN)
    assert seen["host"] == "0.0.0.0"
    with TestClient(seen["app"]) as c:
        assert c.get("/api/events").status_code == 401
        assert c.get("/api/audit").status_code == 401
        ok = c.get("/api/events", headers={"Authorization": f"Bearer {secret}", "Origin": ORIGIN})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ORIGIN
        assert c.get("/").status_code == 200  # the page itself loads; its data needs the token
    seen = _serve(monkeypatch, "--db", url, "--host", "0.0.0.0", "--open-reads")
    with TestClient(seen["app"]) as c:
        assert c.get("/api/events").status_code == 200
        assert _review(c, None).status_code == 401


@pytest.mark.parametrize(
    ("host", "loop"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("::", False), ("192.168.1.10", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_dashboard_runs_only_its_own_scripts(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]  # no inline scripts, no event-handler attributes
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    api = client.get("/api/events")
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in api.headers


# ---------------------------------------------------------------------------------------------- hostile bodies

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_field_names = st.sampled_from(["admin2", "fatalities", "event_date", "geo_precision", "sub_event_type",
                                "event_type", "inter1", "latitude", "certainty", "notes", "event_id", "x"])  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        _json,
        st.fixed_dictionaries(
            {"action": st.sampled_from(["confirm", "reject", "correct", "revert", ""]),
             "fields": st.dictionaries(_field_names, _json, max_size=4) | _json},
            optional={"note": _json},
        ),
    )
)  # fmt: skip
def test_hostile_review_bodies_never_crash(client: TestClient, url: str, body: Any) -> None:
    # hypothesis reuses the function-scoped fixtures across examples: one token per store
    secret = _fuzz_tokens.get(url) or _fuzz_tokens.setdefault(url, create_token(url, "fuzz"))
    raw = json.dumps(body, allow_nan=True)  # NaN and Infinity too: Python's JSON parser accepts them
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    r = client.post("/api/events/1/review", content=raw, headers=headers)
    assert r.status_code in (200, 422), (r.status_code, r.text)
    assert "Traceback" not in r.text


_fuzz_tokens: dict[str, str] = {}


def test_nul_in_filters_is_refused_not_a_crash(db_url: str) -> None:
    with TestClient(create_app(db_url), raise_server_exceptions=False) as c:
        for params in ({"actor": "Tali\x00ban"}, {"q": "\x00"}, {"admin1": "a\x00"}, {"event_id": "e\x00"}):
            path = "/api/audit" if "event_id" in params else "/api/events"
            r = c.get(path, params=params)
            assert r.status_code == 400 and r.json() == {"detail": "NUL character in the query"}, r.text


_filter_params = st.dictionaries(
    st.sampled_from(["actor", "q", "admin1", "admin2", "event_type", "sub_event_type", "certainty", "bbox",
                     "date_from", "date_to", "limit", "offset", "include_rejected"]),
    st.text(max_size=30),
    min_size=1, max_size=4,
)  # fmt: skip


@pytest.fixture
def any_client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(_seed(db_url)), raise_server_exceptions=False) as c:
        yield c


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_filter_params)
def test_random_filters_never_crash(any_client: TestClient, params: dict[str, str]) -> None:
    r = any_client.get("/api/events", params=params)
    assert r.status_code in (200, 400, 422), (params, r.status_code, r.text)
    a = any_client.get("/api/audit", params={"event_id": params.get("q", "x")[:128]})
    assert a.status_code in (200, 400), (params, a.status_code)
