"""Tests for `frontlines eval`: scoring arithmetic, the gold loaders, and the command end to end.

The gold fixtures under tests/fixtures/eval/ are invented rows in the real sets' formats. The command
tests swap in `FakeExtractor`, a test double that returns records prepared per document id, so the
scoring is checked independently of the real extractor.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from frontlines.cli import app
from frontlines.eval import command, scoring
from frontlines.eval.datasets import (
    DATASETS,
    GoldRow,
    count_location_examples,
    eval_data_root,
    gtd_event_type,
    load_acled,
    load_case,
    load_gtd,
    load_isaf,
    load_location,
    parse_isaf_dateline,
    sniff_kind,
)
from frontlines.records import Claim, Document, Event

FIX = Path(__file__).parent / "fixtures" / "eval"


@pytest.fixture(autouse=True)
def _no_gazetteer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Place comparison without the gazetteer: these tests check the name rules only (and stay fast)."""
    monkeypatch.setattr(scoring, "_gazetteer_lookup", lambda: None)
    scoring._canonical_admin1.cache_clear()
    yield
    scoring._canonical_admin1.cache_clear()


class FakeExtractor:
    """Test double for frontlines.extract.pipeline.Extractor: returns the records given per doc id."""

    nlp = None

    def __init__(self, answers: dict[str, list[Event | Claim]]) -> None:
        self.answers = answers
        self.seen: list[Document] = []

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[tuple[Document, list]]:
        for d in docs:
            self.seen.append(d)
            yield d, list(self.answers.get(d.id, []))


# ---------------------------------------------------------------- label metrics (hand-computed)


def test_weighted_f1_hand_computed() -> None:
    # A: tp1 fn1 -> P1 R.5 F 2/3 (support 2); B: tp1 fp1 -> P.5 R1 F 2/3 (support 1); C: F 0 (support 1)
    gold = ["A", "A", "B", "C"]
    pred = ["A", "B", "B", None]
    prf = scoring.per_class_prf(gold, pred, ["A", "B", "C"])
    assert prf["A"] == pytest.approx((1.0, 0.5, 2 / 3, 2))
    assert prf["B"] == pytest.approx((0.5, 1.0, 2 / 3, 1))
    assert prf["C"] == (0.0, 0.0, 0.0, 1)
    # (2 * 2/3 + 1 * 2/3 + 1 * 0) / 4
    assert scoring.weighted_f1(gold, pred, ["A", "B", "C"]) == pytest.approx(0.5)


def test_weighted_f1_counts_false_positives_on_gold_outside_labels() -> None:
    # The X row is not a class, but predicting A for it makes A's precision 1/2: F1(A) = 2/3.
    assert scoring.weighted_f1(["A", "X"], ["A", "A"], ["A"]) == pytest.approx(2 / 3)
    # A predicted class with no gold support weighs nothing but takes nothing from the others.
    assert scoring.weighted_f1(["A", "B"], ["A", "Z"], ["A", "B", "Z"]) == pytest.approx(0.5)


def test_weighted_f1_extremes() -> None:
    assert scoring.weighted_f1(["A", "B", "B"], ["A", "B", "B"]) == 1.0
    assert scoring.weighted_f1(["A", "B"], ["B", "A"]) == 0.0
    assert scoring.weighted_f1([], []) == 0.0


def test_top_confusions_ordered_by_count_then_name() -> None:
    gold = ["A", "A", "A", "B", "B", "C", "C"]
    pred = ["B", "B", "A", "A", None, None, "C"]
    assert scoring.top_confusions(gold, pred, k=3) == [
        ("A", "B", 2),
        ("B", scoring.NONE_LABEL, 1),
        ("B", "A", 1),
    ]


def test_accuracy_and_tally() -> None:
    assert scoring.accuracy(["a", "b", "c", "d"], ["a", "x", "c", None]) == 0.5
    t = scoring.Tally()
    for ok in (True, False, None, True):
        t.add(ok)
    assert (t.n, t.correct, t.accuracy) == (3, 2, pytest.approx(2 / 3))
    assert scoring.Tally().accuracy is None


