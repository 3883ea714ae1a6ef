"""Read files, folders, JSON Lines, HTML, RSS/Atom feeds and stdin into Documents, or Rejections.

One bad input never stops a batch: every problem becomes a `Rejection` with a specific, human reason, and
reading carries on. Everything is streamed (a JSONL file may hold millions of reports).

Formats by extension (``input_format="auto"``): ``.txt``/``.text`` text, ``.md``/``.markdown`` markdown
(both with optional YAML front matter: title, published, source, url, byline), ``.html``/``.htm`` HTML
(main text and metadata by trafilatura), ``.jsonl``/``.ndjson`` JSON Lines (``id``, ``text``, ``published``,
``title``, ``source``, ``url``, ``byline``; only ``text`` is required), ``.xml``/``.rss``/``.atom`` feeds,
``http(s)://`` URLs (fetched and read as a feed, or as one HTML page when not a feed). A file with another
extension named on the command line is sniffed. Folders are walked recursively in sorted order; hidden files
and folders (name starting with ``.``) and files of other extensions are skipped there. No file name is
special: a text or markdown file (a README beside the reports, say) is skipped only when its front matter
says ``frontlines: ignore``.

Publication date, first found wins: the document's own metadata, a dateline at the start of the text
(``KABUL, July 9, 2021 —``), the ``published`` default. A date that is present but unparseable rejects the
document rather than being guessed.
"""

from __future__ import annotations

import calendar
import email.utils
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from frontlines import config
from frontlines.ingest.dateline import parse_dateline
from frontlines.records import Document, content_hash

TEXT_EXTS = {".txt", ".text"}
MARKDOWN_EXTS = {".md", ".markdown"}
HTML_EXTS = {".html", ".htm", ".xhtml"}
JSONL_EXTS = {".jsonl", ".ndjson"}
FEED_EXTS = {".xml", ".rss", ".atom"}
KNOWN_EXTS = TEXT_EXTS | MARKDOWN_EXTS | HTML_EXTS | JSONL_EXTS | FEED_EXTS
INPUT_FORMATS = ("auto", "text", "markdown", "html", "jsonl", "feed")

# A feed or a fetched page holds many reports, so it may be larger than one document.
MAX_FEED_BYTES = 10 * config.MAX_DOCUMENT_BYTES
# Each network read waits at most this long; the whole fetch at most `config.FETCH_TIMEOUT_S`.
HTTP_TIMEOUT_S = 20.0
_READ_CHUNK = 64 * 1024


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n:,}-byte"


def _too_big(limit: int | None = None) -> str:
    """The size rejection, with the limit in force now (tests and deployments change it)."""
    return f"over the {_size(config.MAX_DOCUMENT_BYTES if limit is None else limit)} limit"


_NOT_TEXT = "not UTF-8 text (binary?)"
_EMPTY = "empty document"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that was not read: where it came from, why, and (when known) the hash of its content."""

    origin: str
    reason: str
    content_hash: str | None = None


class _Reject(Exception):
    """Raised inside a reader for one document; turned into a Rejection by the caller."""

    def __init__(self, reason: str, text: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


# ---------------------------------------------------------------------------------------------- dates


def parse_date(value: object) -> date:
    """A date from metadata, strictly: YYYY-MM-DD, an ISO datetime, or RFC 2822 (feeds). ValueError otherwise.

    A datetime keeps the calendar date it was written with (no conversion to UTC): that is the paper's day.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"unparseable published date {value!r}")
    s = value.strip()
    try:
        if _ISO_DATE.fullmatch(s):
            return date.fromisoformat(s)
        if _ISO_DATE.match(s):
            return datetime.fromisoformat(s.replace("z", "Z")).date()
        return email.utils.parsedate_to_datetime(s).date()
    except (ValueError, TypeError, IndexError, OverflowError):
        raise ValueError(f"unparseable published date '{s}'") from None


def _date_field(value: object) -> date | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except ValueError as e:
        raise _Reject(str(e)) from None


def _str_field(meta: dict[str, Any], key: str) -> str | None:
    v = meta.get(key)
    if v is None:
        return None
    if isinstance(v, list):  # YAML/JSON bylines are sometimes lists of names
        if not all(isinstance(x, str | int | float) for x in v):
            raise _Reject(f"'{key}' is a list of {_kinds(v)}, not of names")
        v = ", ".join(str(x) for x in v)
    elif isinstance(v, dict):
        raise _Reject(f"'{key}' is a mapping, not text")
    s = str(v).strip()
    if len(s) > _MAX_META_CHARS:
        raise _Reject(f"'{key}' is over the {_MAX_META_CHARS:,}-character limit for metadata")
    return s or None


