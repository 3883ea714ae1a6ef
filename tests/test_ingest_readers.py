"""Reading every input format into Documents, and every bad input into a specific Rejection."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from frontlines import config
from frontlines.ingest.readers import Rejection, parse_date, read_sources, split_front_matter
from frontlines.records import Document, content_hash

CORPUS = Path(__file__).parent / "fixtures" / "ingest" / "corpus"


def read(paths: list[str], **kw: object) -> tuple[list[Document], list[Rejection]]:
    docs: list[Document] = []
    rejs: list[Rejection] = []
    for item in read_sources(paths, **kw):  # type: ignore[arg-type]
        (docs if isinstance(item, Document) else rejs).append(item)  # type: ignore[arg-type]
    return docs, rejs


def one(paths: list[str], **kw: object) -> Document:
    docs, rejs = read(paths, **kw)
    assert rejs == [] and len(docs) == 1
    return docs[0]


def rejected(paths: list[str], **kw: object) -> Rejection:
    docs, rejs = read(paths, **kw)
    assert docs == [] and len(rejs) == 1
    return rejs[0]


# ------------------------------------------------------------------------------------------------ formats


def test_plain_text_with_dateline() -> None:
    p = str(CORPUS / "wires" / "ghazni-dateline.txt")
    doc = one([p])
    assert doc.id == p and doc.origin == p and doc.fmt == "text"
    assert doc.text.startswith("GHAZNI, Afghanistan (July 12, 2021)")
    assert doc.published == date(2021, 7, 12)  # from the dateline


def test_markdown_front_matter() -> None:
    doc = one([str(CORPUS / "front-matter.md")])
    assert doc.fmt == "markdown"
    assert doc.title == "Checkpoint attacked near Pul-e Alam"
    assert doc.published == date(2021, 6, 3)
    assert (doc.source, doc.url, doc.byline) == (
        "test desk",
        "https://example.org/reports/pul-e-alam",
        "Test Writer",
    )
    assert doc.text.startswith("Gunmen attacked")  # offsets count from the body, not the front matter
    assert "---" not in doc.text


def test_html_main_text_and_metadata() -> None:
    doc = one([str(CORPUS / "page.html")])
    assert doc.fmt == "html"
    assert doc.title == "Bridge damaged in Baghlan clashes"
    assert doc.published == date(2021, 8, 2)
    assert doc.url == "https://news.example.org/2021/08/02/baghlan-bridge"
    assert doc.byline == "Sample Reporter"
    assert "Pul-e Khumri" in doc.text
    assert "All rights reserved" not in doc.text and "Sport" not in doc.text  # boilerplate dropped


def test_jsonl_fields_ids_and_dates() -> None:
    p = str(CORPUS / "reports.jsonl")
    docs, rejs = read([p])
    assert rejs == []
    assert [d.id for d in docs] == ["wire-001", "wire-002", f"{p}:3"]
    assert [d.origin for d in docs] == [f"{p}:1", f"{p}:2", f"{p}:3"]
    assert docs[0].title == "Road cleared" and docs[0].source == "test wire"
    assert docs[0].published == date(2021, 7, 20)
    assert docs[1].published == date(2021, 7, 21)  # dateline "KABUL, 21 July 2021:"
    assert docs[2].published == date(2021, 7, 22)  # ISO datetime
    assert all(d.fmt == "jsonl" for d in docs)


def test_rss_feed_entries() -> None:
    docs, rejs = read([str(CORPUS / "feed.rss")])
    assert rejs == []
    assert [d.id for d in docs] == [
        "https://feed.example.org/items/charikar-market",
        "https://feed.example.org/items/power-line",
    ]
    first = docs[0]
    assert first.fmt == "feed" and first.source == "Example Wire Feed"
    assert first.title == "Market reopens in Charikar"
    assert first.published == date(2021, 8, 6)  # RFC 2822, date as written (not shifted to UTC)
    assert "<" not in first.text and "reopened on Friday" in first.text
    assert "\n" in first.text  # paragraphs kept apart
    assert docs[1].published == date(2021, 8, 7)


def test_atom_feed(tmp_path: Path) -> None:
    p = tmp_path / "feed.atom"
    p.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        "<id>urn:t</id><updated>2021-07-01T00:00:00Z</updated>"
        "<entry><title>A</title><id>urn:t:1</id><updated>2021-07-01T10:00:00Z</updated>"
        '<content type="html">&lt;p&gt;A convoy reached Zaranj.&lt;/p&gt;</content></entry></feed>',
        encoding="utf-8",
    )
    doc = one([str(p)])
    assert (doc.id, doc.text, doc.published) == ("urn:t:1", "A convoy reached Zaranj.", date(2021, 7, 1))


def test_folder_recursion_is_sorted_and_skips_hidden_and_unknown() -> None:
    docs, rejs = read([str(CORPUS)])
    assert rejs == []
    origins = [d.origin or "" for d in docs]
    assert not any("/." in o for o in origins)  # .hidden.txt and .drafts/ skipped
    assert not any(o.endswith(".csv") for o in origins)  # unknown extension skipped inside folders
    files = [o.split("#")[0].rsplit(":", 1)[0] for o in origins]
    assert files == sorted(files)  # deterministic order
    assert len(docs) == 8  # 2 feed entries + md + html + 3 jsonl lines + txt
    assert read([str(CORPUS)])[0] == docs


def test_stdin_text_and_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    stdin(b"Fighting was reported near Khost on Monday.\n")
    doc = one(["-"], published=date(2021, 7, 5))
    assert (doc.id, doc.fmt, doc.published) == ("-", "text", date(2021, 7, 5))

    stdin(b'{"id": "a", "text": "One report."}\n\n{"id": "b", "text": "Another report."}\n')
    docs, rejs = read(["-"])
    assert [d.id for d in docs] == ["a", "b"] and rejs == []

    # Input that opens with a JSON object is JSON Lines: a broken later line is rejected on its own,
    # the good lines are still read.
    stdin(b'{"id": "a", "text": "One report."}\nplain words\n')
    docs, rejs = read(["-"])
    assert [d.id for d in docs] == ["a"]
    assert [r.origin for r in rejs] == ["-:2"] and "invalid JSON" in rejs[0].reason


def test_published_default_only_fills_missing_dates(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("No date anywhere in this report.", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\npublished: 2021-05-01\n---\nDated report.", encoding="utf-8")
    docs, _ = read([str(tmp_path)], published=date(2021, 7, 1))
    assert [d.published for d in docs] == [date(2021, 7, 1), date(2021, 5, 1)]


def test_front_matter_can_opt_a_file_out(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nfrontlines: ignore\n---\n# About these reports\n", encoding="utf-8"
    )
    (tmp_path / "report.md").write_text("A report about a convoy.", encoding="utf-8")
    docs, rejs = read([str(tmp_path)])
    assert [d.id for d in docs] == [str(tmp_path / "report.md")] and rejs == []


def test_explicit_input_format_and_sniffing(tmp_path: Path) -> None:
    p = tmp_path / "report.data"
    p.write_text('{"id": "x", "text": "Sniffed as JSON Lines."}\n', encoding="utf-8")
    assert one([str(p)]).id == "x"
    assert one([str(p)], input_format="text").id == str(p)


def test_identity_is_the_content_hash() -> None:
    doc = one([str(CORPUS / "front-matter.md")])
    assert doc.hash == content_hash(doc.text)


# ------------------------------------------------------------------------------------------------ bad inputs


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "photo.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    r = rejected([str(p)])
    assert r.origin == str(p) and r.reason == "not UTF-8 text (binary?)"
    assert r.content_hash  # raw bytes hashed, so a repeat is recognised


def test_undecodable_text(tmp_path: Path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("Caf\xe9 attacked".encode("latin-1"))
    assert rejected([str(p)]).reason == "not UTF-8 text (binary?)"


def test_empty_and_whitespace(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    (tmp_path / "b.txt").write_text("  \n\t\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("---\ntitle: only metadata\n---\n", encoding="utf-8")
    docs, rejs = read([str(tmp_path)])
    assert docs == [] and [r.reason for r in rejs] == ["empty document"] * 3


def test_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "MAX_DOCUMENT_BYTES", 1000)
    p = tmp_path / "big.txt"
    p.write_text("word " * 300, encoding="utf-8")
    assert rejected([str(p)]).reason == "over the 1,000-byte limit"  # the limit in force, not "0 MiB"
    big = tmp_path / "big.jsonl"
    big.write_text(
        json.dumps({"text": "x " * 600}) + "\n" + json.dumps({"text": "small"}) + "\n", encoding="utf-8"
    )
    docs, rejs = read([str(big)])
    assert [d.text for d in docs] == ["small"]
    assert rejs[0].origin == f"{big}:1" and "limit" in rejs[0].reason


def test_real_size_limit_message(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    p.write_bytes(b"a" * (config.MAX_DOCUMENT_BYTES + 1))
    assert rejected([str(p)]).reason == "over the 5 MiB limit"


def test_malformed_jsonl_lines_each_rejected_good_lines_kept(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl"
    p.write_text(
        "\n".join(
            [
                '{"id": "ok1", "text": "First good report."}',
                '{"id": "bad", "text": "unterminated',
                '["a", "list"]',
                '{"id": "notext", "title": "no text field"}',
                '{"id": "num", "text": 42}',
                '{"id": "empty", "text": "   "}',
                '{"id": "date", "text": "Bad date report.", "published": "2021-13-45"}',
                '{"id": "ok2", "text": "Second good report."}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    docs, rejs = read([str(p)])
    assert [d.id for d in docs] == ["ok1", "ok2"]
    got = {r.origin.rsplit(":", 1)[1]: r.reason for r in rejs}
    assert got["2"].startswith("invalid JSON: Unterminated string")
    assert got["3"] == "not a JSON object but a list"
    assert got["4"] == "missing 'text'"
    assert got["5"] == "'text' is a int, not a string"
    assert got["6"] == "empty document"
    assert got["7"] == "unparseable published date '2021-13-45'"
    assert all(r.origin.startswith(f"{p}:") for r in rejs)


@pytest.mark.parametrize("bad", ["2021-13-45", "last Tuesday", "09/07/2021"])
def test_unparseable_front_matter_date(tmp_path: Path, bad: str) -> None:
    p = tmp_path / "r.md"
    p.write_text(f"---\npublished: {bad}\n---\nA report with a bad date.", encoding="utf-8")
    r = rejected([str(p)])
    assert r.reason == f"unparseable published date '{bad}'"
    assert r.content_hash == content_hash("A report with a bad date.")


def test_malformed_front_matter(tmp_path: Path) -> None:
    p = tmp_path / "r.md"
    p.write_text("---\ntitle: [unclosed\n---\nBody text.", encoding="utf-8")
    assert rejected([str(p)]).reason.startswith("malformed YAML front matter")


def test_missing_path_and_batch_continues(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A good report.", encoding="utf-8")
    missing = str(tmp_path / "nope.txt")
    docs, rejs = read([missing, str(good)])
    assert [d.text for d in docs] == ["A good report."]
    assert rejs == [Rejection(missing, "no such file or directory")]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot lock root out, so make `open` fail the way an unreadable file does.
    from frontlines.ingest import readers

    p = tmp_path / "locked.txt"
    p.write_text("secret", encoding="utf-8")

    def deny(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(readers, "open", deny, raising=False)
    assert rejected([str(p)]) == Rejection(str(p), "cannot read: Permission denied")


def test_html_without_main_text(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_text(
        "<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>", encoding="utf-8"
    )
    assert rejected([str(p)]).reason.startswith("empty document")


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    p = tmp_path / "data.xml"
    p.write_text("this is <not xml", encoding="utf-8")
    assert rejected([str(p)]).reason.startswith("not an RSS/Atom feed")


def test_feed_entry_with_bad_date_rejected_others_kept(tmp_path: Path) -> None:
    p = tmp_path / "f.rss"
    p.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        "<item><link>https://e.org/1</link><pubDate>not a date at all</pubDate><description>One.</description></item>"
        "<item><link>https://e.org/2</link><description>Two.</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    docs, rejs = read([str(p)], published=date(2021, 7, 1))
    assert [d.id for d in docs] == ["https://e.org/2"] and docs[0].published == date(2021, 7, 1)
    assert rejs[0].reason == "unparseable published date 'not a date at all'"
    assert rejs[0].origin.startswith(f"{p}#1")


def test_unknown_input_format() -> None:
    with pytest.raises(ValueError, match="unknown input format"):
        list(read_sources(["x"], input_format="pdf"))


# ------------------------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-07-09", date(2021, 7, 9)),
        ("2021-07-09T23:30:00+04:30", date(2021, 7, 9)),
        ("2021-07-09T10:00:00Z", date(2021, 7, 9)),
        ("Fri, 09 Jul 2021 14:00:00 +0430", date(2021, 7, 9)),
        (date(2021, 7, 9), date(2021, 7, 9)),
    ],
)
def test_parse_date_strict(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["", "July 9", "2021-7-9", "9/7/2021", "2021-02-30", 20210709])
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="unparseable published date"):
        parse_date(value)


def test_front_matter_split() -> None:
    meta, body = split_front_matter("---\ntitle: T\n---\nBody.")
    assert meta == {"title": "T"} and body == "Body."
    assert split_front_matter("No front matter.\n---\n") == ({}, "No front matter.\n---\n")


# ------------------------------------------------------------------------------------------------ URLs


@pytest.fixture
def http_server() -> Iterator[str]:
    """A local HTTP server over the test corpus (no network needed)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(CORPUS))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_feed_url(http_server: str) -> None:
    docs, rejs = read([f"{http_server}/feed.rss"])
    assert rejs == [] and [d.title for d in docs] == ["Market reopens in Charikar", "Power line repaired"]
    assert docs[0].origin.startswith(f"{http_server}/feed.rss#1")


def test_html_page_url(http_server: str) -> None:
    doc = one([f"{http_server}/page.html"])
    assert doc.fmt == "html" and doc.id == f"{http_server}/page.html" and "Pul-e Khumri" in doc.text


def test_url_errors(http_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from frontlines.ingest import readers

    assert rejected([f"{http_server}/missing.rss"]).reason == "HTTP 404 File not found"
    monkeypatch.setattr(readers, "MAX_FEED_BYTES", 100)
    assert rejected([f"{http_server}/feed.rss"]).reason.startswith("response over the")
    # Nothing listens on port 9 of localhost: a connection error is a rejection, not a crash.
    assert rejected(["http://127.0.0.1:9/feed.rss"]).reason.startswith("cannot fetch")