# ---------------------------------------------------------------- field comparisons


def test_haversine_one_degree_of_latitude() -> None:
    assert scoring.haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.19, abs=0.05)


def test_coordinates_within_25_km() -> None:
    gold = {"latitude": 10.0, "longitude": 20.0}
    near = Event(doc_id="d", latitude=10.2, longitude=20.0)  # about 22 km
    far = Event(doc_id="d", latitude=10.3, longitude=20.0)  # about 33 km
    assert scoring.compare_field("coords_25km", gold, near) is True
    assert scoring.compare_field("coords_25km", gold, far) is False
    assert scoring.compare_field("coords_25km", gold, Event(doc_id="d")) is False
    assert scoring.compare_field("coords_25km", {"latitude": None, "longitude": None}, near) is None


def test_place_names_normalised() -> None:
    assert scoring.norm_text("  Kandahār ") == "kandahar"
    assert scoring.same_place("Helmand Province", "helmand")
    assert scoring.same_place("Sao Paulo", "São Paulo")
    assert not scoring.same_place("Hilmand", "Helmand")  # transliteration only when asked
    assert scoring.same_place("Hilmand", "Helmand", translit=True)
    assert scoring.same_place("paktya", "Paktia", translit=True)
    assert not scoring.same_place("Kunar", "Kunduz", translit=True)
    assert not scoring.same_place("Paktia", "Paktika", translit=True)


def test_compare_field_missing_prediction_and_unscored_gold() -> None:
    gold = {"event_type": "Battles", "fatalities": 2, "admin2": None, "actor1": "Rebels of X"}
    assert scoring.compare_field("event_type", gold, None) is False
    assert scoring.compare_field("fatalities", gold, None) is False
    assert scoring.compare_field("admin2", gold, Event(doc_id="d")) is True  # both empty
    assert scoring.compare_field("location", gold, Event(doc_id="d")) is None  # gold lacks the field
    ev = Event(doc_id="d", actor1="Military Forces of X", actor2="rebels of x")
    assert scoring.compare_field("actor1", gold, ev) is False
    assert scoring.compare_field("actor1_or_2", gold, ev) is True


def test_best_match_and_top_event() -> None:
    gold = {"event_type": "Battles", "sub_event_type": "Armed clash", "location": "Stonebridge"}
    a = Event(doc_id="d", event_type="Protests", location="Stonebridge", confidence=0.9)
    b = Event(
        doc_id="d", event_type="Battles", sub_event_type="Armed clash", location="Elsewhere", confidence=0.4
    )
    assert scoring.best_match(gold, [a, b], ["event_type", "sub_event_type", "location"]) is b
    assert scoring.best_match(gold, [], ["event_type"]) is None
    assert scoring.top_event([b, a]) is a
    assert scoring.top_event([]) is None


# ---------------------------------------------------------------- loaders on the fixtures


def test_load_acled_fixture() -> None:
    rows = load_acled(FIX / "acled.csv")
    assert [r.id for r in rows] == ["TST1", "TST2", "TST3", "TST4"]
    r1, r2, _, r4 = rows
    assert r1.gold["event_date"] == "2020-05-03"
    assert r1.gold["inter1"] == "State forces"  # ACLED's numeric code 1
    assert r1.gold["latitude"] == 10.0 and r1.gold["fatalities"] == 2
    assert r1.published == date(2020, 5, 7) and r1.extra["published_from"] == "timestamp"
    assert r2.published == date(2020, 5, 11) and r2.extra["published_from"] == "event_date+7"
    assert r2.gold["actor2"] is None and r2.gold["inter1"] == "Protesters"
    assert r4.gold["time_precision"] == 2 and r4.gold["event_date"] == "2020-04-29"
    assert len(load_acled(FIX / "acled.csv", limit=2)) == 2


