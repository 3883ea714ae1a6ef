"""Scoring extracted records against gold: field comparisons, accuracy, weighted F1, confusions.

Pure functions over plain values so they are testable with hand-computed answers. A dataset scorer
takes gold rows (datasets.GoldRow) and, per row id, the records predicted for that row's text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from frontlines.acled import EVENT_TYPES, SUB_EVENT_TYPES
from frontlines.eval.datasets import GoldRow
from frontlines.records import Event

NONE_LABEL = "(none)"  # what a missing prediction is called in confusions
NO_ACLED_EVENT = "(no ACLED event)"  # CASE: a non-ACLED class, or no event predicted
COORD_TOLERANCE_KM = 25.0


# ---------------------------------------------------------------- tallies and label metrics


@dataclass(slots=True)
class Tally:
    """How many scored items and how many were right."""

    n: int = 0
    correct: int = 0

    def add(self, ok: bool | None) -> None:
        if ok is None:  # the gold has no value for this field: not scored
            return
        self.n += 1
        self.correct += bool(ok)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None


def accuracy(gold: Sequence[Any], pred: Sequence[Any]) -> float:
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0


def per_class_prf(
    gold: Sequence[str | None], pred: Sequence[str | None], labels: Iterable[str]
) -> dict[str, tuple[float, float, float, int]]:
    """Precision, recall, F1 and gold support per label (sklearn's zero-division = 0 convention)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out = {}
    for lab in labels:
        t, f_p, f_n = tp[lab], fp[lab], fn[lab]
        prec = t / (t + f_p) if t + f_p else 0.0
        rec = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = (prec, rec, f1, t + f_n)
    return out


def weighted_f1(
    gold: Sequence[str | None], pred: Sequence[str | None], labels: Iterable[str] | None = None
) -> float:
    """F1 averaged over `labels` weighted by gold support (as sklearn's average="weighted", labels=...).

    Items whose gold is outside `labels` still count: predicting a label for them is a false positive.
    Without `labels`, every gold label (None excluded) is a class.
    """
    labs = list(labels) if labels is not None else sorted({g for g in gold if g is not None})
    prf = per_class_prf(gold, pred, labs)
    total = sum(s for *_, s in prf.values())
    if not total:
        return 0.0
    return sum(f1 * s for _, _, f1, s in prf.values()) / total


def top_confusions(
    gold: Sequence[str | None], pred: Sequence[str | None], k: int = 3
) -> list[tuple[str, str, int]]:
    """The k most common (gold, predicted, count) errors; a missing value reads NONE_LABEL."""
    c = Counter((g or NONE_LABEL, p or NONE_LABEL) for g, p in zip(gold, pred, strict=True) if g != p)
    return [(g, p, n) for (g, p), n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


# ---------------------------------------------------------------- value comparisons

_PUNCT = re.compile(r"[^\w\s]")
_WS = re.compile(r"\s+")
_ADMIN_WORDS = re.compile(r"\b(province|district|city|governorate|region|state|municipality|county)\b")


def norm_text(s: str | None) -> str:
    """Case-, diacritic-, punctuation- and spacing-insensitive form; None and '' read the same."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return _WS.sub(" ", _PUNCT.sub(" ", s)).strip()


def norm_place(s: str | None) -> str:
    """norm_text without the admin words a name may carry ("Helmand province")."""
    return _WS.sub(" ", _ADMIN_WORDS.sub(" ", norm_text(s))).strip()


def translit_key(s: str | None) -> str:
    """A consonant skeleton, so transliteration variants meet: Helmand/Hilmand, Paktya/Paktia, Khost/Khowst.

    Semivowels go too (w, y); doubled letters collapse ("Farrah"/"Farah").
    """
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouyw\s]", "", norm_place(s)))


@lru_cache(maxsize=1)
def _gazetteer_lookup() -> Callable[[str], Any] | None:
    try:
        from frontlines.geo.gazetteer import get_gazetteer
    except ImportError:
        return None
    gaz = get_gazetteer()
    return getattr(gaz, "lookup", None)


@lru_cache(maxsize=4096)
def _canonical_admin1(name: str) -> frozenset[str]:
    """The gazetteer's names for what `name` may denote (admin1 names of its entries)."""
    lookup = _gazetteer_lookup()
    if lookup is None or not name:
        return frozenset()
    try:
        found = lookup(name, kinds={"admin1"}, limit=3)
    except TypeError:  # a lookup without keyword filters
        found = lookup(name)
    if not found:
        return frozenset()
    entries = found if isinstance(found, list | tuple) else [found]
    out = set()
    for p in entries:
        v = getattr(p, "name", None) if getattr(p, "kind", None) == "admin1" else getattr(p, "admin1", None)
        if v:
            out.add(norm_place(v))
    return frozenset(out)


def same_place(gold: str | None, pred: str | None, *, translit: bool = False) -> bool:
    """Names equal after normalisation; with `translit`, also equal skeletons or a shared gazetteer admin1."""
    g, p = norm_place(gold), norm_place(pred)
    if g == p:
        return True
    if not translit or not g or not p:
        return False
    if translit_key(g) == translit_key(p):
        return True
    return bool(_canonical_admin1(g) & _canonical_admin1(p))


def _same_admin1_unit(a: str, b: str, iso3: str | None) -> bool:
    from frontlines.geo.gazetteer import get_gazetteer

    return get_gazetteer().same_admin1(a, b, iso3)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _int_or_none(v: Any) -> int | None:
    if v is None or v == "":
        return None
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def compare_field(name: str, gold: Mapping[str, Any], ev: Event | None) -> bool | None:
    """Is `ev` right about field `name` of `gold`? None: the gold does not code it (not scored).

    A missing prediction is wrong for every scored field.
    """
    if name == "coords_25km":
        glat, glon = gold.get("latitude"), gold.get("longitude")
        if glat is None or glon is None:
            return None
        if ev is None or ev.latitude is None or ev.longitude is None:
            return False
        return haversine_km(glat, glon, ev.latitude, ev.longitude) <= COORD_TOLERANCE_KM
    if name == "admin1_unit":
        # The same first-level unit under another spelling ("Luhansk" / "Luhanska oblast"): the contract
        # gives admin names as in the gazetteer, so this is the fair test of where; `admin1` is the name.
        g = gold.get("admin1")
        if not g:
            return None
        if ev is None or not ev.admin1:
            return False
        return same_place(g, ev.admin1) or _same_admin1_unit(g, ev.admin1, ev.iso3)
    if name == "actor1_or_2":
        g = norm_text(gold.get("actor1"))
        if not g:
            return None
        return ev is not None and g in (norm_text(ev.actor1), norm_text(ev.actor2))
    if name not in gold:
        return None
    gv = gold[name]
    if name in ("time_precision", "geo_precision", "fatalities"):
        gi = _int_or_none(gv)
        if gi is None:
            return None
        return ev is not None and _int_or_none(getattr(ev, name)) == gi
    if ev is None:
        return False
    pv = getattr(ev, name)
    if name in ("admin1", "admin2", "admin3", "location"):
        return same_place(gv, pv, translit=bool(gold.get("_translit")))
    if name in ("actor1", "actor2"):
        return norm_text(gv) == norm_text(pv)
    return (gv or None) == (pv or None)


def best_match(gold: Mapping[str, Any], events: Sequence[Event], fields: Sequence[str]) -> Event | None:
    """The prediction agreeing with the gold on most fields (earliest wins ties)."""
    best, best_score = None, -1
    for ev in events:
        s = sum(compare_field(f, gold, ev) is True for f in fields)
        if s > best_score:
            best, best_score = ev, s
    return best


def top_event(events: Sequence[Event]) -> Event | None:
    """The extractor's most confident event (earliest wins ties)."""
    best = None
    for ev in events:
        if best is None or ev.confidence > best.confidence:
            best = ev
    return best


# ---------------------------------------------------------------- results


@dataclass
class DatasetResult:
    name: str
    path: str
    n: int
    fields: dict[str, Tally] = field(default_factory=dict)
    f1: dict[str, float] = field(default_factory=dict)
    confusions: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "path": self.path,
            "n": self.n,
            "fields": {
                k: {"n": t.n, "correct": t.correct, "accuracy": t.accuracy} for k, t in self.fields.items()
            },
            "weighted_f1": dict(self.f1),
            "confusions": {
                k: [{"gold": g, "predicted": p, "count": c} for g, p, c in v]
                for k, v in self.confusions.items()
            },
            "notes": list(self.notes),
        }


Predictions = Mapping[str, Sequence[Any]]  # row id -> records (Events and Claims)


def _events(records: Iterable[Any] | None) -> list[Event]:
    return [r for r in records or () if isinstance(r, Event)]


def _score_rows(
    result: DatasetResult,
    rows: Sequence[GoldRow],
    chosen: Sequence[Event | None],
    fields: Sequence[str],
    label_fields: Mapping[str, list[str]],
) -> None:
    for f in fields:
        result.fields[f] = Tally()
    pairs: dict[str, tuple[list[str | None], list[str | None]]] = {f: ([], []) for f in label_fields}
    for row, ev in zip(rows, chosen, strict=True):
        for f in fields:
            result.fields[f].add(compare_field(f, row.gold, ev))
        for f in label_fields:
            g = row.gold.get(f)
            if g is None:
                continue
            pairs[f][0].append(g)
            pairs[f][1].append(getattr(ev, f) if ev is not None else None)
    for f, labels in label_fields.items():
        g, p = pairs[f]
        result.f1[f] = weighted_f1(g, p, labels)
        result.confusions[f] = top_confusions(g, p)


ACLED_FIELDS = [
    "event_type",
    "sub_event_type",
    "event_date",
    "time_precision",
    "actor1",
    "actor1_or_2",
    "inter1",
    "admin1",
    "admin1_unit",
    "admin2",
    "location",
    "coords_25km",
    "geo_precision",
    "fatalities",
]


def score_acled(
    rows: Sequence[GoldRow], preds: Predictions, *, name: str = "acled", path: str = ""
) -> DatasetResult:
    """ACLED-format gold: per row, the best-matching predicted event; no prediction is wrong everywhere."""
    res = DatasetResult(name, path, len(rows))
    chosen = [best_match(r.gold, _events(preds.get(r.id)), ACLED_FIELDS) for r in rows]
    _score_rows(
        res,
        rows,
        chosen,
        ACLED_FIELDS,
        {"event_type": EVENT_TYPES, "sub_event_type": SUB_EVENT_TYPES},
    )
    res.fields["has_event"] = Tally(len(rows), sum(e is not None for e in chosen))
    return res


def _case_block(
    res: DatasetResult, rows: Sequence[GoldRow], predicted: Sequence[str | None], suffix: str
) -> None:
    gold = [r.gold["sub_event_type"] for r in rows]
    acled_t = Tally()
    all_t = Tally()
    for g, p in zip(gold, predicted, strict=True):
        all_t.add(g == p)  # None == None: a non-ACLED snippet with no event is right
        if g is not None:
            acled_t.add(g == p)
    res.fields[f"sub_event_type{suffix} (25 ACLED)"] = acled_t
    res.fields[f"sub_event_type{suffix} (30, none=non-ACLED)"] = all_t
    res.f1[f"sub_event_type{suffix} (25 ACLED)"] = weighted_f1(gold, predicted, SUB_EVENT_TYPES)
    # Here a missing label on either side means "no ACLED event" (a non-ACLED class, or no prediction).
    named_g = [g or NO_ACLED_EVENT for g in gold]
    named_p = [p or NO_ACLED_EVENT for p in predicted]
    res.confusions[f"sub_event_type{suffix}"] = top_confusions(named_g, named_p)


def score_case(
    rows: Sequence[GoldRow],
    preds: Predictions,
    classified: Mapping[str, str | None] | None = None,
    *,
    name: str = "case",
    path: str = "",
) -> DatasetResult:
    """CASE 2021 snippets: the top event's sub-event type (and classify_text's label, when given)."""
    res = DatasetResult(name, path, len(rows))
    tops = [top_event(_events(preds.get(r.id))) for r in rows]
    _case_block(res, rows, [e.sub_event_type if e else None for e in tops], "")
    if classified is not None:
        _case_block(res, rows, [classified.get(r.id) for r in rows], " via classify_text")
    res.notes.append(
        "weighted F1 over the 25 ACLED classes; a non-ACLED snippet given a class is a false positive"
    )
    return res


def _score_top_event(
    rows: Sequence[GoldRow], preds: Predictions, name: str, path: str, note: str
) -> DatasetResult:
    """One report, one coded event: the top event by confidence against date, province, killed, type."""
    res = DatasetResult(name, path, len(rows))
    chosen = [top_event(_events(preds.get(r.id))) for r in rows]
    _score_rows(
        res, rows, chosen, ["event_date", "admin1", "fatalities", "event_type"], {"event_type": EVENT_TYPES}
    )
    res.fields["has_event"] = Tally(len(rows), sum(e is not None for e in chosen))
    res.notes.append(note)
    return res


def score_isaf(
    rows: Sequence[GoldRow], preds: Predictions, *, name: str = "isaf", path: str = ""
) -> DatasetResult:
    """ISAF releases (each reports one operation)."""
    return _score_top_event(
        rows,
        preds,
        name,
        path,
        "top event by confidence; admin1 vs gold province allowing transliteration variants",
    )


def score_gtd(
    rows: Sequence[GoldRow], preds: Predictions, *, name: str = "gtd", path: str = ""
) -> DatasetResult:
    """GTD summaries (one incident each)."""
    return _score_top_event(
        rows,
        preds,
        name,
        path,
        "top event by confidence; event_type from GTD attack type + target (eval/mappings.py)",
    )


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_location(
    rows: Sequence[GoldRow],
    chosen_spans: Mapping[str, tuple[int, int] | None],
    *,
    name: str = "location",
    path: str = "",
) -> DatasetResult:
    """Event-location pairs: the place span attached to the verb must overlap a gold LOCATION span;
    when the gold has none, attaching nothing is right."""
    res = DatasetResult(name, path, len(rows))
    overall, with_loc, without = Tally(), Tally(), Tally()
    for r in rows:
        locs = r.gold["locations"]
        span = chosen_spans.get(r.id)
        if locs:
            ok = span is not None and any(spans_overlap(span, loc) for loc in locs)
            with_loc.add(ok)
        else:
            ok = span is None
            without.add(ok)
        overall.add(ok)
    res.fields["event_place"] = overall
    res.fields["event_place (gold has a location)"] = with_loc
    res.fields["no place (gold has none)"] = without
    return res
