"""Analyst review in the dashboard, and hostile text kept inert, in a real browser.

Playwright drives Debian's Chromium against a uvicorn server on loopback over a temporary SQLite store holding
the reports in tests/fixtures/web/ and tests/fixtures/web_xss/ (the latter carry <script>, onerror= and similar
payloads in their titles, sources and text). Reviews go through the real API with a token made by
`frontlines.api.tokens.create_token`. Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from conftest import live_server
from frontlines import acled
from frontlines.records import Certainty

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "frontlines" / "web" / "static"
SHOTS = ROOT / "artifacts" / "screenshots"
REPORTS = [Path(__file__).parent / "fixtures" / "web", Path(__file__).parent / "fixtures" / "web_xss"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

# Payloads an analyst types into a correction; each would set window.__xss if it ever ran.
ACTOR_PAYLOAD = '<img src=x onerror="window.__xss=1">Taliban'
ATTRIBUTION_PAYLOAD = "<script>window.__xss=1</script> a provincial official"
NOTES_PAYLOAD = '"><svg onload="window.__xss=1"></svg><iframe src="javascript:window.__xss=1"></iframe>'
LOCATION_PAYLOAD = "<img src=y onerror=window.__xss=1>Arghandab"
# Anything that would have come out of a payload parsed as HTML (the app's own <script src> tags are excluded).
INJECTED = "script:not([src]), iframe, img[src='x'], img[src='y'], [onerror], [onload], [onmouseover]"


def _js_literal(name: str) -> Any:
    """A `const NAME = ...;` JSON-like literal from app.js (trailing commas allowed)."""
    src = (STATIC / "app.js").read_text()
    m = re.search(rf"^const {name} = (.*?);$", src, re.S | re.M)
    assert m, f"const {name} not found in app.js"
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", m.group(1)))


def test_dashboard_vocabularies_mirror_acled() -> None:
    # The correction form offers only sub-event types of the chosen event type: its copy must match acled.py.
    assert _js_literal("TAXONOMY") == {t: subs for t, subs in acled.TAXONOMY}
    assert _js_literal("INTER_CATEGORIES") == acled.INTER_CATEGORIES
    assert _js_literal("CERTAINTY") == list(get_args(Certainty))


def test_app_js_never_writes_html() -> None:
    src = (STATIC / "app.js").read_text()
    code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith("//"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, sink
    # Leaflet inserts string tooltip/popup content as HTML, so every tooltip gets a DOM node.
    assert not re.search(r"bindTooltip\(\s*[`'\"]", code)
    assert not re.search(r"bindPopup\(", code)


# ------------------------------------------------------------------------------------------------ browser


def _skip_without_browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    if not (STATIC / "vendor" / "leaflet.js").exists():
        pytest.skip("Leaflet assets missing: run scripts/web-assets.sh")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    _skip_without_browser()

    from frontlines.api.app import create_app
    from frontlines.api.tokens import create_token
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    tmp = tmp_path_factory.mktemp("web_review")
    url = f"sqlite:///{tmp / 'store.db'}"
    with open_store(url) as store:
        ingest([str(p) for p in REPORTS], store)
    secret = create_token(url, "alice")

    with live_server(create_app(url)) as base:
        yield {"base": base, "token": secret}


@pytest.fixture(scope="module")
def browser(server: dict[str, str]) -> Iterator[Any]:
    sync_api = _skip_without_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab (empty sessionStorage: no token) that records page errors."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def _api(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=10) as r:  # noqa: S310 - loopback test server
        return json.load(r)


def _find(base: str, **want: str) -> dict[str, Any]:
    """The one stored event (rejected included) whose fields contain the wanted values."""
    items = _api(base, "/api/events?limit=1000&include_rejected=true")["items"]
    hits = [e for e in items if all(v in (e.get(k) or "") for k, v in want.items())]
    assert len(hits) == 1, (want, [(e["id"], e["doc_id"], e["sub_event_type"]) for e in items])
    return hits[0]


def _open(page: Any, base: str, row_id: int) -> None:
    page.goto(f"{base}/#event={row_id}")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.wait_for_selector(f"#detail[data-event-id='{row_id}']", timeout=10_000)


def _set_token(page: Any, token: str) -> None:
    page.fill("#review-token", token)


def _entries(page: Any, action: str) -> Any:
    """Audit log entries of one action (confirm, reject, correct, revert)."""
    return page.locator(f"#audit-list li.audit-entry:has(.audit-head strong:text-is('{action}'))")


def _dd(page: Any, field: str) -> Any:
    return page.locator(f"#detail-fields dd[data-field='{field}']")


def test_writes_need_a_token_and_errors_are_explained(page: Any, server: dict[str, str]) -> None:
    from playwright.sync_api import expect

    base = server["base"]
    ev = _find(base, doc_id="ghoryan-retaken", location="Ghor")
    _open(page, base, ev["id"])
    expect(page.locator("#token-hint")).to_be_visible()
    expect(page.locator("#token-hint")).to_contain_text("frontlines token create NAME")
    page.click("#review-confirm")
    expect(page.locator("#review-msg")).to_contain_text("frontlines token create NAME")
    page.click("#review-correct")
    assert page.locator("#correct-form").is_hidden()  # no token: the form stays shut and says why

    _set_token(page, "not-a-real-token")
    page.click("#review-confirm")
    expect(page.locator("#review-msg")).to_contain_text("Token refused (401)")
    assert _api(base, f"/api/audit?event_id={ev['event_id']}")["total"] == 0
    assert "not-a-real-token" not in page.url

    # A value the form would not offer, sent through the same path as the form: the API's 422 is shown.
    _set_token(page, server["token"])
    page.evaluate("() => review('correct', {fatalities: -1})")
    expect(page.locator("#review-msg")).to_contain_text("Invalid value (422)")
    assert _api(base, f"/api/audit?event_id={ev['event_id']}")["total"] == 0

    # The sub-event select follows the event type, from acled.py's taxonomy.
    page.click("#review-correct")
    expect(page.locator("#correct-form")).to_be_visible()
    page.select_option("#fix-event_type", "Violence against civilians")
    subs = page.locator("#fix-sub_event_type option").all_text_contents()
    assert subs == dict(acled.TAXONOMY)["Violence against civilians"]
    page.click("#correct-cancel")

    page.click("#review-confirm")
    expect(page.locator("#review-badge")).to_have_text("confirmed")
    expect(_entries(page, "confirm")).to_contain_text("confirm by alice")
    assert _api(base, f"/api/events/{ev['id']}")["review_status"] == "confirmed"
    assert page.errors == []  # type: ignore[attr-defined]


def test_correction_persists_shows_in_audit_log_and_reverts(page: Any, server: dict[str, str]) -> None:
    from playwright.sync_api import expect

    base = server["base"]
    ev = _find(base, doc_id="ghoryan-retaken", location="Kandahar")
    before_fatalities, before_admin2 = ev["fatalities"], ev["admin2"]
    assert before_fatalities != 5 and before_admin2 != "Daman"
    _open(page, base, ev["id"])
    expect(page.locator("#review-badge")).to_have_text("unreviewed")
    _set_token(page, server["token"])
    page.click("#review-correct")
    page.fill("#fix-fatalities", "5")
    page.fill("#fix-admin2", "Daman")
    page.fill("#review-note", "hospital count; blast was in Daman")
    page.click("#correct-save")
    expect(page.locator("#review-msg")).to_contain_text("Saved")
    expect(page.locator("#review-badge")).to_have_text("corrected")

    # Reload: the event reopens from the URL hash, the token from sessionStorage (never the URL).
    page.reload()
    page.wait_for_selector(f"#detail[data-event-id='{ev['id']}']", timeout=10_000)
    assert server["token"] not in page.url
    expect(page.locator("#review-badge")).to_have_text("corrected")
    expect(_dd(page, "fatalities")).to_contain_text("5")
    expect(_dd(page, "admin2")).to_contain_text("Daman")
    for field in ("fatalities", "admin2"):
        expect(_dd(page, field).locator(".analyst-tag")).to_have_text("analyst")
    expect(_dd(page, "location").locator(".analyst-tag")).to_have_count(0)
    entry = _entries(page, "correct")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("by alice")
    expect(entry).to_contain_text(f"fatalities: {before_fatalities} → 5")
    expect(entry).to_contain_text(f"admin2: {before_admin2} → Daman")
    expect(entry).to_contain_text("hospital count; blast was in Daman")
    page.locator("#detail").screenshot(path=str(SHOTS / "review-corrected.png"))
    stored = _api(base, f"/api/events/{ev['id']}")
    assert (stored["fatalities"], stored["admin2"]) == (5, "Daman")
    audit_id = int(entry.get_attribute("data-audit-id"))

    entry.locator("button.audit-revert").click()
    expect(page.locator("#review-msg")).to_contain_text(f"Change #{audit_id} reverted")
    expect(_dd(page, "fatalities")).not_to_contain_text("5")
    expect(_dd(page, "admin2")).to_have_text(before_admin2)
    expect(page.locator("#detail-fields .analyst-tag")).to_have_count(0)
    expect(_entries(page, "revert")).to_have_count(1)
    expect(_entries(page, "revert")).to_contain_text(f"fatalities: 5 → {before_fatalities}")
    original = page.locator(f"#audit-list li[data-audit-id='{audit_id}']")
    expect(original).to_contain_text("reverted by #")
    expect(original.locator("button.audit-revert")).to_have_count(0)
    stored = _api(base, f"/api/events/{ev['id']}")
    assert (stored["fatalities"], stored["admin2"]) == (before_fatalities, before_admin2)

    # Reverting the same change twice: the API's 409 is explained.
    page.evaluate(f"() => revert({audit_id})")
    expect(page.locator("#review-msg")).to_contain_text("Conflict (409)")
    page.locator("#detail").screenshot(path=str(SHOTS / "review-reverted.png"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_reject_hides_the_event_marker(page: Any, server: dict[str, str]) -> None:
    from playwright.sync_api import expect

    base = server["base"]
    ev = _find(base, doc_id="ghoryan-falls")
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    marker = page.locator(f"path.event-marker[data-event-id='{ev['id']}']")
    expect(marker).to_have_count(1)
    shown = int(page.get_attribute("body", "data-events-shown"))
    marker.dispatch_event("click")  # markers can share a district centre: dispatch to this one
    page.wait_for_selector(f"#detail[data-event-id='{ev['id']}']", timeout=10_000)
    _set_token(page, server["token"])
    page.fill("#review-note", "duplicate of a later report")
    page.click("#review-reject")
    expect(page.locator("#review-badge")).to_have_text("rejected")
    expect(marker).to_have_count(0)
    assert int(page.get_attribute("body", "data-events-shown")) == shown - 1
    assert ev["id"] not in [e["id"] for e in _api(base, "/api/events?limit=1000")["items"]]
    expect(_entries(page, "reject")).to_contain_text("reject by alice")
    expect(_entries(page, "reject")).to_contain_text("duplicate of a later report")
    page.screenshot(path=str(SHOTS / "review-rejected.png"))

    page.check("#show-rejected")  # rejected events can still be shown, drawn hollow
    expect(page.locator(f"path.event-marker.rejected[data-event-id='{ev['id']}']")).to_have_count(1)
    page.uncheck("#show-rejected")
    expect(marker).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]


def _assert_inert(page: Any) -> None:
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(INJECTED).count() == 0, page.locator(INJECTED).evaluate_all(
        "els => els.map(e => e.outerHTML)"
    )


def test_hostile_reports_and_edits_stay_inert(page: Any, server: dict[str, str]) -> None:
    from playwright.sync_api import expect

    base = server["base"]
    blast = _find(base, doc_id="spin-boldak", sub_event_type="Remote explosive")
    battle = _find(base, doc_id="arghandab", event_type="Battles")

    # Report text: payloads in the title, source and body show as text; evidence is still highlighted.
    _open(page, base, blast["id"])
    expect(page.locator("#doc-title")).to_contain_text('"><iframe src="javascript:window.__xss=1"></iframe>')
    expect(page.locator("#doc-text")).to_contain_text('"><img src=x onerror=window.__xss=1>')
    marks = page.locator("#doc-text mark.evidence").all_text_contents()
    assert "roadside bomb" in marks and len(marks) >= 4
    assert any('onmouseover="window.__xss=1">police</b>' in m for m in marks)  # the attribution span
    _assert_inert(page)

    _open(page, base, battle["id"])
    expect(page.locator("#doc-title")).to_contain_text("<script>window.__xss=1</script>")
    expect(page.locator("#doc-title")).to_contain_text('<svg onload="window.__xss=1">')
    expect(page.locator("#doc-text")).to_contain_text('<img src=x onerror="window.__xss=1"> six civilians')
    assert "Taliban fighters" in page.locator("#doc-text mark.evidence").all_text_contents()
    _assert_inert(page)

    # Analyst input: payloads typed into a correction are stored and shown back as text everywhere.
    _set_token(page, server["token"])
    page.click("#review-correct")
    page.fill("#fix-actor1", ACTOR_PAYLOAD)
    page.fill("#fix-attribution", ATTRIBUTION_PAYLOAD)
    page.fill("#fix-notes", NOTES_PAYLOAD)
    page.fill("#fix-location", LOCATION_PAYLOAD)
    page.fill("#review-note", "<script>window.__xss=1</script>")
    page.click("#correct-save")
    expect(page.locator("#review-badge")).to_have_text("corrected")
    page.reload()  # re-render everything (facets, markers, panel, audit) from the stored values
    page.wait_for_selector(f"#detail[data-event-id='{battle['id']}']", timeout=10_000)
    expect(_dd(page, "actor1")).to_contain_text(ACTOR_PAYLOAD)
    expect(_dd(page, "attribution")).to_contain_text(ATTRIBUTION_PAYLOAD)
    expect(_dd(page, "notes")).to_contain_text(NOTES_PAYLOAD)
    expect(_dd(page, "location")).to_contain_text(LOCATION_PAYLOAD)
    entry = _entries(page, "correct")
    expect(entry).to_contain_text(f"actor1: {battle['actor1']} → {ACTOR_PAYLOAD}")
    expect(entry.locator(".audit-note")).to_have_text("<script>window.__xss=1</script>")
    # The marker tooltip (Leaflet would parse a string as HTML) carries the analyst's location as text.
    page.locator(f"path.event-marker[data-event-id='{battle['id']}']").dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_contain_text(LOCATION_PAYLOAD)
    page.click("#review-correct")  # the form shows the payloads back in its inputs, as values
    assert page.input_value("#fix-actor1") == ACTOR_PAYLOAD
    _assert_inert(page)
    page.screenshot(path=str(SHOTS / "xss-inert.png"))
    assert page.errors == []  # type: ignore[attr-defined]
