"""The REST API and the offline dashboard behind `frontlines serve`.

`create_app(db_url)` builds a FastAPI app over one store. Events are the stored (per-report, unmerged) rows,
filtered and paginated in SQL so the listing stays cheap on large stores; control, counts, casualties and claims
reuse the views in `frontlines.views`, cached per store fingerprint (row counts), which also keys the ETags.
Every GET under /api answers 304 to a matching If-None-Match. Errors never carry a traceback to the client.

Writes (analyst review, see `frontlines.store.review` and docs/review.md) need `Authorization: Bearer <token>`
(`frontlines token create`). Request bodies are capped at 64 KiB; CORS is closed unless origins are given; reads
need a token too when the server is bound beyond loopback, unless reads are opened explicitly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import and_, false, func, or_, select

from frontlines.api.tokens import verify_token
from frontlines.config import DbOption
from frontlines.store import review
from frontlines.store.db import open_store
from frontlines.store.models import DocumentRow, EventRow, EvidenceRow
from frontlines.store.repository import Store

log = logging.getLogger("frontlines.api")

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
FINGERPRINT_TTL_S = 2.0  # how long a store fingerprint (5 COUNT queries) is reused between requests
MAX_LIMIT = 1000
MAX_STEPS = 400
MAX_BODY = 64 * 1024  # bytes: a review request is a few hundred
# The dashboard runs only its own scripts: an injected <script> or on*= handler in report text or analyst input
# would not execute even if it reached the DOM. Inline styles stay allowed (Leaflet positions with them); OSM
# tiles are the one optional outside source.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# ------------------------------------------------------------------------------------------------ models


class EventOut(BaseModel):
    id: int = Field(description="Row id: the key of /api/events/{id} (event_id is unique per document only).")
    event_id: str
    doc_id: str
    document_id: int
    event_date: date | None = None
    date_earliest: date | None = None
    date_latest: date | None = None
    time_precision: int | None = None
    disorder_type: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: str | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: str | None = None
    interaction: str | None = None
    civilian_targeting: str | None = None
    country: str | None = None
    iso3: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int = 0
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    attribution: str | None = None
    certainty: str
    confidence: float
    notes: str | None = None
    review_status: Literal["unreviewed", "confirmed", "corrected", "rejected"] = "unreviewed"
    analyst_fields: list[str] = Field(default=[], description="Fields whose value an analyst set.")


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class EvidenceOut(BaseModel):
    start: int
    end: int
    text: str
    fields: list[str] = []


class DocumentOut(BaseModel):
    id: int
    doc_id: str
    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    byline: str | None = None
    text: str


class EventDetail(EventOut):
    evidence: list[EvidenceOut]
    document: DocumentOut | None


class ReviewIn(BaseModel):
    action: Literal["confirm", "reject", "correct"]
    fields: dict[str, Any] | None = Field(default=None, description="Field -> value; only for correct.")
    note: str | None = Field(default=None, max_length=5000)


class RevertIn(BaseModel):
    note: str | None = Field(default=None, max_length=5000)


class AuditEntry(BaseModel):
    id: int
    event_id: str
    reviewer: str
    at: str = Field(description="ISO 8601, UTC.")
    action: Literal["confirm", "reject", "correct", "revert"]
    fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    note: str | None = None
    reverted_by: int | None = None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int


class ControlProps(BaseModel):
    code: str
    name: str | None = None
    admin1: str | None = None
    state: str
    holder: str | None = None
    since: str | None = None
    last_event_date: str | None = None
    rule: str
    aged_from: str | None = None
    event_ids: list[str] = []  # every event behind the state, oldest first
    # The spans of the event that began the state and of the latest behind it (/api/events/{id}: any other's).
    evidence: list[str] = []


class ControlFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any] | None
    properties: ControlProps


class ControlMeta(BaseModel):
    as_of: date
    layer: str
    geometry: Literal["polygons", "points"]
    counts: dict[str, int]


class ControlCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    metadata: ControlMeta
    features: list[ControlFeature]


class ControlCount(BaseModel):
    date: date
    counts: dict[str, int]
    total: int


class ClaimOut(BaseModel):
    claimant: str | None = None
    subject: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    of: float | None = None
    share_percent: float | None = None
    qualifier: str | None = None
    as_of: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    certainty: str | None = None
    doc_id: str
    claim_id: str
    evidence: list[str] = []


class ClaimGroup(BaseModel):
    metric: str
    period: str
    claims: list[ClaimOut]
    disagree: bool
    disagreements: list[list[int]]


class CasualtyRow(BaseModel):
    key: str | None = Field(
        description="The month (YYYY-MM), province or victim category; null: unplaced claims."
    )
    events: int
    fatalities: int
    claims: list[dict[str, Any]]


class Facets(BaseModel):
    date_min: date | None
    date_max: date | None
    event_types: dict[str, int]
    actors: dict[str, int]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    counts: dict[str, int]
    boundary_layer: str | None
    web_assets: bool


# ------------------------------------------------------------------------------------------------ service

_EVENT_COLS = [c for c in EventOut.model_fields if c not in ("id", "review_status", "analyst_fields")]


class Service:
    """Store queries and per-fingerprint caches for one app (thread-safe: uvicorn runs sync routes in threads)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._fp: tuple[float, str] | None = None
        self._derived_key: str | None = None
        self._derived: dict[str, Any] = {}
        # Serialized: cached pydantic models were hundreds of thousands of objects for the collector to walk.
        self._control: OrderedDict[str, bytes] = OrderedDict()
        self.fingerprint_ttl_s = FINGERPRINT_TTL_S

    # -- fingerprint and caches

    def fingerprint(self) -> str:
        now = time.monotonic()
        with self._lock:
            if self._fp and now - self._fp[0] < self.fingerprint_ttl_s:
                return self._fp[1]
        from frontlines.geo.boundaries import layer_names
        from frontlines.store.queries import fingerprint_parts

        # Index look-ups only (max ids, newest extraction and review): row counts scan a large store.
        parts = fingerprint_parts(self.store.engine) + [("layers", layer_names(self.store))]
        fp = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
        with self._lock:
            self._fp = (now, fp)
        return fp

    def invalidate(self) -> None:
        """Forget the fingerprint after a write, so the next read (and its ETag) sees the change at once."""
        with self._lock:
            self._fp = None

    def _cached(self, key: str, build: Any) -> Any:
        fp = self.fingerprint()
        with self._lock:
            if self._derived_key != fp:
                self._derived_key, self._derived = fp, {}
                self._control.clear()
            if key in self._derived:
                return self._derived[key]
        value = build()
        with self._lock:
            self._derived[key] = value
        return value

    def district_index(self) -> Any:
        def build() -> Any:
            from frontlines.geo.boundaries import default_layer
            from frontlines.views.control import DistrictIndex

            polygons = default_layer(self.store)
            return DistrictIndex("AFG", polygons), polygons

        return self._cached("index", build)

    def territory_events(self) -> Any:
        """The control timeline over the store's territory events (reviews applied), built once per
        fingerprint; evidence is fetched only for the events behind the states a response shows."""

        def build() -> Any:
            from frontlines.store.queries import TerritoryControl
            from frontlines.views.control import TERRITORY_TYPES

            idx, _ = self.district_index()
            # Kept across store versions and updated with what changed (another boundary layer: loaded anew).
            # Made here rather than in __init__ so this stays within this method.
            lock = self.__dict__.setdefault("_territory_lock", threading.Lock())
            with lock:
                tc = self.__dict__.get("_territory")
                if tc is None or tc.layer.name != idx.name:
                    tc = TerritoryControl(self.store.engine, idx, TERRITORY_TYPES)
                    self.__dict__["_territory"] = tc
                else:
                    tc.refresh()
                return tc.timeline

        return self._cached("territory", build)

    def geometries(self) -> dict[str, dict[str, Any]]:
        """Code -> GeoJSON geometry of the imported polygons (mapped once, not per request)."""

        def build() -> dict[str, dict[str, Any]]:
            from shapely.geometry import mapping

            _, polygons = self.district_index()
            if polygons is None:
                return {}
            return {code: mapping(u.geometry) for code, u in polygons.by_code.items()}

        return self._cached("geometries", build)

    # -- queries

    def events(self, f: dict[str, Any], limit: int, offset: int) -> EventPage:
        from frontlines.store.queries import event_page, event_where

        engine = self.store.engine
        where = self._reviewed_where(event_where(f, engine), f)
        walk = self._reviewed_where(event_where(f, engine, box_index=False), f) if f.get("bbox") else None
        # Ordered by event_date (undated last), then id; total exact up to queries.COUNT_CAP, else the cap.
        total, rows = event_page(
            engine, where, limit, offset, _EVENT_COLS, sparse_text=bool(f.get("q")), date_walk=walk
        )
        return EventPage(total=total, limit=limit, offset=offset, items=self._overlaid(rows))

    # -- analyst reviews over the extractor's rows (frontlines.store.review)

    def reviewed(self) -> review.ReviewedSet:
        def build() -> review.ReviewedSet:
            with self.store.engine.connect() as conn:
                return review.reviewed_set(conn, _EVENT_COLS)

        return self._cached("reviewed", build)

    def _reviewed_where(self, where: Any, f: dict[str, Any]) -> Any:
        """`where` on reviewed values: rejected events out (unless asked for), and corrected events matched
        on their reviewed values in Python (few), bypassing the SQL filter on the extractor's."""
        rs = self.reviewed()
        if not rs.rejected and not rs.corrected:
            return where
        t = EventRow.__table__.c
        if where is not None and rs.corrected:
            hits = [rid for rid, vals in rs.rows if review.matches(f, vals)]
            where = or_(and_(where, t.event_id.not_in(rs.corrected)), t.id.in_(hits) if hits else false())
        if rs.rejected and not f.get("include_rejected"):
            keep = t.event_id.not_in(review.rejected_ids())  # a subquery: any number of rejections
            where = keep if where is None else and_(where, keep)
        return where

    def _overlaid(self, rows: Any) -> list[EventOut]:
        with self.store.engine.connect() as conn:
            overlays = review.load_overlays(conn, (r["event_id"] for r in rows)) if rows else {}
        out = []
        for r in rows:
            ov = overlays.get(r["event_id"])
            status, analyst = review.review_fields(ov)
            vals = review.apply_overlay(r, ov, iso_dates=False)
            out.append(EventOut(**vals, review_status=status, analyst_fields=analyst))
        return out

    def event(self, row_id: int) -> EventDetail | None:
        t = EventRow.__table__.c
        ev = EvidenceRow.__table__.c
        with self.store.engine.connect() as conn:
            row = (
                conn.execute(select(t.id, *(t[c] for c in _EVENT_COLS)).where(t.id == row_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            spans = conn.execute(
                select(ev.start, ev.end, ev.text, ev.fields)
                .where(ev.event_id == row_id)
                .order_by(ev.start, ev.id)
            ).all()
        doc = self.document(row["document_id"])
        return EventDetail(
            **self._overlaid([row])[0].model_dump(),
            evidence=[
                EvidenceOut(start=a, end=b, text=txt, fields=list(fl or [])) for a, b, txt, fl in spans
            ],
            document=doc,
        )

    def document(self, row_id: int) -> DocumentOut | None:
        t = DocumentRow.__table__.c
        cols = [c for c in DocumentOut.model_fields]
        with self.store.engine.connect() as conn:
            row = conn.execute(select(*(t[c] for c in cols)).where(t.id == row_id)).mappings().first()
        return DocumentOut(**row) if row else None

    def date_range(self) -> tuple[date | None, date | None]:
        t = EventRow.__table__.c
        # Two queries: each is one index look-up, where SQLite scans every row for min and max together.
        with self.store.engine.connect() as conn:
            lo = conn.execute(select(func.min(t.event_date))).scalar()
            hi = conn.execute(select(func.max(t.event_date))).scalar()
        return _as_date(lo), _as_date(hi)

    def facets(self) -> Facets:
        def build() -> Facets:
            t = EventRow.__table__.c
            with self.store.engine.connect() as conn:
                types = conn.execute(
                    select(t.event_type, func.count()).where(t.event_type.is_not(None)).group_by(t.event_type)
                ).all()
                actors: dict[str, int] = {}
                for col in ("actor1", "actor2"):
                    for name, n in conn.execute(
                        select(t[col], func.count()).where(t[col].is_not(None)).group_by(t[col])
                    ):
                        actors[name] = actors.get(name, 0) + n
            lo, hi = self.date_range()
            top = dict(sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))[:200])
            return Facets(date_min=lo, date_max=hi, event_types=dict(sorted(types)), actors=top)

        return self._cached("facets", build)

    def control(self, as_of: date, with_geometry: bool = True) -> bytes:
        """The ControlCollection for `as_of` as JSON (the route sends these bytes as they are)."""
        fp = self.fingerprint()
        key = f"{fp}:{as_of.isoformat()}:{with_geometry}"
        with self._lock:
            hit = self._control.get(key)
        if hit is not None:
            return hit
        from frontlines.views.control import STATES

        idx, polygons = self.district_index()
        geoms = self.geometries()
        # == control_as_of(territory events, as_of), evidence only from each state's first and latest event
        states = self.territory_events().states(as_of, evidence="ends")
        feats = []
        for d in states:
            geom = geoms.get(d.code) if with_geometry else None
            if (
                with_geometry
                and geom is None
                and polygons is None
                and d.latitude is not None
                and d.longitude is not None
            ):
                geom = {"type": "Point", "coordinates": [d.longitude, d.latitude]}
            # model_construct: the values come typed from the view; validating 398 features per day cost
            # more than computing them.
            props = ControlProps.model_construct(
                code=d.code,
                name=d.name,
                admin1=d.admin1,
                state=d.state,
                holder=d.holder,
                since=d.since,
                last_event_date=d.last_event_date,
                rule=d.rule,
                aged_from=d.aged_from,
                event_ids=d.event_ids,
                evidence=[e.text for e in d.evidence],
            )
            feats.append(ControlFeature.model_construct(geometry=geom, properties=props))
        collection = ControlCollection(
            metadata=ControlMeta(
                as_of=as_of,
                layer=idx.name,
                geometry="polygons" if polygons is not None else "points",
                counts={s: sum(d.state == s for d in states) for s in STATES},
            ),
            features=feats,
        )
        out = collection.model_dump_json().encode()
        with self._lock:
            self._control[key] = out
            while len(self._control) > 64:  # a replay of the slider touches ~100 days; keep the recent ones
                self._control.popitem(last=False)
        return out

    def control_counts(self, start: date, end: date, step_days: int) -> list[ControlCount]:
        from frontlines.views.control import STATES

        def build() -> list[ControlCount]:
            rows = self.territory_events().counts(start, end, step_days)  # == counts_over_time(...)
            return [
                ControlCount(date=r["date"], counts={s: r[s] for s in STATES}, total=r["total"]) for r in rows
            ]

        return self._cached(f"counts:{start}:{end}:{step_days}", build)

    def casualties(self, by: str) -> list[CasualtyRow]:
        from frontlines.views.casualties import casualties

        def build() -> list[CasualtyRow]:
            return [
                CasualtyRow(key=r[by], events=r["events"], fatalities=r["fatalities"], claims=r["claims"])
                for r in casualties(self.store, by)
            ]

        return self._cached(f"casualties:{by}", build)

    def claims(self) -> list[ClaimGroup]:
        from frontlines.views.claims import claims_view

        return self._cached("claims", lambda: [ClaimGroup(**g) for g in claims_view(self.store)])


def _as_date(v: Any) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise HTTPException(422, "bbox must be minlon,minlat,maxlon,maxlat")
    return parts  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------ app


class _BodyLimit:
    """ASGI middleware: 413 for a request body over `limit` bytes, declared (Content-Length) or streamed;
    400 for a NUL character in the query (PostgreSQL refuses one in any text parameter)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
            return await _send_json(send, 400, "NUL character in the query")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                return await _send_json(send, 400, "bad Content-Length")
            if too_big:
                return await _send_json(send, 413, f"request body over {self.limit} bytes")
        seen = 0
        over = False
        started = False

        async def limited_receive() -> Any:
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    over = True
                    return {"type": "http.disconnect"}  # stop reading; the answer below is a 413
            return msg

        async def guarded_send(msg: Any) -> None:
            nonlocal started
            if over and not started:
                started = True
                await _send_json(send, 413, f"request body over {self.limit} bytes")
                return
            if over:
                return  # the route's own answer to the cut-off body is dropped
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over:
                raise  # a real error: the app's handlers answer it
        if over and not started:
            await _send_json(send, 413, f"request body over {self.limit} bytes")


async def _send_json(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, secret = auth.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


_bearer_scheme = HTTPBearer(auto_error=False, description="A token from `frontlines token create NAME`.")


def require_reviewer(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)]
) -> str:
    """The token's name (the reviewer in the audit log); 401 without a live token."""
    name = verify_token(request.app.state.service.store, creds.credentials if creds else None)
    if name is None:
        raise HTTPException(401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"})
    return name


Reviewer = Annotated[str, Depends(require_reviewer)]


def create_app(
    db_url: str,
    *,
    cors_origins: list[str] | tuple[str, ...] = (),
    read_token: bool = False,
    max_body: int = MAX_BODY,
) -> FastAPI:
    """The API and dashboard over the store at `db_url`.

    Writes need a bearer token; `read_token=True` (a server bound beyond loopback) asks one for reads under
    /api as well. CORS headers are sent only for `cors_origins`.
    """
    store = open_store(db_url)
    service = Service(store)
    reviews = review.Reviews(store)
    app = FastAPI(
        title="frontlines",
        summary="Conflict events, territorial control and aggregate claims, each traced to source text.",
        version="0.1",
    )
    app.state.service = service

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes each bad input back, and fails (500) on a NaN or Infinity in a body;
        # where and why is enough.
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
                  for e in exc.errors()]  # fmt: skip
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log only, never to the client.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal server error"}, status_code=500)

    if read_token:

        @app.middleware("http")
        async def _read_auth(request: Request, call_next: Any) -> Response:
            # Beyond loopback the data itself is guarded: every /api request needs a live token.
            if request.url.path.startswith("/api/") and request.method != "OPTIONS":
                if await run_in_threadpool(verify_token, store, _bearer(request)) is None:
                    return JSONResponse(
                        {"detail": "a valid API token is required"},
                        status_code=401,
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            return await call_next(request)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith(("/docs", "/redoc")):  # Swagger UI needs its inline script
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.middleware("http")
    async def _etag(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if request.method != "GET" or not path.startswith("/api/") or path == "/api/health":
            return await call_next(request)
        try:
            fp = service.fingerprint()
        except Exception:  # let the route produce (and log) the error
            return await call_next(request)
        tag = '"' + hashlib.sha256(f"{fp}|{path}|{request.url.query}".encode()).hexdigest()[:24] + '"'
        inm = request.headers.get("if-none-match", "")
        if tag in {t.strip() for t in inm.split(",")} or inm.strip() == "*":
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers["Cache-Control"] = "no-cache"  # revalidate each time: the store can change
        return response

    @app.get("/api/health", response_model=Health)
    def health() -> Health:
        from frontlines.geo.boundaries import default_layer

        layer = service._cached("layer-name", lambda: getattr(default_layer(store), "name", None))
        return Health(
            counts=store.counts(),
            boundary_layer=layer,
            web_assets=(STATIC_DIR / "vendor" / "leaflet.js").is_file(),
        )

    @app.get("/api/events", response_model=EventPage)
    def list_events(
        date_from: date | None = None,
        date_to: date | None = None,
        event_type: str | None = None,
        sub_event_type: str | None = None,
        actor: Annotated[
            str | None, Query(description="Case-insensitive substring of any actor field.")
        ] = None,
        admin1: str | None = None,
        admin2: str | None = None,
        bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
        certainty: str | None = None,
        q: Annotated[str | None, Query(description="Case-insensitive text search in notes.")] = None,
        include_rejected: Annotated[
            bool, Query(description="Also list events an analyst rejected (left out by default).")
        ] = False,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> EventPage:
        """Stored events with analysts' reviews applied, ordered by event_date then row id (undated last),
        with the total matching count."""
        f = dict(date_from=date_from, date_to=date_to, event_type=event_type, sub_event_type=sub_event_type,
                 actor=actor, admin1=admin1, admin2=admin2, bbox=_bbox(bbox), certainty=certainty, q=q,
                 include_rejected=include_rejected)  # fmt: skip
        return service.events(f, limit, offset)

    @app.get("/api/events/{row_id}", response_model=EventDetail)
    def get_event(row_id: int) -> EventDetail:
        """One event with its evidence spans (character offsets into `document.text`) and its source document."""
        out = service.event(row_id)
        if out is None:
            raise HTTPException(404, f"no event with id {row_id}")
        return out

    def _review_error(e: Exception) -> HTTPException:
        if isinstance(e, review.ReviewNotFound):
            return HTTPException(404, str(e))
        if isinstance(e, review.ReviewConflict):
            return HTTPException(409, str(e))
        return HTTPException(422, str(e))

    @app.post("/api/events/{row_id}/review", response_model=EventDetail)
    def review_event(row_id: int, body: ReviewIn, who: Reviewer) -> EventDetail:
        """Confirm, reject or correct an event (a token is required). The review is kept by the stable
        event_id, so it applies to every stored row of that event and survives re-extraction."""
        event_id = reviews.event_id_of(row_id)
        if event_id is None:
            raise HTTPException(404, f"no event with id {row_id}")
        try:
            reviews.review(event_id, body.action, who, body.fields, body.note)
        except (review.ReviewError, review.ReviewNotFound) as e:
            raise _review_error(e) from None
        service.invalidate()
        out = service.event(row_id)
        assert out is not None
        return out

    @app.get("/api/audit", response_model=AuditPage)
    def audit(
        event_id: Annotated[str | None, Query(max_length=128, description="A stable event id.")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> AuditPage:
        """The review audit log, newest first: who changed what, when (UTC), the values before and after."""
        items, total = reviews.audit(event_id, limit, offset)
        return AuditPage(items=[AuditEntry(**i) for i in items], total=total)

    @app.post("/api/audit/{audit_id}/revert", response_model=EventDetail)
    def revert(audit_id: int, who: Reviewer, body: RevertIn | None = None) -> EventDetail:
        """Undo one change (a token is required): its fields and status go back to what they were before it,
        recorded as a new "revert" entry; 409 when it was already reverted."""
        try:
            _, event_id = reviews.revert(audit_id, who, body.note if body else None)
        except (review.ReviewError, review.ReviewNotFound, review.ReviewConflict) as e:
            raise _review_error(e) from None
        service.invalidate()
        row_id = reviews.row_of(event_id)
        out = service.event(row_id) if row_id is not None else None
        if out is None:
            raise HTTPException(404, f"event {event_id!r} is no longer stored")
        return out

    @app.get("/api/documents/{row_id}", response_model=DocumentOut)
    def get_document(row_id: int) -> DocumentOut:
        out = service.document(row_id)
        if out is None:
            raise HTTPException(404, f"no document with id {row_id}")
        return out

    @app.get("/api/facets", response_model=Facets)
    def facets() -> Facets:
        """Event date range, event types and actors with counts: what the dashboard's filters offer."""
        return service.facets()

    @app.get("/api/control", response_model=ControlCollection)
    def control(
        as_of: date | None = None,
        geometry: Annotated[
            bool, Query(description="false: states only (the map already has the shapes)")
        ] = True,
    ) -> Response:
        """Each district's state on `as_of` (default: the latest event date) as GeoJSON: imported polygons
        when a boundary layer is in the store, else points at district centres."""
        day = as_of or service.date_range()[1] or date.today()
        # The model is built and serialized once per day (cached); validating it again per request cost
        # more than the cached answer. `response_model` still documents it.
        return Response(service.control(day, geometry), media_type="application/json")

    @app.get("/api/control/counts", response_model=list[ControlCount])
    def control_counts(
        start: date | None = None, end: date | None = None, step_days: Annotated[int, Query(ge=1, le=366)] = 7
    ) -> list[ControlCount]:
        """Districts per state on start, start + step, ... end (default: the events' date range)."""
        lo, hi = service.date_range()
        start, end = start or lo or date.today(), end or hi or date.today()
        if end < start:
            raise HTTPException(422, "end is before start")
        if (end - start).days // step_days > MAX_STEPS:
            raise HTTPException(422, f"more than {MAX_STEPS} steps: raise step_days")
        return service.control_counts(start, end, step_days)

    @app.get("/api/casualties", response_model=list[CasualtyRow])
    def casualties(by: Literal["month", "province", "category"] = "month") -> list[CasualtyRow]:
        """Merged events' fatalities per key, with aggregate casualty claims beside them (never summed)."""
        return service.casualties(by)

    @app.get("/api/claims", response_model=list[ClaimGroup])
    def claims() -> list[ClaimGroup]:
        """Aggregate claims grouped by metric and period; `disagreements` index pairs of conflicting figures."""
        return service.claims()

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    if cors_origins:  # closed unless asked: no Access-Control-Allow-Origin at all by default
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(_BodyLimit, limit=max_body)  # outermost: before anything reads the body

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    return app


def serve_command(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow cross-origin requests from this origin (repeatable)."),
    ] = None,
    open_reads: Annotated[
        bool,
        typer.Option(
            "--open-reads", help="Off loopback, serve reads without a token (writes always need one)."
        ),
    ] = False,
) -> None:
    """Serve the API (/api, /docs) and the map dashboard (/) over a store. Writes need a token
    (`frontlines token create`); reads need one too when bound beyond loopback, unless --open-reads."""
    import uvicorn

    from frontlines.config import resolve_db_url

    url = resolve_db_url(db)
    guarded = not is_loopback(host) and not open_reads
    if not (STATIC_DIR / "vendor" / "leaflet.js").is_file():
        typer.echo(
            "warning: Leaflet is missing; run scripts/web-assets.sh for the map (the API works).", err=True
        )
    typer.echo(f"frontlines: dashboard on http://{host}:{port}/  (API docs: /docs)", err=True)
    if guarded:
        typer.echo(
            f"frontlines: {host} is not loopback: reads need a token too (--open-reads to lift)", err=True
        )
    app = create_app(url, cors_origins=cors_origin or (), read_token=guarded)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback interface (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: assume it reaches beyond this machine
