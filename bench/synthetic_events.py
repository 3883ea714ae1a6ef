"""A deterministic synthetic store for the API benchmark: N ACLED-style events in Afghan districts, 2019-2021.

Every value comes from a seeded `random.Random`, so the same `--events`/`--seed` give the same store on every
backend. Districts (name, province, centre) come from the project's gazetteer, types from `frontlines.acled`,
named actors from `data/actors.yaml`; about two thirds of the events are of the sub-event types the control view
reads (fighting, captures, regains, transfers), as in ACLED's Afghan data. Each document carries
`EVENTS_PER_DOC` events and each event one evidence span into its document's text.

Rows go in with SQLAlchemy Core executemany in batches (explicit ids, so evidence rows need no RETURNING),
one transaction per batch. Use:

    .venv/bin/python bench/synthetic_events.py --events 1000000 --db sqlite:////tmp/bench-1m.db
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import yaml
from alembic import command
from sqlalchemy import func, select, text

from frontlines import acled
from frontlines.geo.gazetteer import get_gazetteer
from frontlines.store.db import alembic_config, current_revision, make_engine, upgrade
from frontlines.store.models import DocumentRow, EventRow, EvidenceRow
from frontlines.store.repository import Store

SOURCE = "synthetic-bench"  # documents.source of every generated document: marks a generated store
EVENTS_PER_DOC = 5
BATCH_EVENTS = 20_000
START, END = date(2019, 1, 1), date(2021, 12, 31)
FALL_OF_KABUL = date(2021, 8, 15)
BULK_REVISION = "0003"  # the schema a fresh database is loaded at; the later revisions add indexes

# Sub-event type weights, roughly ACLED's Afghan mix 2019-2021 (fighting dominates).
SUB_WEIGHTS = {
    "Armed clash": 40,
    "Air/drone strike": 12,
    "Shelling/artillery/missile attack": 8,
    "Remote explosive/landmine/IED": 10,
    "Suicide bomb": 1,
    "Grenade": 1,
    "Attack": 8,
    "Abduction/forced disappearance": 2,
    "Non-state actor overtakes territory": 3,
    "Government regains territory": 2,
    "Non-violent transfer of territory": 0.5,
    "Agreement": 0.5,
    "Peaceful protest": 4,
    "Protest with intervention": 1,
    "Violent demonstration": 0.5,
    "Mob violence": 0.5,
    "Arrests": 2,
    "Looting/property destruction": 1,
    "Headquarters or base established": 0.5,
    "Change to group/activity": 1,
    "Other": 1,
}
CERTAINTY_WEIGHTS = {"reported": 90, "claimed": 8, "disputed": 2}


def _actors() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(non-state actors, state actors) as (name, inter) from data/actors.yaml's Afghan entries."""
    raw = resources.files("frontlines.data").joinpath("actors.yaml").read_text(encoding="utf-8")
    data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    rebels = [
        (a["name"], a["inter"])
        for a in data["actors"]
        if a.get("country") == "Afghanistan" and a.get("inter") != "State forces"
    ]
    regimes = data["countries"]["Afghanistan"]
    state = [
        (f"{kind.title()} Forces of Afghanistan ({r['years']})", "State forces")
        for kind in ("military", "police")
        for r in regimes[kind]
        if "until" in r
    ]
    return rebels, state


def _weighted(rng: random.Random, table: dict[str, float], n: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=n)


