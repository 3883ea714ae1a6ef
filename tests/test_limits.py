"""Ingest limits, each with a clear message: document size, lines read in bounded memory, documents per input
(batch), publication-date range, front-matter alias bombs, and time and size caps on feed/URL fetches
(against local HTTP servers on loopback that trickle, stall, or never stop sending).

Each test fails without its protection: it would read the oversized thing, or hang (fetch tests run the
fetch in a thread and fail if it is still running after a bound).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from frontlines import config
from frontlines.ingest import readers
from frontlines.ingest.readers import Rejection, read_sources
from frontlines.ingest.service import parse_published
from frontlines.records import Document

REPO = Path(__file__).resolve().parent.parent


def _read(paths: list[str]) -> list[Document | Rejection]:
    return list(read_sources(paths))


# ---------------------------------------------------------------------------------------------- size


def test_document_over_the_size_limit_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_DOCUMENT_BYTES", 1000)
    (tmp_path / "big.txt").write_text("Clashes were reported. " * 100, encoding="utf-8")
    (tmp_path / "small.txt").write_text("Clashes were reported near Kunduz.", encoding="utf-8")
    out = _read([str(tmp_path / "big.txt"), str(tmp_path / "small.txt")])
    assert isinstance(out[0], Rejection) and out[0].reason == "over the 1,000-byte limit"
    assert isinstance(out[1], Document)


def test_default_size_limit_message_names_mib(tmp_path: Path) -> None:
    p = tmp_path / "big.md"
    p.write_bytes(b"a" * (config.MAX_DOCUMENT_BYTES + 1))
    [rej] = _read([str(p)])
    assert (
        isinstance(rej, Rejection)
        and rej.reason == f"over the {config.MAX_DOCUMENT_BYTES // 2**20} MiB limit"
    )


def test_huge_jsonl_line_is_read_in_bounded_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20 MB line with no newline (a broken export) costs the limit's worth of memory, not 20 MB, and the
    next line is still read."""
    monkeypatch.setattr(config, "MAX_DOCUMENT_BYTES", 10_000)
    p = tmp_path / "huge.jsonl"
    with p.open("wb") as fh:
        fh.write(b'{"text": "' + b"x" * 20_000_000 + b'"}\n{"text": "Fighting near Herat on Monday."}\n')
    tracemalloc.start()
    try:
        out = _read([str(p)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(o).__name__ for o in out] == ["Rejection", "Document"]
    assert out[0].origin == f"{p}:1" and out[0].reason == "line over the 10,000-byte limit"
    assert peak < 2_000_000, f"peak {peak:,} bytes while reading"


def test_stdin_is_read_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_DOCUMENT_BYTES", 1000)

    class Endless(io.RawIOBase):  # a producer that never stops: reading all of it would never return
        def readable(self) -> bool:
            return True

        served = 0

        def readinto(self, b: Any) -> int:
            self.served += len(b)
            assert self.served < 10_000_000, "stdin read far past the document limit"
            b[: len(b)] = b"w" * len(b)
            return len(b)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless()), encoding="utf-8"))
    [rej] = _read(["-"])
    assert isinstance(rej, Rejection) and rej.reason == "over the 1,000-byte limit"


# ---------------------------------------------------------------------------------------------- batch


def test_documents_per_file_limit_says_how_to_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_BATCH_DOCUMENTS", 3)
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"text": f"Report {i} from Kunduz."}) + "\n" for i in range(7)), "utf-8")
    out = _read([str(p)])
    assert [type(o).__name__ for o in out] == ["Document"] * 3 + ["Rejection"]
    rej = out[-1]
    assert rej.origin == f"{p}:4-"
    assert "more than 3 documents in one input" in rej.reason and "split -l 3" in rej.reason
    assert "FRONTLINES_MAX_BATCH" in rej.reason


def test_feed_entries_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_BATCH_DOCUMENTS", 2)
    items = "".join(
        f"<item><title>T{i}</title><description>Report {i}.</description></item>" for i in range(5)
    )
    p = tmp_path / "f.rss"
    p.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>', "utf-8")
    out = _read([str(p)])
    assert [type(o).__name__ for o in out] == ["Document", "Document", "Rejection"]
    assert "more than 2 documents" in out[-1].reason and "entries" in out[-1].reason