_MAX_META_CHARS = 10_000


def _kinds(values: list[Any]) -> str:
    return "/".join(sorted({type(x).__name__ for x in values}))


# ---------------------------------------------------------------------------------------------- entry point


def read_sources(
    paths: Iterable[str], *, published: date | None = None, input_format: str = "auto"
) -> Iterator[Document | Rejection]:
    """Documents and Rejections from files, folders, feeds, URLs and ``-`` (stdin), in input order."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {input_format!r} (one of {', '.join(INPUT_FORMATS)})")
    for p in paths:
        if p == "-":
            yield from _read_stdin(published, input_format)
        elif p.startswith(("http://", "https://")):
            yield from _read_url(p, published)
        else:
            yield from _read_path(p, published, input_format)


def _read_path(p: str, published: date | None, input_format: str) -> Iterator[Document | Rejection]:
    path = Path(p)
    try:
        if path.is_dir():
            yield from _read_folder(path, published, input_format)
            return
        if not path.exists():
            yield Rejection(p, "no such file or directory")
            return
    except OSError as e:
        yield Rejection(p, f"cannot read: {e.strerror or e}")
        return
    yield from _read_file(p, published, input_format)


def _read_folder(folder: Path, published: date | None, input_format: str) -> Iterator[Document | Rejection]:
    try:
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
    except OSError as e:
        yield Rejection(str(folder), f"cannot read folder: {e.strerror or e}")
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        if e.is_dir():
            yield from _read_folder(e, published, input_format)
        elif input_format != "auto" or e.suffix.lower() in KNOWN_EXTS:
            yield from _read_file(str(e), published, input_format)


def _format_of(path: str, head: bytes, input_format: str) -> str:
    if input_format != "auto":
        return input_format
    ext = Path(path).suffix.lower()
    if ext in TEXT_EXTS:
        return "text"
    if ext in MARKDOWN_EXTS:
        return "markdown"
    if ext in HTML_EXTS:
        return "html"
    if ext in JSONL_EXTS:
        return "jsonl"
    if ext in FEED_EXTS:
        return "feed"
    return _sniff(head)


def _sniff(head: bytes) -> str:
    """Guess the format of an input with no telling extension from its first bytes."""
    h = head.lstrip()[:1000].lower()
    if (
        h.startswith(b"<?xml")
        and (b"<rss" in h or b"<feed" in h or b"<rdf" in h)
        or h.startswith((b"<rss", b"<feed"))
    ):
        return "feed"
    if h.startswith((b"<!doctype html", b"<html")):
        return "html"
    if h.startswith(b"{"):
        return "jsonl"
    return "text"


def _read_file(p: str, published: date | None, input_format: str) -> Iterator[Document | Rejection]:
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
            fmt = _format_of(p, head, input_format)
            if fmt == "jsonl":
                fh.seek(0)
                yield from _read_jsonl_lines(_bounded_lines(fh), p, published)
                return
            limit = MAX_FEED_BYTES if fmt == "feed" else config.MAX_DOCUMENT_BYTES
            fh.seek(0)
            raw = fh.read(limit + 1)
    except OSError as e:
        yield Rejection(p, f"cannot read: {e.strerror or e}")
        return
    if len(raw) > limit:
        yield Rejection(p, _too_big() if fmt != "feed" else f"feed {_too_big(limit)}")
        return
    yield from _read_bytes(raw, p, fmt, published)


def _read_bytes(raw: bytes, origin: str, fmt: str, published: date | None) -> Iterator[Document | Rejection]:
    if fmt == "feed":
        yield from _read_feed(raw, origin, published)
        return
    try:
        if fmt == "html":
            yield _html_document(raw, origin, published)
        else:
            doc = _text_document(_decode(raw), origin, fmt, published)
            if doc is not None:
                yield doc
    except _Reject as r:
        yield _rejection(origin, r, raw)


def _rejection(origin: str, r: _Reject, raw: bytes | None = None) -> Rejection:
    import hashlib

    if r.text is not None:
        h: str | None = content_hash(r.text)
    elif raw:
        h = hashlib.sha256(raw).hexdigest()
    else:
        h = None
    return Rejection(origin, r.reason, h)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise _Reject(_NOT_TEXT)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Reject(_NOT_TEXT) from None


def _check_text(text: str) -> None:
    if not text.strip():
        raise _Reject(_EMPTY)
    if "\x00" in text:
        raise _Reject("text contains NUL characters (binary?)", text)
    if len(text) > config.MAX_TEXT_CHARS:
        raise _Reject(f"text over the {config.MAX_TEXT_CHARS:,}-character limit", text)


def _finish(doc: Document, published: date | None) -> Document:
    """Fill the publication date from a dateline, then from the default; refuse a date no report has."""
    if doc.published is None:
        doc.published = parse_dateline(doc.text, published) or published
    if doc.published is not None and not published_in_range(doc.published):
        raise _Reject(f"published date {doc.published.isoformat()} is {_RANGE_MSG}", doc.text)
    return doc


_RANGE_MSG = f"outside the years {config.MIN_PUBLISHED_YEAR}-{config.MAX_PUBLISHED_YEAR}"


def published_in_range(d: date) -> bool:
    """A publication date a news report can have (year 1 or 9999 is a placeholder or an error, and dates
    that near the calendar's ends overflow date arithmetic downstream)."""
    return config.MIN_PUBLISHED_YEAR <= d.year <= config.MAX_PUBLISHED_YEAR


# ---------------------------------------------------------------------------------------------- text, markdown


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so `parse_date` judges them (PyYAML would raise on 2021-13-45),
    and refuses aliases: front matter never needs them, and nested aliases expand exponentially."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Reject("YAML aliases (*name) are not allowed in front matter")
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (between ``---`` lines at the very start) and the body after it."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.load(m.group(1), Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise _Reject(f"malformed YAML front matter{where}: {getattr(e, 'problem', None) or e}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _Reject("front matter is not a mapping of keys to values")
    return meta, text[m.end() :]


def _text_document(text: str, origin: str, fmt: str, published: date | None) -> Document | None:
    """The document in a text or markdown file; None when its front matter says ``frontlines: ignore``."""
    meta, body = split_front_matter(text)
    if str(meta.get("frontlines", "")).strip().lower() == "ignore":
        return None
    try:
        _check_text(body)
    except _Reject as r:
        r.text = r.text if r.text is not None else (text if text.strip() else None)
        raise
    try:
        pub = _date_field(meta.get("published", meta.get("date")))
    except _Reject as r:
        r.text = body
        raise
    doc = Document(
        id=origin,
        text=body,
        published=pub,
        title=_str_field(meta, "title"),
        source=_str_field(meta, "source"),
        url=_str_field(meta, "url"),
        byline=_str_field(meta, "byline") or _str_field(meta, "author"),
        origin=origin,
        fmt="markdown" if fmt == "markdown" else "text",
    )
    return _finish(doc, published)


# ---------------------------------------------------------------------------------------------- HTML


def _html_document(
    raw: bytes | str, origin: str, published: date | None, doc_id: str | None = None
) -> Document:
    import trafilatura

    if isinstance(raw, bytes) and b"\x00" in raw:
        raise _Reject(_NOT_TEXT)
    # Metadata dates only: an extensive search would pick dates out of the body, which the dateline and the
    # extractor read with more care.
    res = trafilatura.bare_extraction(
        raw,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    meta: dict[str, Any] = {}
    text = ""
    if res is not None:
        meta = res.as_dict() if hasattr(res, "as_dict") else dict(res)
        text = meta.get("text") or ""
    if not text.strip():
        raise _Reject("empty document (no main text found in the HTML)")
    _check_text(text)
    try:
        pub = _date_field(meta.get("date"))
    except _Reject as r:
        r.text = text
        raise
    doc = Document(
        id=doc_id or origin,
        text=text,
        published=pub,
        title=_str_field(meta, "title"),
        source=_str_field(meta, "sitename"),
        url=_str_field(meta, "url"),
        byline=_str_field(meta, "author"),
        origin=origin,
        fmt="html",
    )
    return _finish(doc, published)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry), with paragraph breaks kept as newlines."""
    import lxml.html

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on garbage; fall back to the raw string
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"):
        el.tail = "\n\n" + (el.tail or "")
    text = root.text_content()
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---------------------------------------------------------------------------------------------- JSON Lines


def _bounded_lines(fh: Any) -> Iterator[bytes | None]:
    """The lines of a binary file, each read with a bounded buffer: a line over the document limit is
    skipped to its end and given as None, so one huge line (a file with no newlines) never fills memory."""
    limit = config.MAX_DOCUMENT_BYTES
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line
                more = fh.readline(_READ_CHUNK)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def batch_limit_reason(n: int) -> str:
    """Why the documents after the `n`-th of one input are rejected, and how to split the input."""
    return (
        f"more than {n:,} documents in one input (FRONTLINES_MAX_BATCH={n}); the rest is not read: "
        f"split the file into parts of at most {n:,} lines (e.g. `split -l {n} FILE part-`) and ingest "
        "the parts, or raise FRONTLINES_MAX_BATCH"
    )


def _read_jsonl_lines(
    lines: Iterable[bytes | None], path: str, published: date | None
) -> Iterator[Document | Rejection]:
    limit = config.MAX_BATCH_DOCUMENTS
    seen = 0
    for n, line in enumerate(lines, 1):
        origin = f"{path}:{n}"
        if line is None or len(line) > config.MAX_DOCUMENT_BYTES:
            yield Rejection(origin, f"line {_too_big()}")
            continue
        if not line.strip():
            continue
        if seen >= limit:
            yield Rejection(f"{path}:{n}-", batch_limit_reason(limit))
            return
        seen += 1
        try:
            yield _jsonl_document(line, origin, published)
        except _Reject as r:
            yield _rejection(origin, r, line)


def _jsonl_document(line: bytes, origin: str, published: date | None) -> Document:
    try:
        s = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise _Reject(_NOT_TEXT) from None
    try:
        obj = json.loads(s)
    except json.JSONDecodeError as e:
        raise _Reject(f"invalid JSON: {e.msg} (column {e.colno})") from None
    except RecursionError:
        raise _Reject("invalid JSON: nested too deeply") from None
    except ValueError as e:  # Python refuses integers over 4,300 digits (a denial-of-service guard)
        raise _Reject(f"invalid JSON: number too long ({str(e).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise _Reject(f"not a JSON object but a {type(obj).__name__}")
    if "text" not in obj or obj["text"] is None:
        raise _Reject("missing 'text'")
    text = obj["text"]
    if not isinstance(text, str):
        raise _Reject(f"'text' is a {type(text).__name__}, not a string")
    _check_text(text)
    try:
        pub = _date_field(obj.get("published"))
    except _Reject as r:
        r.text = text
        raise
    raw_id = obj.get("id")
    doc = Document(
        id=str(raw_id) if raw_id not in (None, "") else origin,
        text=text,
        published=pub,
        title=_str_field(obj, "title"),
        source=_str_field(obj, "source"),
        url=_str_field(obj, "url"),
        byline=_str_field(obj, "byline") or _str_field(obj, "author"),
        origin=origin,
        fmt="jsonl",
    )
    return _finish(doc, published)


# ---------------------------------------------------------------------------------------------- feeds


def _read_feed(raw: bytes, origin: str, published: date | None) -> Iterator[Document | Rejection]:
    import feedparser

    parsed = feedparser.parse(raw)
    entries = parsed.get("entries") or []
    if not entries:
        if not parsed.get("version"):
            why = parsed.get("bozo_exception")
            yield Rejection(origin, f"not an RSS/Atom feed{f' ({why})' if why else ''}", _hash_bytes(raw))
        return
    feed_title = (parsed.get("feed") or {}).get("title")
    limit = config.MAX_BATCH_DOCUMENTS
    for n, entry in enumerate(entries, 1):
        if n > limit:
            yield Rejection(f"{origin}#{n}-", batch_limit_reason(limit).replace("lines", "entries"))
            return
        link = entry.get("link") or entry.get("id")
        eorigin = f"{origin}#{n}" + (f" ({link})" if link else "")
        try:
            yield _feed_document(entry, link or f"{origin}#{n}", eorigin, feed_title, published)
        except _Reject as r:
            yield _rejection(eorigin, r)


def _feed_document(
    entry: Any, doc_id: str, origin: str, feed_title: str | None, published: date | None
) -> Document:
    html = ""
    for c in entry.get("content") or []:
        if c.get("value"):
            html = c["value"]
            break
    html = html or entry.get("summary") or ""
    text = html_to_text(html)
    _check_text(text)
    pub = None
    for key in ("published", "updated", "created"):
        if entry.get(key):
            parsed_t = entry.get(f"{key}_parsed")
            if parsed_t is None:
                raise _Reject(f"unparseable published date '{entry[key]}'", text)
            # feedparser normalises to UTC; keep the date as written when we can read it directly
            try:
                pub = parse_date(entry[key])
            except ValueError:
                try:
                    pub = datetime.fromtimestamp(calendar.timegm(parsed_t)).date()
                except (ValueError, OverflowError, OSError):  # feedparser accepts year 0, datetime does not
                    raise _Reject(f"unparseable published date '{entry[key]}'", text) from None
            break
    doc = Document(
        id=doc_id,
        text=text,
        published=pub,
        title=(entry.get("title") or None),
        source=feed_title or None,
        url=entry.get("link") or None,
        byline=entry.get("author") or None,
        origin=origin,
        fmt="feed",
    )
    return _finish(doc, published)


def _hash_bytes(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------------------------------------- URLs, stdin


class _FetchRejected(Exception):
    pass


def fetch(url: str) -> tuple[bytes, str]:
    """The body and content type of `url`, bounded in size (`MAX_FEED_BYTES`) and in time: each read waits at
    most `HTTP_TIMEOUT_S`, the whole fetch at most `config.FETCH_TIMEOUT_S` (a server that trickles a byte at
    a time never times out a read). Raises `_FetchRejected` with the reason otherwise."""
    import time

    import httpx

    total = config.FETCH_TIMEOUT_S
    deadline = time.monotonic() + total
    cap = MAX_FEED_BYTES
    too_big = f"response {_too_big(cap)}"
    timed_out = f"fetch timed out after {total:g} s (FRONTLINES_FETCH_TIMEOUT)"
    timeout = httpx.Timeout(min(HTTP_TIMEOUT_S, total))
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as resp:
            if resp.status_code >= 400:
                raise _FetchRejected(f"HTTP {resp.status_code} {resp.reason_phrase}")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _FetchRejected(too_big)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():  # as they arrive (a chunk size would buffer), decoded (gzip)
                size += len(chunk)
                if size > cap:
                    raise _FetchRejected(too_big)
                if time.monotonic() > deadline:
                    raise _FetchRejected(timed_out)
                chunks.append(chunk)
            ctype = resp.headers.get("content-type", "")
    except httpx.TimeoutException:
        raise _FetchRejected(
            timed_out
            if time.monotonic() >= deadline - 0.05
            else f"fetch timed out (no data for {timeout.read:g} s)"
        ) from None
    except httpx.HTTPError as e:
        raise _FetchRejected(f"cannot fetch: {e}") from None
    return b"".join(chunks), ctype


def _read_url(url: str, published: date | None) -> Iterator[Document | Rejection]:
    try:
        raw, ctype = fetch(url)
    except _FetchRejected as e:
        yield Rejection(url, str(e))
        return
    fmt = _sniff(raw[:4096])
    if fmt == "feed" or "xml" in ctype and "html" not in ctype:
        yield from _read_feed(raw, url, published)
    elif fmt == "html" or "html" in ctype:
        try:
            yield _html_document(raw, url, published)
        except _Reject as r:
            yield _rejection(url, r, raw)
    else:
        yield from _read_bytes(raw, url, "text", published)


def _read_stdin(published: date | None, input_format: str) -> Iterator[Document | Rejection]:
    """Stdin, streamed when it is JSON Lines and read up to the size limit otherwise."""
    stream = (
        sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode("utf-8"))
    )
    limit = config.MAX_DOCUMENT_BYTES
    try:
        head = b""
        while len(head) <= limit:  # up to the first non-blank line, which decides JSON Lines or not
            line = stream.readline(limit + 1)
            head += line
            if not line or line.strip():
                break
        fmt = input_format
        if fmt == "auto":
            fmt = "jsonl" if _looks_like_jsonl(head) else _sniff(head.lstrip()[:4096])
            if fmt == "jsonl" and not _looks_like_jsonl(head):
                fmt = "text"  # _sniff guessed JSON Lines from a head that is not a JSON object
        if fmt == "jsonl":
            yield from _read_jsonl_lines(_bounded_lines(_Prefixed(head, stream)), "-", published)
            return
        cap = MAX_FEED_BYTES if fmt == "feed" else limit
        raw = head + stream.read(max(0, cap + 1 - len(head)))
    except OSError as e:
        yield Rejection("-", f"cannot read stdin: {e.strerror or e}")
        return
    if len(raw) > cap:
        yield Rejection("-", _too_big() if fmt != "feed" else f"feed {_too_big(cap)}")
        return
    yield from _read_bytes(raw, "-", fmt, published)


class _Prefixed:
    """A binary stream with `head` (already read from it) put back in front: readline and read only."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head = io.BytesIO(head)
        self._rest = rest

    def readline(self, n: int = -1) -> bytes:
        line = self._head.readline(n)
        if line.endswith(b"\n") or (n >= 0 and len(line) >= n):
            return line
        return line + self._rest.readline(-1 if n < 0 else n - len(line))

    def read(self, n: int = -1) -> bytes:
        data = self._head.read(n)
        if n < 0 or len(data) < n:
            data += self._rest.read(-1 if n < 0 else n - len(data))
        return data


def _looks_like_jsonl(raw: bytes) -> bool:
    """The first non-empty line is a JSON object: JSON Lines, where a later broken line is that line's
    rejection (a news report never starts with a JSON object)."""
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            return isinstance(json.loads(line), dict)
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, over-long integers
            return False
    return False