class Generator:
    """Rows for documents, events and evidence, a document at a time, from one seed."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.districts = [p for p in get_gazetteer().admin2_of("AFG") if p.code]
        self.rebels, self.state = _actors()
        self.days = (END - START).days + 1

    def _day(self) -> date | None:
        if self.rng.random() < 0.005:
            return None  # a few undated events: the listing's "undated last" ordering is exercised
        # Denser in 2021 (the offensive): half the events in the last year.
        if self.rng.random() < 0.5:
            return date(2021, 1, 1) + timedelta(days=self.rng.randrange(365))
        return START + timedelta(days=self.rng.randrange(self.days))

    def _actor_pair(
        self, sub: str, day: date | None
    ) -> tuple[str | None, str | None, str | None, str | None]:
        rng = self.rng
        rebel = rng.choice(self.rebels)
        gov = rng.choice(self.state)
        if day and day > FALL_OF_KABUL and rebel[0] == "Taliban":
            rebel = ("Military Forces of Afghanistan (2021-)", "State forces")
        if sub in ("Peaceful protest", "Protest with intervention"):
            return (
                "Protesters (Afghanistan)",
                "Protesters",
                (gov[0] if sub != "Peaceful protest" else None),
                (gov[1] if sub != "Peaceful protest" else None),
            )
        if sub in ("Attack", "Abduction/forced disappearance"):
            return rebel[0], rebel[1], "Civilians (Afghanistan)", "Civilians"
        if sub == "Government regains territory" or (sub == "Air/drone strike" and rng.random() < 0.8):
            return gov[0], gov[1], rebel[0], rebel[1]
        if sub in ("Agreement", "Non-violent transfer of territory", "Other", "Change to group/activity"):
            return rebel[0], rebel[1], None, None
        if rng.random() < 0.7:
            return rebel[0], rebel[1], gov[0], gov[1]
        return gov[0], gov[1], rebel[0], rebel[1]

    def document(self, doc_no: int, first_event_id: int, first_evidence_id: int) -> tuple[
        dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]
    ]:  # fmt: skip
        """One document (row id `doc_no`) with its events and evidence rows (explicit ids)."""
        rng = self.rng
        doc_id = f"synthetic-{doc_no:08d}"
        subs = _weighted(rng, SUB_WEIGHTS, EVENTS_PER_DOC)
        certs = _weighted(rng, CERTAINTY_WEIGHTS, EVENTS_PER_DOC)
        published: date | None = None
        events, spans, sentences = [], [], []
        offset = len(f"Synthetic report {doc_no}.\n")
        for k, (sub, cert) in enumerate(zip(subs, certs, strict=True)):
            d = self.districts[rng.randrange(len(self.districts))]
            day = self._day()
            if day and (published is None or day > published):
                published = day
            a1, i1, a2, i2 = self._actor_pair(sub, day)
            fat = (
                0
                if acled.EVENT_TYPE_OF[sub] in ("Protests", "Strategic developments")
                else rng.choice((0, 0, 0, 1, 2, 3, 5, 8, 12, 20))
            )
            verb = sub.lower()
            sentence = (
                f"{a1 or 'Unknown actors'} reported {verb} in {d.name} district of {d.admin1} province"
                + (f" with {a2}" if a2 else "")
                + (f"; {fat} killed" if fat else "")
                + (f" on {day.isoformat()}." if day else ".")
            )
            eid = first_event_id + k
            lat = round((d.latitude or 34.5) + rng.uniform(-0.05, 0.05), 4)
            lon = round((d.longitude or 69.2) + rng.uniform(-0.05, 0.05), 4)
            events.append(
                {
                    "id": eid,
                    "event_id": f"{doc_id}:e{k + 1}",
                    "document_id": doc_no,
                    "doc_id": doc_id,
                    "event_date": day,
                    "date_earliest": day,
                    "date_latest": day,
                    "time_precision": 1 if day else None,
                    "disorder_type": acled.disorder_type(sub),
                    "event_type": acled.EVENT_TYPE_OF[sub],
                    "sub_event_type": sub,
                    "actor1": a1,
                    "assoc_actor_1": None,
                    "inter1": i1,
                    "actor2": a2,
                    "assoc_actor_2": None,
                    "inter2": i2,
                    "interaction": acled.interaction(i1, i2),
                    "civilian_targeting": "Civilian targeting" if i2 == "Civilians" else None,
                    "country": "Afghanistan",
                    "iso3": "AFG",
                    "admin1": d.admin1,
                    "admin2": d.name,
                    "admin3": None,
                    "location": d.name,
                    "latitude": lat,
                    "longitude": lon,
                    "geo_precision": rng.choice((1, 2, 2, 3)),
                    "fatalities": fat,
                    "fatalities_low": fat,
                    "fatalities_high": fat,
                    "attribution": None,
                    "certainty": cert,
                    "confidence": round(rng.uniform(0.4, 0.95), 2),
                    "notes": sentence,
                }
            )
            spans.append(
                {
                    "id": first_evidence_id + k,
                    "event_id": eid,
                    "claim_id": None,
                    "document_id": doc_no,
                    "doc_id": doc_id,
                    "start": offset,
                    "end": offset + len(sentence),
                    "text": sentence,
                    "fields": ["sub_event_type", "admin2", "actor1"],
                }
            )
            sentences.append(sentence)
            offset += len(sentence) + 1
        body = f"Synthetic report {doc_no}.\n" + "\n".join(sentences)
        now = datetime(2022, 1, 1, tzinfo=UTC)
        doc = {
            "id": doc_no,
            "doc_id": doc_id,
            "content_hash": hashlib.sha256(body.encode()).hexdigest(),
            "title": f"Synthetic report {doc_no}",
            "published": published,
            "source": SOURCE,
            "url": None,
            "byline": None,
            "origin": f"synthetic:{doc_no}",
            "fmt": "text",
            "text": body,
            "ingested_at": now,
            "extracted_at": now,
            "extractor_version": "synthetic",
        }
        return doc, events, spans


def generated_events(store: Store) -> int | None:
    """How many events a generated store holds (None: the store holds other data or nothing)."""
    with store.engine.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(DocumentRow)).scalar_one()
        if not n_docs:
            return None
        other = conn.execute(select(DocumentRow.id).where(DocumentRow.source != SOURCE).limit(1)).first()
        if other is not None:
            return None
        return conn.execute(select(func.max(EventRow.id))).scalar_one()


def fill(store: Store, n_events: int, *, seed: int = 7, progress: bool = True) -> float:
    """Write `n_events` synthetic events (and their documents and evidence) into an empty store; seconds taken."""
    with store.engine.connect() as conn:
        if conn.execute(select(DocumentRow.id).limit(1)).first() is not None:
            raise SystemExit("the store is not empty: generate into a fresh database")
    gen = Generator(seed)
    docs_t, ev_t, evi_t = DocumentRow.__table__, EventRow.__table__, EvidenceRow.__table__
    n_docs = -(-n_events // EVENTS_PER_DOC)
    per_batch = BATCH_EVENTS // EVENTS_PER_DOC
    t0 = time.perf_counter()
    made = 0
    for first in range(1, n_docs + 1, per_batch):
        docs, events, spans = [], [], []
        for doc_no in range(first, min(first + per_batch, n_docs + 1)):
            d, ev, sp = gen.document(doc_no, made + 1, made + 1)
            ev, sp = ev[: n_events - made], sp[: n_events - made]
            made += len(ev)
            docs.append(d)
            events += ev
            spans += sp
        with store.engine.begin() as conn:
            conn.execute(docs_t.insert(), docs)
            conn.execute(ev_t.insert(), events)
            conn.execute(evi_t.insert(), spans)
        if progress:
            rate = made / (time.perf_counter() - t0)
            print(f"\r  {made:,}/{n_events:,} events ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            for t in ("documents", "events", "evidence"):  # explicit ids: move the sequences past them
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
                )
    return time.perf_counter() - t0


def analyze(store: Store) -> None:
    """Planner statistics after a bulk load (PostgreSQL's autovacuum would get there later; SQLite never does)."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE documents, events, evidence"))
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def build(url: str, n_events: int, *, seed: int = 7) -> Store:
    """A store at `url` holding exactly the generated events: reused when it already does, else generated.

    A brand-new database is loaded at revision BULK_REVISION (before the query indexes) and then upgraded, so
    the indexes are built once over the loaded rows, as one would for any bulk load; a store already at the
    newest revision is filled with its indexes in place (slower).
    """
    engine = make_engine(url)
    fresh = current_revision(engine) is None
    if fresh:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, BULK_REVISION)
    store = Store(engine)
    have = None if fresh else generated_events(store)
    if have == n_events:
        upgrade(engine)
        print(f"reusing the generated store at {url} ({n_events:,} events)", file=sys.stderr)
        return store
    if have is not None:
        raise SystemExit(f"{url} holds {have:,} generated events, not {n_events:,}: use a fresh database")
    secs = fill(store, n_events, seed=seed)
    t0 = time.perf_counter()
    upgrade(engine)
    analyze(store)
    print(
        f"generated {n_events:,} events in {secs:.0f} s; migrations/indexes {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    return store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument(
        "--db", required=True, help="SQLAlchemy URL of a fresh database (or one made by this script)"
    )
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    build(args.db, args.events, seed=args.seed).close()


if __name__ == "__main__":
    main()