def test_batch_limit_from_the_environment(tmp_path: Path) -> None:
    """FRONTLINES_MAX_BATCH configures the limit for the command; the run reports the rest as one rejection."""
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"text": f"Report {i} from Herat."}) + "\n" for i in range(5)), "utf-8")
    env = {**os.environ, "FRONTLINES_MAX_BATCH": "2"}
    r = subprocess.run(
        [str(REPO / ".venv" / "bin" / "frontlines"), "ingest", str(p), "--no-extract", "--db",
         f"sqlite:///{tmp_path / 's.db'}"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert "stored 2 new" in r.stdout and "split -l 2" in r.stderr


# ---------------------------------------------------------------------------------------------- metadata


def test_publication_dates_outside_the_plausible_range(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\npublished: 9999-12-31\n---\nA report from Kunduz.", "utf-8")
    (tmp_path / "b.md").write_text("---\npublished: 0001-01-01\n---\nA report from Herat.", "utf-8")
    out = _read([str(tmp_path)])
    assert [o.reason for o in out] == [
        "published date 9999-12-31 is outside the years 1800-2200",
        "published date 0001-01-01 is outside the years 1800-2200",
    ]
    with pytest.raises(ValueError, match="outside the years"):
        parse_published("0001-01-01")


def test_front_matter_alias_bomb_is_rejected_quickly(tmp_path: Path) -> None:
    levels = ['a: &a ["x", "x"]'] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(9)
    ]
    (tmp_path / "bomb.md").write_text("---\n" + "\n".join(levels) + "\ntitle: *j\n---\nBody text.", "utf-8")
    t = time.perf_counter()
    [rej] = _read([str(tmp_path / "bomb.md")])
    assert isinstance(rej, Rejection) and "aliases" in rej.reason
    assert time.perf_counter() - t < 2


# ---------------------------------------------------------------------------------------------- fetches

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>T</title><description>Report.</description></item></channel></rss>'


_GZIP_BOMB = gzip.compress(b" " * 30_000_000, compresslevel=1)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            if self.path == "/trickle":  # a byte every 50 ms, for ever: no single read ever times out
                self._head("application/rss+xml")
                self.wfile.write(FEED[:40])
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif self.path == "/stall":  # accept, then say nothing
                time.sleep(30)
            elif self.path == "/endless":  # an endless body, as fast as it goes
                self._head("text/plain")
                chunk = b"word " * 20_000
                while True:
                    self.wfile.write(chunk)
            elif self.path == "/declared":  # says up front it is too big
                self._head("text/plain", length=10**12)
                self.wfile.write(b"x" * 1000)
            elif self.path == "/gzip-bomb":  # 30 MB of spaces in ~30 KB of gzip
                body = _GZIP_BOMB
                self._head("text/plain", length=len(body), encoding="gzip")
                self.wfile.write(body)
            else:
                self._head("application/rss+xml", length=len(FEED))
                self.wfile.write(FEED)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _head(self, ctype: str, length: int | None = None, encoding: str | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _fetch_within(url: str, bound_s: float) -> tuple[list[Document | Rejection], float]:
    """Read `url` in a thread; fail if it has not returned within `bound_s` (the fetch would hang)."""
    box: list[Any] = []

    def work() -> None:
        try:
            box.append(_read([url]))
        except BaseException as e:  # noqa: BLE001 - reported below
            box.append(e)

    t0 = time.perf_counter()
    th = threading.Thread(target=work, daemon=True)
    th.start()
    th.join(bound_s)
    assert not th.is_alive(), (
        f"fetching {url} still running after {bound_s} s: no timeout or size cap applied"
    )
    assert not isinstance(box[0], BaseException), box[0]
    return box[0], time.perf_counter() - t0


@pytest.fixture
def short_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "FETCH_TIMEOUT_S", 1.0)
    monkeypatch.setattr(readers, "MAX_FEED_BYTES", 1_000_000)


def test_feed_fetch_that_trickles_times_out(server: str, short_fetch: None) -> None:
    [rej], took = _fetch_within(f"{server}/trickle", 8)
    assert isinstance(rej, Rejection) and rej.origin == f"{server}/trickle"
    assert rej.reason == "fetch timed out after 1 s (FRONTLINES_FETCH_TIMEOUT)"
    assert took < 4


def test_fetch_from_a_server_that_never_answers_times_out(server: str, short_fetch: None) -> None:
    [rej], took = _fetch_within(f"{server}/stall", 8)
    assert isinstance(rej, Rejection) and "timed out" in rej.reason
    assert took < 4


def test_endless_body_hits_the_size_cap(
    server: str, short_fetch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "FETCH_TIMEOUT_S", 30.0)  # the cap, not the clock, must stop this one
    [rej], _ = _fetch_within(f"{server}/endless", 20)
    assert isinstance(rej, Rejection) and rej.reason == "response over the 1,000,000-byte limit"


def test_declared_oversize_is_refused_before_reading(server: str, short_fetch: None) -> None:
    [rej], took = _fetch_within(f"{server}/declared", 8)
    assert rej.reason == "response over the 1,000,000-byte limit" and took < 2


def test_gzip_bomb_is_capped_after_decoding(
    server: str, short_fetch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "FETCH_TIMEOUT_S", 30.0)
    [rej], _ = _fetch_within(f"{server}/gzip-bomb", 10)
    assert isinstance(rej, Rejection) and rej.reason == "response over the 1,000,000-byte limit"


def test_a_normal_feed_is_fetched(server: str, short_fetch: None) -> None:
    [doc], _ = _fetch_within(f"{server}/feed", 8)
    assert isinstance(doc, Document) and doc.text == "Report."