def test_load_case_fixture() -> None:
    rows = load_case(FIX / "case.csv")
    assert [r.gold["sub_event_type"] for r in rows] == [
        "Armed clash",
        "Peaceful protest",
        None,
        "Arrests",
        None,
    ]
    assert rows[2].gold["label"] == "DIPLO"
    assert all(r.published is None for r in rows)


def test_isaf_dateline_forms() -> None:
    assert parse_isaf_dateline("X\nKABUL, Afghanistan (Sept. 3, 2010)\nText") == date(2010, 9, 3)
    assert parse_isaf_dateline("2011-02-S-1\nKABUL, Afghanistan (Feb. 21)\nText") == date(2011, 2, 21)
    assert parse_isaf_dateline("Nothing like a dateline here.") is None


def test_load_isaf_fixture() -> None:
    rows = load_isaf(FIX / "isaf.jsonl")
    assert [r.published for r in rows] == [date(2011, 11, 20), date(2012, 1, 28), date(2010, 5, 11)]
    assert rows[0].gold["event_date"] == "2011-11-19"
    assert rows[0].gold["admin1"] == "helmand"
    assert rows[1].gold["fatalities"] == 1
    assert rows[0].gold["event_type"] == "Strategic developments"
    assert rows[2].gold["event_type"] == "Explosions/Remote violence"  # first of "airstrike;detention"


def test_load_gtd_fixture() -> None:
    rows = load_gtd(FIX / "gtd.csv")
    r1, r2, r3 = rows
    assert r1.gold["event_date"] == "2021-03-14" and r1.gold["admin1"] == "Kunar"
    assert r1.published == date(2021, 3, 15)  # the latest of the citation dates
    assert r1.gold["event_type"] == "Battles"  # armed assault on police
    assert r2.gold["event_type"] == "Explosions/Remote violence" and r2.gold["fatalities"] == 0
    # Unknown day, unknown deaths, unknown attack type: not coded, so not scored.
    assert {"event_date", "fatalities", "event_type"}.isdisjoint(r3.gold)
    assert r3.published is None


def test_gtd_event_type_mapping() -> None:
    assert gtd_event_type("Armed Assault", "Private Citizens & Property") == "Violence against civilians"
    assert gtd_event_type("Assassination", "Military") == "Battles"
    assert gtd_event_type("Hostage Taking (Kidnapping)", "Police") == "Violence against civilians"
    assert gtd_event_type("Unknown", "Police") is None
    assert gtd_event_type("Something new", "Police") is None


def test_load_location_jsonl_and_zipped_list(tmp_path: Path) -> None:
    rows = load_location(FIX / "location.jsonl")
    assert len(rows) == 3  # the rejected example is left out; the unreviewed one kept
    first = rows[0]
    assert first.text[slice(*first.gold["verb"])] == "shelled"
    assert [first.text[a:b] for a, b in first.gold["locations"]] == ["Dorvik"]
    assert rows[1].gold["locations"] == []
    # The published file is one JSON list inside a zip.
    examples = [json.loads(ln) for ln in (FIX / "location.jsonl").read_text().splitlines()]
    zpath = tmp_path / "labeled_text.jsonl.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("labeled_text.jsonl", json.dumps(examples))
    assert [r.gold for r in load_location(zpath)] == [r.gold for r in rows]
    assert count_location_examples(zpath) == 4
    assert len(load_location(zpath, limit=1)) == 1


def test_sniff_kind_for_each_format(tmp_path: Path) -> None:
    assert sniff_kind(FIX / "acled.csv") == "acled"
    assert sniff_kind(FIX / "case.csv") == "case"
    assert sniff_kind(FIX / "isaf.jsonl") == "isaf"
    assert sniff_kind(FIX / "gtd.csv") == "gtd"
    assert sniff_kind(FIX / "location.jsonl") == "location"
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    assert sniff_kind(other) is None


# ---------------------------------------------------------------- dataset scorers


def _acled_answers() -> dict[str, list[Event | Claim]]:
    """Predictions for the ACLED fixture; the expected scores below are worked out from these by hand."""
    right = Event(
        doc_id="TST1",
        event_date="2020-05-03",
        time_precision=1,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Military Forces of Testland (2019-)",
        inter1="State forces",
        actor2="Northern Rebels",
        admin1="Northern Province",
        admin2="Ridge",
        location="Stonebridge",
        latitude=10.01,
        longitude=20.0,
        geo_precision=1,
        fatalities=3,  # gold 2
        confidence=0.4,
    )
    decoy = Event(doc_id="TST1", event_type="Protests", sub_event_type="Peaceful protest", confidence=0.9)
    tst2 = Event(
        doc_id="TST2",
        event_date="2020-05-04",
        time_precision=1,
        event_type="Protests",
        sub_event_type="Protest with intervention",  # gold: Peaceful protest
        actor1="Protesters (Testland)",
        inter1="Protesters",
        admin1="coastal",
        admin2="Bayside",
        location="port amara",
        latitude=-5.5,
        longitude=30.26,
        geo_precision=1,
        fatalities=0,
    )
    tst4 = Event(
        doc_id="TST4",
        event_date="2020-04-30",  # gold 2020-04-29
        time_precision=2,
        event_type="Strategic developments",
        sub_event_type="Arrests",
        actor1="Police Forces of Testland (2019-)",
        inter1="State forces",
        admin1="Coastal",
        admin2="Bayside",
        location="Port Amara",
        latitude=-5.5,
        longitude=30.25,
        geo_precision=1,
        fatalities=0,
    )
    claim = Claim(doc_id="TST3", metric="fatalities", value=1)  # a claim is not an event: TST3 has none
    return {"TST1": [decoy, right], "TST2": [tst2], "TST3": [claim], "TST4": [tst4]}


def test_score_acled_hand_computed() -> None:
    rows = load_acled(FIX / "acled.csv")
    res = scoring.score_acled(rows, _acled_answers())
    acc = {k: (t.correct, t.n) for k, t in res.fields.items()}
    assert acc["sub_event_type"] == (2, 4)  # TST1, TST4
    assert acc["event_type"] == (3, 4)  # all but TST3 (no event)
    assert acc["event_date"] == (2, 4)  # TST1, TST2
    assert acc["fatalities"] == (2, 4)  # TST2, TST4
    assert acc["location"] == (3, 4)
    assert acc["coords_25km"] == (3, 4)
    assert acc["actor1_or_2"] == (3, 4)
    assert acc["has_event"] == (3, 4)
    # Sub-event F1: Armed clash 1, Arrests 1, Peaceful protest 0, IED 0, each support 1 -> 0.5.
    assert res.f1["sub_event_type"] == pytest.approx(0.5)
    # Event type F1: Battles, Protests, Strategic developments 1; Explosions 0 -> 0.75.
    assert res.f1["event_type"] == pytest.approx(0.75)
    assert ("Peaceful protest", "Protest with intervention", 1) in res.confusions["sub_event_type"]
    assert ("Remote explosive/landmine/IED", scoring.NONE_LABEL, 1) in res.confusions["sub_event_type"]


def test_score_case_both_paths() -> None:
    rows = load_case(FIX / "case.csv")
    preds = {
        "11": [Event(doc_id="11", sub_event_type="Armed clash")],
        "12": [Event(doc_id="12", sub_event_type="Violent demonstration")],
        "13": [],
        "14": [Event(doc_id="14", sub_event_type="Arrests")],
        "15": [Event(doc_id="15", sub_event_type="Attack")],
    }
    classified = {"11": "Armed clash", "12": "Peaceful protest", "13": None, "14": "Arrests", "15": None}
    res = scoring.score_case(rows, preds, classified)
    f = {k: (t.correct, t.n) for k, t in res.fields.items()}
    assert f["sub_event_type (25 ACLED)"] == (2, 3)
    assert f["sub_event_type (30, none=non-ACLED)"] == (3, 5)  # 13: no event for a DIPLO snippet
    # Armed clash 1, Arrests 1, Peaceful protest 0 (support 1 each); the Attack FP has no support -> 2/3.
    assert res.f1["sub_event_type (25 ACLED)"] == pytest.approx(2 / 3)
    assert f["sub_event_type via classify_text (30, none=non-ACLED)"] == (5, 5)
    assert res.f1["sub_event_type via classify_text (25 ACLED)"] == pytest.approx(1.0)
    assert res.confusions["sub_event_type via classify_text"] == []
    assert res.confusions["sub_event_type"] == [
        (scoring.NO_ACLED_EVENT, "Attack", 1),  # ties ordered by name
        ("Peaceful protest", "Violent demonstration", 1),
    ]


def test_score_isaf_uses_top_event_and_transliteration() -> None:
    rows = load_isaf(FIX / "isaf.jsonl")
    ids = [r.id for r in rows]
    preds = {
        ids[0]: [
            Event(doc_id=ids[0], event_date="2011-11-19", admin1="Helmand", confidence=0.8, fatalities=0),
            Event(doc_id=ids[0], event_date="2011-11-20", admin1="Kabul", confidence=0.3),
        ],
        ids[1]: [Event(doc_id=ids[1], event_date="2012-01-28", admin1="Khowst", fatalities=2)],
    }
    res = scoring.score_isaf(rows, preds)
    f = {k: (t.correct, t.n) for k, t in res.fields.items()}
    assert f["event_date"] == (2, 3)
    assert f["admin1"] == (2, 3)  # "helmand" = "Helmand"; "khost" ~ "Khowst"
    assert f["fatalities"] == (1, 3)
    assert f["has_event"] == (2, 3)


def test_score_location() -> None:
    rows = [
        GoldRow("a", "x" * 40, None, {"verb": (0, 4), "locations": [(10, 16)]}),
        GoldRow("b", "x" * 40, None, {"verb": (0, 4), "locations": [(10, 16), (20, 25)]}),
        GoldRow("c", "x" * 40, None, {"verb": (0, 4), "locations": []}),
        GoldRow("d", "x" * 40, None, {"verb": (0, 4), "locations": []}),
    ]
    res = scoring.score_location(rows, {"a": (12, 14), "b": (30, 35), "c": None, "d": (5, 8)})
    f = {k: (t.correct, t.n) for k, t in res.fields.items()}
    assert f["event_place"] == (2, 4)
    assert f["event_place (gold has a location)"] == (1, 2)
    assert f["no place (gold has none)"] == (1, 2)


# ---------------------------------------------------------------- the command


@pytest.fixture
def eval_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An eval-data folder laid out like ../shared/eval-data, holding the fixtures (no location set)."""
    root = tmp_path / "eval-data"
    for kind, fixture in (
        ("acled", "acled.csv"),
        ("case", "case.csv"),
        ("isaf", "isaf.jsonl"),
        ("gtd", "gtd.csv"),
    ):
        dest = root / DATASETS[kind].rel_path
        dest.parent.mkdir(parents=True)
        shutil.copy(FIX / fixture, dest)
    monkeypatch.setenv("FRONTLINES_EVAL_DATA", str(root))
    return root


def test_cli_dev_extract_json(eval_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeExtractor(_acled_answers())
    monkeypatch.setattr(command, "load_extractor", lambda: fake)
    res = CliRunner().invoke(app, ["eval", "dev", "--extract", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["mode"] == "extract"
    by_name = {r["dataset"]: r for r in data["results"]}
    assert set(by_name) == {"acled", "case", "isaf", "gtd"}  # location absent: skipped
    acled = by_name["acled"]
    assert acled["n"] == 4
    assert acled["fields"]["sub_event_type"]["accuracy"] == pytest.approx(0.5)
    assert acled["weighted_f1"]["sub_event_type"] == pytest.approx(0.5)
    assert by_name["case"]["fields"]["sub_event_type (30, none=non-ACLED)"]["correct"] == 2  # DIPLO, floods
    assert "skipping location" in res.stderr
    # Every row's text went to the extractor with its non-leaking publication date.
    acled_docs = {d.id: d for d in fake.seen if d.id.startswith("TST")}
    assert acled_docs["TST1"].published == date(2020, 5, 7)
    assert len(fake.seen) == 4 + 5 + 3 + 3


def test_cli_table_output_and_limit(eval_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeExtractor(_acled_answers())
    monkeypatch.setattr(command, "load_extractor", lambda: fake)
    res = CliRunner().invoke(app, ["eval", "acled", "--extract", "--limit", "2"])
    assert res.exit_code == 0, res.output
    assert "acled" in res.stdout and "(n=2)" in res.stdout
    assert "sub_event_type" in res.stdout and "top confusions" in res.stdout
    assert [d.id for d in fake.seen] == ["TST1", "TST2"]


def test_cli_case_reports_both_paths_in_the_table(eval_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "load_extractor", lambda: FakeExtractor({}))
    monkeypatch.setattr(command, "_classifier", lambda extractor: lambda text: "Armed clash")
    res = CliRunner().invoke(app, ["eval", "case", "--extract"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "sub_event_type via classify_text (25 ACLED)" in res.stdout
    # Only snippet 11 is an armed clash: 1 of 3 ACLED snippets, 1 of 5 overall.
    line = next(ln for ln in res.stdout.splitlines() if "via classify_text (30" in ln)
    assert "20.0%" in line


def test_cli_gold_path_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "load_extractor", lambda: FakeExtractor({}))
    res = CliRunner().invoke(app, ["eval", str(FIX / "gtd.csv"), "--extract", "--json"])
    assert res.exit_code == 0, res.output
    (r,) = json.loads(res.stdout)["results"]
    assert r["n"] == 3 and r["fields"]["has_event"]["correct"] == 0
    assert r["fields"]["event_type"]["n"] == 2  # the row with attack type "Unknown" is not scored


def test_cli_missing_gold_exits_2(eval_root: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["eval", "location", "--extract"]).exit_code == 2
    assert runner.invoke(app, ["eval", "/nonexistent/gold.csv", "--extract"]).exit_code == 2
    assert runner.invoke(app, ["eval"]).exit_code == 2
    assert runner.invoke(app, ["eval", "acled", "--extract", "--db", "sqlite://"]).exit_code == 2


def test_cli_db_mode_matches_by_doc_id_then_date_and_place(eval_root: Path, tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = sa.create_engine(url)
    md = sa.MetaData()
    events = sa.Table(
        "events",
        md,
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("doc_id", sa.String),
        sa.Column("event_date", sa.String),
        sa.Column("event_type", sa.String),
        sa.Column("sub_event_type", sa.String),
        sa.Column("location", sa.String),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("fatalities", sa.Integer),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            events.insert(),
            [
                # Stored from a document whose id is the gold row's.
                dict(event_id="e1", doc_id="TST1", event_date="2020-05-03", event_type="Battles",
                     sub_event_type="Armed clash", location="Stonebridge", latitude=10.0, longitude=20.0,
                     fatalities=2),
                # From some other article, a day off, 1 km away: stands for TST2.
                dict(event_id="e2", doc_id="article-9", event_date="2020-05-05", event_type="Protests",
                     sub_event_type="Peaceful protest", location="Port Amara", latitude=-5.5, longitude=30.26,
                     fatalities=0),
                # Right date, wrong place: matches nothing.
                dict(event_id="e3", doc_id="article-9", event_date="2020-05-05", event_type="Battles",
                     sub_event_type="Armed clash", location="Faraway", latitude=40.0, longitude=-3.0,
                     fatalities=0),
            ],
        )  # fmt: skip
    engine.dispose()
    res = CliRunner().invoke(app, ["eval", "acled", "--db", url, "--json"])
    assert res.exit_code == 0, res.output
    (r,) = json.loads(res.stdout)["results"]
    assert r["fields"]["has_event"]["correct"] == 2
    assert r["fields"]["sub_event_type"]["correct"] == 2
    assert r["fields"]["event_date"]["correct"] == 1
    assert any("1 of 4 gold rows matched stored documents by id" in n for n in r["notes"])


def test_cli_db_mode_reads_the_real_store(eval_root: Path, tmp_path: Path) -> None:
    store_db = pytest.importorskip("frontlines.store.db")
    url = f"sqlite:///{tmp_path / 'real.db'}"
    store = store_db.open_store(url)
    row_id, _ = store.add_document(Document(id="TST3", text="A bomb went off.", published=date(2020, 5, 9)))
    ied = Event(
        doc_id="TST3",
        event_id="ev-1",
        event_date="2020-05-05",
        event_type="Explosions/Remote violence",
        sub_event_type="Remote explosive/landmine/IED",
        location="Millford",
        fatalities=1,
    )
    store.save_extraction(row_id, [ied], "test")
    store.close()
    res = CliRunner().invoke(app, ["eval", "acled", "--db", url, "--json"])
    assert res.exit_code == 0, res.output
    (r,) = json.loads(res.stdout)["results"]
    f = r["fields"]
    assert f["has_event"]["correct"] == 1
    assert f["sub_event_type"]["correct"] == 1 and f["event_date"]["correct"] == 1
    assert f["fatalities"]["correct"] == 1 and f["location"]["correct"] == 1


def test_cli_extractor_unavailable_exits_1(eval_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise NotImplementedError("not yet")

    monkeypatch.setattr(command, "load_extractor", broken)
    res = CliRunner().invoke(app, ["eval", "case", "--extract"])
    assert res.exit_code == 1
    assert "not available" in res.stderr


# ---------------------------------------------------------------- the real dev sets, when present


@pytest.mark.evaldata
def test_real_dev_sets_row_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRONTLINES_EVAL_DATA", raising=False)
    root = eval_data_root()
    if not root.is_dir():
        pytest.skip(f"{root} not present")
    checked = 0
    for kind, spec in DATASETS.items():
        path = root / spec.rel_path
        if not path.is_file():
            continue
        assert sniff_kind(path) == kind
        if kind == "location":
            assert count_location_examples(path) == spec.expected_rows
            rows = spec.loader(path, None)
            assert 0 < len(rows) <= spec.expected_rows
        else:
            rows = spec.loader(path, None)
            assert len(rows) == spec.expected_rows
            assert sum(bool(r.text) for r in rows) >= 0.99 * len(rows)  # one ACLED row has no notes
        checked += 1
    if not checked:
        pytest.skip("no dev sets present")


def test_admin1_unit_accepts_another_spelling_of_the_same_unit() -> None:
    from frontlines.eval.scoring import compare_field
    from frontlines.records import Event

    ev = Event(doc_id="d", admin1="Luhanska oblast", iso3="UKR")
    assert compare_field("admin1", {"admin1": "Luhansk"}, ev) is False
    assert compare_field("admin1_unit", {"admin1": "Luhansk"}, ev) is True
    assert compare_field("admin1_unit", {"admin1": "Donetsk"}, ev) is False
    assert compare_field("admin1_unit", {"admin1": "Luhansk"}, None) is False
    assert compare_field("admin1_unit", {}, ev) is None


def test_gtd_report_date_never_predates_the_summary_date() -> None:
    from frontlines.eval.datasets import _gtd_published

    text = "01/11/2021: Gunmen shot a guard in a district of Kabul City."  # our sentence
    assert _gtd_published(text, date(2021, 1, 7)) == date(2021, 1, 11)  # a background citation only
    assert _gtd_published(text, date(2021, 1, 14)) == date(2021, 1, 14)
    assert _gtd_published("No date here.", date(2021, 1, 7)) == date(2021, 1, 7)
    assert _gtd_published(text, None) == date(2021, 1, 11)
