"""Assemble component mentions into ACLED-style Event and Claim records.

Public surface: `Extractor.extract(doc)`, `Extractor.pipe(docs)`, `get_extractor()`.

One sentence at a time: the trigger component says what happened (and via the parse, who did it to whom);
places, actors, dates, casualties and attribution found in the same sentence fill the event's fields,
each with the span it came from. The rules that decide what is *not* an event live here too:
photo captions, history, the future, negation, and reports that name no place below the country.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span

from frontlines import __version__, acled, config
from frontlines.extract import actors as actors_mod
from frontlines.extract import attribution as attribution_mod
from frontlines.extract import claims as claims_mod
from frontlines.extract import dates as dates_mod
from frontlines.extract import numbers as numbers_mod
from frontlines.extract import places as places_mod
from frontlines.extract import triggers as triggers_mod
from frontlines.extract.mentions import (
    Actor,
    ActorMention,
    Attribution,
    CasualtyMention,
    DateMention,
    DateWindow,
    Place,
    PlaceMention,
    SentenceContext,
    Trigger,
)
from frontlines.geo.gazetteer import get_gazetteer, name_key, split_kind_suffix
from frontlines.nlp import char_span, doc_text, span_text
from frontlines.records import Claim, Document, Event, Evidence, Record, stable_id


def rules_digest(paths: Iterable[Path]) -> str:
    """A short digest of the files that decide what is extracted (code, lexicons, dictionaries)."""
    h = hashlib.sha1()
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def _rule_files() -> list[Path]:
    package = Path(__file__).resolve().parents[1]
    return [
        p
        for folder in ("extract", "nlp", "data")
        for p in (package / folder).iterdir()
        if p.is_file() and p.suffix in (".py", ".yaml", ".csv", ".txt")
    ]


# Stored documents are extracted again when this changes, so it follows the rules themselves: any edit
# to the extractor's code, lexicons or dictionaries gives a new version.
EXTRACTOR_VERSION = f"{__version__}+rules.{rules_digest(_rule_files())}"

# A paragraph that opens like this is a photo caption or credit: it describes a picture, often of
# another day, so nothing in it is coded as a current event.
_CAPTION = re.compile(
    r"^\s*[\(\[]?\s*(photo|photograph|caption|image|picture|file photo|pictured|video)\b[^\n]{0,40}?[:\-—)]",
    re.I,
)
# "KABUL, Afghanistan (July 9, 2021) —", "WASHINGTON —": where the reporter filed, not where anything happened.
_DATELINE = re.compile(
    r"\A\s*[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][\w.'\- ]{1,40})?\s*(?:\([^)\n]{0,40}\))?\s*(?:—|–|--|-|:)\s"
)
_TERRITORY = {"Non-state actor overtakes territory", "Government regains territory"}
# Types where a place named as the object of the trigger is where it happened, not a side.
_TARGET_IS_VICTIM = {"Attack", "Abduction/forced disappearance", "Sexual violence"}
_MIN_TRIGGER_SCORE = 0.3
# A dated event a day or two after the publication date is a metadata or time-zone lag, not a plan.
_PUBLISHED_SLACK_DAYS = 2
# Organised armed sides a one-sided attack cannot target without it being a clash. Militia categories are
# left out: party or clan members named after their group are usually unarmed civilians.
_ARMED_INTERS = {"State forces", "Rebel group", "External/Other forces"}
# Off-duty, retired or former soldiers and police are civilians in ACLED's coding ("former" alone is too
# common: "the former governor said").
_OFF_DUTY = re.compile(r"\b(?:off[- ]duty|retired|ex-(?:soldier|police)|former (?:soldier|police))", re.I)
_VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
_PRONOUNS = {"they", "he", "she", "it", "the group", "the fighters", "the militants", "the insurgents"}


class _SentenceFacts:
    """What one sentence holds. Triggers, places and dates are read for every sentence (places and dates
    carry to later ones); actors, casualties and attribution only when asked for: most sentences make no
    event and state no death, and those components cost a third of the extraction time."""

    def __init__(self, sent: Span, ctx: SentenceContext, caption: bool) -> None:
        self.sent = sent
        self.ctx = ctx
        self.caption = caption
        self.triggers: list[Trigger] = triggers_mod.find_triggers(sent)
        self.places: list[PlaceMention] = places_mod.find_places(sent, ctx)
        self.dates: list[DateMention] = dates_mod.find_dates(sent, ctx.published)
        # Where the next sentence says this one's events happened ("The incident occurred in X.").
        self.located: PlaceMention | None = None

    @cached_property
    def actors(self) -> list[ActorMention]:
        c = self.ctx
        return actors_mod.find_actors(
            self.sent, country=c.country, main_actor=c.main_nonstate_actor, on=c.published
        )

    @cached_property
    def casualties(self) -> list[CasualtyMention]:
        return numbers_mod.find_casualties(self.sent)

    @cached_property
    def attribution(self) -> Attribution | None:
        return attribution_mod.find_attribution(self.sent, main_actor=self.ctx.main_nonstate_actor)


# A dateline after a headline or a press-release preamble: "... KABUL, Afghanistan (Jan. 24, 2011) – ...".
_INNER_DATELINE = re.compile(
    r"(?:^|\s)[A-Z][A-Z.'\-]{2,}(?: [A-Z][A-Z.'\-]+)*,?(?: [A-Z][\w.'\-]+){0,2}\s*"
    r"\((?=[^)\n]*\d)[^)\n]{3,40}\)\s*(?:—|–|--|-|:)?\s"
)


def _dateline_span(text: str) -> tuple[int, int]:
    """Where the dateline is (start, end), or (0, 0): "KABUL, Afghanistan (July 9, 2021) —", also after a
    headline or press-release preamble (then it must carry a date in brackets)."""
    m = _INNER_DATELINE.search(text[:600])
    if m:
        return m.start(), m.end()
    m = _DATELINE.match(text)
    if m:
        return m.start(), m.end()
    return 0, 0


def _caption_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of caption paragraphs."""
    out: list[tuple[int, int]] = []
    pos = 0
    for para in re.split(r"(\n\s*\n)", text):
        if _CAPTION.match(para):
            out.append((pos, pos + len(para)))
        pos += len(para)
    return out


def _paragraph_index(text: str) -> list[int]:
    """Start offsets of paragraphs (blank-line separated), for 'same paragraph' carry-over."""
    starts = [0]
    for m in re.finditer(r"\n\s*\n", text):
        starts.append(m.end())
    return starts


def _para_of(starts: list[int], offset: int) -> int:
    lo = 0
    for i, s in enumerate(starts):
        if s <= offset:
            lo = i
        else:
            break
    return lo


def _inside(start: int, end: int, outer_start: int | None, outer_end: int | None) -> bool:
    return outer_start is not None and outer_end is not None and start >= outer_start and end <= outer_end


def _distance(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0


class Extractor:
    """Turns Documents into records. Loads the spaCy pipeline once."""

    version = EXTRACTOR_VERSION

    def __init__(self, nlp=None) -> None:
        from frontlines.nlp import load_nlp

        self.nlp = nlp or load_nlp()
        actors_mod.get_resolver()  # load the actor dictionary now, not inside the first document

    # -- public -----------------------------------------------------------------------------------
    def extract(self, doc: Document) -> list[Record]:
        return next(self.pipe([doc]))[1]

    def pipe(
        self, docs: Iterable[Document], batch_size: int = 32, n_process: int = 1
    ) -> Iterator[tuple[Document, list[Record]]]:
        pairs = ((d.text, d) for d in docs)
        for parsed, document in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=batch_size, n_process=n_process
        ):
            yield document, self.records_from(parsed, document)

    # -- assembly ---------------------------------------------------------------------------------
    def records_from(self, parsed: Doc, document: Document) -> list[Record]:
        published = document.published
        if (
            published is not None
            and not config.MIN_PUBLISHED_YEAR <= published.year <= config.MAX_PUBLISHED_YEAR
        ):
            # A date at the calendar's ends (year 1, 9999) leaves no room for the windows computed around it;
            # ingest rejects such dates, a direct caller gets the report treated as undated.
            published = None
        country, iso3, admin1 = places_mod.article_place_context(parsed)
        main = actors_mod.main_actor(parsed, country)
        ctx = SentenceContext(
            published=published, country=country, iso3=iso3, admin1=admin1, main_nonstate_actor=main
        )
        captions = _caption_ranges(document.text)
        ctx.extras["dateline"] = _dateline_span(document.text)
        ctx.extras["header_end"] = _header_end(document.text, ctx.extras["dateline"])
        paras = _paragraph_index(document.text)
        tallies: list[_Tally] = []

        events: list[Event] = []
        thin: set[int] = set()  # events kept only to join a protest (see `_events_for`)
        claims: list[Claim] = []
        last_place: tuple[int, PlaceMention] | None = None
        last_date: tuple[int, DateMention] | None = None
        last_actor: tuple[int, Actor] | None = None
        provinces: set[tuple[str | None, str | None]] = set()  # of the places named so far
        days: set[tuple[date, date]] = set()  # the current date windows named so far, header excluded
        for sent in parsed.sents:
            caption = any(s <= sent.start_char < e for s, e in captions)
            if caption:
                continue
            facts = self._facts(sent, ctx, caption)
            para = _para_of(paras, sent.start_char)
            sent_claims = claims_mod.find_claims(
                sent,
                doc=document,
                published=published,
                main_actor_name=main.name if main else None,
                country=country,
            )
            claims.extend(sent_claims)
            claim_spans = [
                (ev.start, ev.end) for c in sent_claims for ev in c.evidence if "value" in ev.fields
            ]

            current_dates = [d for d in facts.dates if d.window is not None and not d.historical]
            if any(d.historical for d in facts.dates) and not current_dates:
                # A sentence about history (or only about other years) holds no current event.
                continue
            sent_events: list[Event] = []
            # A report that has named places in one province only ("an operation in Charhar district,
            # Balkh province" ... "The security force captured ...") keeps that place across paragraphs
            # for undated sentences (a dated one may tell of another time: "a truce begins Thursday").
            place_carry = last_place
            if last_place is not None and last_place[0] != para and len(provinces) == 1 and not facts.dates:
                place_carry = (para, last_place[1])
            # Likewise a report that has named one day only ("... in Ghormach district, yesterday." ... "The
            # force detained two more men."): its later, undated paragraphs tell of that day's operation.
            date_carry = last_date
            if last_date is not None and last_date[0] != para and len(days) == 1 and not facts.dates:
                date_carry = (para, last_date[1])
            # "... set fire to a vehicle. The incident occurred in Thessaloniki.": the next sentence says
            # where the events of this one happened.
            ahead = _located_by_next(sent, ctx) if facts.triggers else None
            if ahead is not None and _para_of(paras, ahead.start) == para:
                facts.located = ahead
            for trig in facts.triggers:
                if trig.negated or trig.score < _MIN_TRIGGER_SCORE:
                    continue
                for event in self._events_for(
                    trig, facts, ctx, document, claim_spans, place_carry, date_carry, para, last_actor, thin
                ):
                    events.append(event)
                    sent_events.append(event)
                    if event.actor1 is not None:
                        last_actor = (para, Actor(name=event.actor1, inter=event.inter1 or ""))
            tallies.append(_Tally(para, facts, claim_spans, sent_events))
            # Carry place and date forward within a paragraph ("The fighters then burned ...").
            # The dateline's city is where the report was filed: it never carries.
            resolved = [
                p
                for p in facts.places
                if p.place is not None
                and p.place.kind != "country"
                and not _inside(p.start, p.end, *ctx.extras["dateline"])
            ]
            if resolved:
                last_place = (para, resolved[0])
                provinces.update((p.place.iso3, p.place.admin1) for p in resolved if p.place is not None)
            # The headline's and dateline's dates are the report's: they do not carry to its events.
            carried = [d for d in current_dates if d.start >= ctx.extras["header_end"]]
            if carried:
                last_date = (para, carried[0])
                days.update((d.window.earliest, d.window.latest) for d in carried if d.window is not None)

        _carry_tallies(tallies, document)
        # Thin events join a protest or vanish: they take no part in merging, so none absorbs a real one.
        solid = _merge_events([e for e in events if id(e) not in thin])
        merged = _violent_demonstrations([*solid, *(e for e in events if id(e) in thin)])
        merged = [e for e in _protest_interventions(merged, thin) if id(e) not in thin]
        return [*map(_fought_for, merged), *_dedupe_claims(claims)]

    def _facts(self, sent: Span, ctx: SentenceContext, caption: bool) -> _SentenceFacts:
        return _SentenceFacts(sent, ctx, caption)

    def _events_for(
        self,
        trig: Trigger,
        f: _SentenceFacts,
        ctx: SentenceContext,
        document: Document,
        claim_spans: list[tuple[int, int]],
        last_place: tuple[int, PlaceMention] | None,
        last_date: tuple[int, DateMention] | None,
        para: int,
        last_actor: tuple[int, Actor] | None = None,
        thin: set[int] | None = None,
    ) -> list[Event]:
        doc = f.sent.doc
        attr = f.attribution
        evidence: list[Evidence] = [
            Evidence.of(document, trig.start, trig.end, ["event_type", "sub_event_type", "disorder_type"])
        ]

        # -- where: one event per conjoined place ("captured A, B and C") -----------------------------
        candidates = [
            p
            for p in f.places
            if not (attr and _inside(p.start, p.end, attr.start, attr.end))
            and not _inside(p.start, p.end, *ctx.extras["dateline"])
            and not (p.place is not None and p.place.kind == "country")
        ]
        places: list[PlaceMention] = []
        place_inherited = False
        chosen = places_mod.choose_event_place(candidates, trig.start, trig.end, doc) if candidates else None
        if chosen is not None:
            places.append(chosen)
            places.extend(_conjoined_places(chosen, candidates, doc))
            places.extend(p for p in _listed_places(chosen, candidates, doc) if p not in places)
            places = _most_specific(_without_chain_units(places, doc))
        elif f.located is not None:
            places.append(f.located)
        elif last_place is not None and last_place[0] == para and not _NO_PLACE.search(span_text(f.sent)):
            places.append(last_place[1])
            place_inherited = True
        places = [p for p in places if p.place is not None] or places
        unplaced: str | None = None  # the name of a place the gazetteer lacks, where the event happened
        if not places or all(p.place is None for p in places):
            unplaced = (
                _unplaced_name(chosen, doc, ctx) if chosen is not None and not place_inherited else None
            )
            if unplaced is None and chosen is not None and not place_inherited:
                # The nearest name is no place the event is put at ("in a protest of support for ...
                # SzS"): the nearest that is ("gathered in Belgrade-Vracar, Serbia").
                for other in sorted(
                    candidates, key=lambda p: _distance(p.start, p.end, trig.start, trig.end)
                ):
                    unplaced = _unplaced_name(other, doc, ctx) if other is not chosen else None
                    if unplaced is not None:
                        chosen = other
                        break
            if unplaced is None:
                # ACLED: a report that locates an event only at the country level is not an event.
                return []
            places = [chosen]  # type: ignore[list-item]

        # -- when --------------------------------------------------------------------------------------
        # The dateline's and headline's dates are the publication's, not the event's.
        event_dates = [
            d
            for d in f.dates
            if not _inside(d.start, d.end, *ctx.extras["dateline"]) and d.start >= ctx.extras["header_end"]
        ]
        date_m = _nearest_date(event_dates, trig, doc)
        window: DateWindow | None = None
        coded = None  # the event date, when not the window's own coded date
        date_inherited = False
        if date_m is not None:
            if date_m.historical:
                return []
            window = date_m.window
            if window is not None and _dates_the_report(date_m, trig, doc):
                # Only the report is dated ("On 9 May it was reported that ..."): the event is no later,
                # coded that day as an undated report is; a dated mention of it elsewhere wins the merge.
                coded = window.latest
                window = DateWindow(window.earliest - timedelta(days=6), window.latest, 2)
        elif last_date is not None and last_date[0] == para:
            date_m, date_inherited = last_date[1], True
            window = date_m.window
        if window is None and ctx.published is not None:
            # Undated in the text: the report is news, so the event falls in the week before publication;
            # as ACLED does when a report gives no day, the report's own date is coded.
            window = DateWindow(ctx.published - timedelta(days=6), ctx.published, 2)
            coded = ctx.published
        if (
            window is not None
            and ctx.published is not None
            and window.earliest > ctx.published + timedelta(days=_PUBLISHED_SLACK_DAYS)
        ):
            return []  # the future is not an event
        if window is not None and window.precision > 3:
            return []
        if window is not None and (window.latest - window.earliest).days > 31:
            return []  # vaguer than a month: ACLED does not record it

        # -- who ---------------------------------------------------------------------------------------
        sub = trig.sub_event_type
        place_spans = [(p.start, p.end) for p in f.places if p.place is not None]
        side_actors = [
            a
            for a in f.actors
            if a.actor is not None
            and not (attr and _inside(a.start, a.end, attr.start, attr.end))
            # "the Seventh Police District" names a place, not the police.
            and not any(_inside(a.start, a.end, s, e) for s, e in place_spans)
        ]
        agent = [a for a in side_actors if _inside(a.start, a.end, trig.agent_start, trig.agent_end)]
        patient = [a for a in side_actors if _inside(a.start, a.end, trig.patient_start, trig.patient_end)]
        a1 = agent[0] if agent else None
        a2 = patient[0] if patient else None
        if a1 is None and trig.agent_start is not None and trig.agent_end is not None:
            # "They took the crossing": a pronoun subject is the side last named in this paragraph.
            agent_text = doc_text(doc)[trig.agent_start : trig.agent_end]
            if agent_text.lower() in _PRONOUNS and last_actor is not None and last_actor[0] == para:
                a1 = ActorMention(trig.agent_start, trig.agent_end, agent_text, last_actor[1])
        if a1 is None:
            rest = [a for a in side_actors if a is not a2]
            a1 = min(rest, key=lambda a: _distance(a.start, a.end, trig.start, trig.end)) if rest else None
        if a2 is None:
            rest = [
                a for a in side_actors if a is not a1 and a.actor and a1 and a.actor.name != a1.actor.name
            ]
            a2 = min(rest, key=lambda a: _distance(a.start, a.end, trig.start, trig.end)) if rest else None
        if a1 and a2 and a1.actor and a2.actor and a1.actor.name == a2.actor.name:
            a2 = None
        actor1 = a1.actor if a1 else None
        actor2 = a2.actor if a2 else None
        # Victims are always actor2 in violence against civilians, and civilians are never the ones
        # acting in ACLED (a crowd that acts is coded as protesters or rioters).
        if (
            actor1 is not None
            and actor1.inter == "Civilians"
            and (sub in _TARGET_IS_VICTIM or acled.EVENT_TYPE_OF[sub] in _VIOLENT)
        ):
            actor1, actor2, a1, a2 = actor2, actor1, a2, a1

        # One-sided violence against civilians is an attack on them, not a clash between armed sides.
        if sub == "Armed clash" and actor2 is not None and actor2.inter == "Civilians" and actor1 is not None:
            sub = "Attack"
        # And the converse: an attack whose target is an armed, organised side (a soldier shot dead, a
        # militia member assassinated) is a clash between two armed sides, not violence against civilians.
        elif (
            sub == "Attack"
            and actor2 is not None
            and actor2.inter in _ARMED_INTERS
            and not _OFF_DUTY.search(span_text(f.sent))
        ):
            sub = "Armed clash"
        # ACLED territory rules: who captured decides the sub-type; a hold of a day or less is a clash.
        if sub in _TERRITORY:
            if trig.held_briefly:
                sub = "Armed clash"
            elif actor1 is not None and actor1.inter == "State forces":
                sub = "Government regains territory"
            elif actor1 is not None:
                sub = "Non-state actor overtakes territory"
        # ACLED names a crowd by what it does: protesters who riot are rioters, a crowd that
        # demonstrates peacefully is protesters.
        ev_type = acled.EVENT_TYPE_OF[sub]
        # A demonstration is the demonstrators' event: "police dispersed the protesters" codes the
        # protesters as actor1 and the police as actor2.
        if (
            ev_type in ("Protests", "Riots")
            and actor2 is not None
            and actor2.inter in ("Protesters", "Rioters")
            and (actor1 is None or actor1.inter not in ("Protesters", "Rioters"))
        ):
            actor1, actor2, a1, a2 = actor2, actor1, a2, a1
        if actor1 is not None and ev_type == "Riots" and actor1.inter == "Protesters":
            actor1 = Actor(actor1.name.replace("Protesters", "Rioters", 1), "Rioters", actor1.country)
        elif actor1 is not None and ev_type == "Protests" and actor1.inter in ("Rioters", "Civilians"):
            actor1 = Actor(actor1.name.replace(actor1.inter, "Protesters", 1), "Protesters", actor1.country)
        unidentified = False
        if (
            actor1 is None
            and ctx.country
            and ev_type in ("Violence against civilians", "Explosions/Remote violence")
        ):
            # The act implies a perpetrator the report does not name: ACLED's word for that is an
            # unidentified armed group (its evidence is the trigger itself).
            actor1 = actors_mod.get_resolver().unidentified(ctx.country)
            unidentified = True
        elif (
            actor1 is None
            and actor2 is None
            and ctx.country
            and sub == "Armed clash"
            and _FIREFIGHT.search(trig.text)
            and not _SIDES_NAMED.match(document.text, trig.end)
        ):
            # "a shoot-out took place in ...": the word itself says armed men fought; with no side named,
            # ACLED codes an unidentified armed group. Monitors' counts of shots and explosions name no
            # fight, and stay without an actor; nor do "clashes between X and Y" whose sides the actor
            # dictionary does not know.
            actor1 = actors_mod.get_resolver().unidentified(ctx.country)
            unidentified = True
        # A firefight word needs no side named ("An intense shoot-out broke out."): unidentified armed men.
        thin_event = (
            place_inherited and a1 is None and a2 is None and not (unidentified and sub == "Armed clash")
        )
        if thin_event and not (
            sub in ("Arrests", "Protest with intervention")
            and _crowd_or_none(trig, document)
            and _after_a_protest(f.sent)
        ):
            # A trigger with neither its own place nor any side named is too thin to be an event
            # ("... the arrest is an attack on the press", two sentences after a protest). Arrests told
            # right after a protest are kept only to join it (`thin`), as its intervention.
            return []
        if a1 is not None:
            evidence.append(Evidence.of(document, a1.start, a1.end, ["actor1", "inter1"]))
        elif unidentified:
            evidence.append(Evidence.of(document, trig.start, trig.end, ["actor1", "inter1"]))
        if a2 is not None:
            evidence.append(Evidence.of(document, a2.start, a2.end, ["actor2", "inter2"]))

        # -- how many ----------------------------------------------------------------------------------
        own = [
            c
            for c in f.casualties
            if not any(_inside(c.start, c.end, s, e) or _inside(s, e, c.start, c.end) for s, e in claim_spans)
        ]
        own = _casualties_for(trig, f.triggers, own, doc)
        if acled.EVENT_TYPE_OF[sub] in ("Protests", "Riots"):
            # "protested after a gas leak killed 11": deaths that caused a protest are not its fatalities.
            own = [c for c in own if not _in_cause_clause(c, doc)]
        fatalities, low, high = numbers_mod.total_fatalities(own)
        shared = numbers_mod.events_sharing(f.sent, document.text) if fatalities else 1
        if shared > 1:  # a total told over several events: this one's share
            fatalities, low, high = _split(fatalities, shared, 0), None, None
        for c in own:
            if c.outcome == "killed":
                evidence.append(
                    Evidence.of(document, c.start, c.end, ["fatalities", "fatalities_low", "fatalities_high"])
                )

        # -- who says so -------------------------------------------------------------------------------
        certainty = "reported"
        attribution = None
        if attr is not None:
            attribution = attr.text
            certainty = attr.certainty
            evidence.append(Evidence.of(document, attr.start, attr.end, ["attribution", "certainty"]))
        if trig.hedged and certainty == "reported":
            certainty = "claimed"
        if date_m is not None:
            evidence.append(
                Evidence.of(
                    document,
                    date_m.start,
                    date_m.end,
                    ["event_date", "date_earliest", "date_latest", "time_precision"],
                )
            )

        confidence = trig.score
        if unplaced is not None:
            confidence *= 0.7  # no coordinates: a reviewer or a fuller gazetteer has to place it
        if date_m is None or date_inherited:
            confidence *= 0.8
        if certainty != "reported":
            confidence *= 0.8

        event_type = acled.EVENT_TYPE_OF[sub]
        inter1 = actor1.inter if actor1 else None
        inter2 = actor2.inter if actor2 else None
        out: list[Event] = []
        for pm in places:
            where = _where(pm, unplaced, ctx)
            ev = Event(
                doc_id=document.id,
                event_date=(coded or window.event_date).isoformat() if window else None,
                date_earliest=window.earliest.isoformat() if window else None,
                date_latest=window.latest.isoformat() if window else None,
                time_precision=window.precision if window else None,
                disorder_type=acled.disorder_type(sub),
                event_type=event_type,
                sub_event_type=sub,
                actor1=actor1.name if actor1 else None,
                inter1=inter1,
                actor2=actor2.name if actor2 else None,
                inter2=inter2,
                interaction=acled.interaction(inter1, inter2),
                civilian_targeting="Civilian targeting" if inter2 == "Civilians" else None,
                **where,
                fatalities=fatalities
                if len(places) == 1
                else _split(fatalities, len(places), places.index(pm)),
                fatalities_low=low,
                fatalities_high=high,
                attribution=attribution,
                certainty=certainty,  # type: ignore[arg-type]
                confidence=round(confidence, 3),
                notes=span_text(f.sent).strip(),
                evidence=[
                    *evidence,
                    Evidence.of(
                        document, pm.start, pm.end, [f for f in _PLACE_FIELDS if where[f] is not None]
                    ),
                    Evidence.of(document, f.sent.start_char, f.sent.end_char, ["notes"]),
                ],
            )
            spans, ev.evidence = ev.evidence, []
            _add_evidence(ev, spans)
            ev.event_id = stable_id(
                document.id,
                ev.sub_event_type,
                ev.location,
                ev.event_date,
                ev.actor1,
                trig.start,
                prefix="ev-",
            )
            out.append(ev)
        if thin_event and thin is not None:
            thin.update(id(e) for e in out)
        return out


# "wounded at an unspecified location": the sentence itself says its place is not known.
_NO_PLACE = re.compile(
    r"\b(?:unspecified|unknown|undisclosed|unidentified) (?:locations?|places?|areas?)\b", re.I
)
_PLACE_FIELDS = ("location", "admin1", "admin2", "latitude", "longitude", "geo_precision")
# Prepositions that put an event at a place ("near Mineralne", "in Selac, Kosovo").
_LOCATIVES = {"in", "at", "near", "outside", "around", "inside", "into"}


# A sentence that only says where the events just told happened: "The incident occurred in X."
_LOCATOR_VERBS = {"occur", "happen", "take"}
_LOCATOR_SUBJECTS = {"incident", "attack", "event", "it", "this", "explosion", "blast", "shooting", "clash",
                     "fighting", "killing", "murder", "assault", "protest", "demonstration", "arrest",
                     "abduction", "kidnapping", "bombing", "raid", "ambush", "arson", "robbery"}  # fmt: skip


def _located_by_next(sent: Span, ctx: SentenceContext) -> PlaceMention | None:
    """The place the next sentence gives when it only locates what this one told ("The incident
    occurred in Thessaloniki.", "The attack took place near the border in X.")."""
    doc = sent.doc
    if sent.end >= len(doc):
        return None
    nxt = doc[sent.end].sent
    root = nxt.root
    verb = root.lemma_.lower()
    if verb not in _LOCATOR_VERBS:
        return None
    if verb == "take" and not any(c.dep_ == "dobj" and c.lower_ == "place" for c in root.children):
        return None
    subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.lemma_.lower() not in _LOCATOR_SUBJECTS:
        return None
    found = [p for p in places_mod.find_places(nxt, ctx) if p.place is not None and p.place.kind != "country"]
    return found[0] if found else None


_SETTLEMENT_NOUNS = {
    "village",
    "town",
    "city",
    "hamlet",
    "settlement",
    "camp",
    "neighbourhood",
    "neighborhood",
}


def _unplaced_name(pm: PlaceMention, doc: Doc, ctx: SentenceContext) -> str | None:
    """The name of a place the gazetteer lacks, when the text puts the event there ("shelling near
    Mineralne") in a known country: the event is kept at that name, with no coordinates, rather than lost
    (ACLED codes such villages; a country-only report is what it drops). Acronyms and lower-case phrases
    are not taken for places."""
    if pm.place is not None or ctx.iso3 is None or ctx.country is None:
        return None
    name = split_kind_suffix(places_mod.clean_name(pm.text))[0].strip()
    if not name or not name[0].isupper() or name.isupper():
        return None
    span = char_span(doc, pm.start, pm.end)
    if span is None or not len(span):
        return None
    i = span.start
    while i > 0 and doc[i - 1].lower_ in ("the", "a"):
        i -= 1
    root = span.root
    # Governed by the preposition, or right after it ("in Velykobrodske, Ukraine", parsed as a modifier).
    if (
        pm.near
        or (root.dep_ == "pobj" and root.head.lower_ in _LOCATIVES)
        or (i and doc[i - 1].lower_ in _LOCATIVES)
        # "in the village of Jiftlik", but not "Atakent town of Maktaaral district" (a town's district)
        or (
            root.dep_ == "pobj"
            and root.head.lower_ == "of"
            and root.head.head.lower_ in _SETTLEMENT_NOUNS
            and not any(ch.dep_ == "compound" for ch in root.head.head.children)
        )
    ):
        return name
    return None


def _where(pm: PlaceMention, unplaced: str | None, ctx: SentenceContext) -> dict:
    """An event's place fields: the gazetteer's entry, or only the name and the article's country."""
    place = pm.place
    if place is None:  # the precision still says what the text does: at the place, or near it
        return dict(country=ctx.country, iso3=ctx.iso3, admin1=None, admin2=None, admin3=None,
                    location=unplaced, latitude=None, longitude=None, geo_precision=2 if pm.near else 1)  # fmt: skip
    lat, lon, precision = _coordinates(pm)
    return dict(country=place.country, iso3=place.iso3, admin1=place.admin1, admin2=place.admin2,
                admin3=place.admin3, location=place.name, latitude=lat, longitude=lon,
                geo_precision=precision)  # fmt: skip


def _coordinates(pm: PlaceMention) -> tuple[float | None, float | None, int]:
    """The place's point; a district the gazetteer has no point for is coded, as ACLED does for a larger
    region, to its provincial capital with precision 3."""
    place = pm.place
    assert place is not None
    precision = places_mod.geo_precision(pm)
    if place.latitude is not None or not place.admin1:
        return place.latitude, place.longitude, precision
    seat = _provincial_seat(place.admin1, place.iso3)
    if seat is None:
        return None, None, precision
    return seat.latitude, seat.longitude, 3


@lru_cache(maxsize=4096)
def _provincial_seat(admin1: str, iso3: str | None):
    gaz = get_gazetteer()
    units = gaz.lookup(admin1, iso3=iso3, kinds={"admin1"}, limit=1)
    return gaz.seat_of(units[0]) if units else None


def _split(total: int, n: int, i: int) -> int:
    """ACLED: a total over several places is split evenly, the remainder to the first."""
    base, rem = divmod(total, n)
    return base + (rem if i == 0 else 0)


def _conjoined_places(chosen: PlaceMention, candidates: list[PlaceMention], doc: Doc) -> list[PlaceMention]:
    """Places coordinated with the chosen one ("A, B and C districts"): each is its own event."""
    span = char_span(doc, chosen.start, chosen.end)
    if span is None:
        return []
    root = span.root
    conj_tokens = {t.i for t in root.conjuncts}
    out = []
    for p in candidates:
        if p is chosen or p.place is None:
            continue
        s = char_span(doc, p.start, p.end)
        if s is not None and s.root.i in conj_tokens:
            out.append(p)
    return out


# What may stand between two items of a written list of places, once parentheses are dropped:
# separators, articles, and the capitalised names of items the gazetteer lacks.
_LIST_WORDS = {"and", "or", "the", "al", "el", "ad", "as", "ash", "an", "ar", "az", "at", "ed", "es"}
_PAREN_GROUP = re.compile(r"\([^()]*\)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _list_gap(text: str) -> bool:
    """Whether `text`, between two place mentions, only separates items of one list:
    "Sirwah (Marib), Nihm (Sanaa), and Al Jawf", "Bab Ghaliq (Qaatabah, Ad Dali), and Jabal Murays"."""
    if re.fullmatch(r"\s*\(\s*", text):
        return True  # "Sirwah (Marib": an item and its enclosing unit
    gap = _PAREN_GROUP.sub(" ", text).replace("(", " ").replace(")", " ")
    if not re.search(r",|;|\band\b|\bor\b", gap) or re.search(r"[.:!?]", gap):
        return False
    words = _WORD.findall(gap)
    return len(words) <= 6 and all(w[0].isupper() or w.lower() in _LIST_WORDS for w in words)


def _listed_places(chosen: PlaceMention, candidates: list[PlaceMention], doc: Doc) -> list[PlaceMention]:
    """Places written as a list with the chosen one, each with its own enclosing units in parentheses
    (ACLED's and wire reports' style, which the parse often fails to coordinate): each is an event.
    A mention inside the parenthesis right after an item is that item's enclosing unit, not an item."""
    text = doc_text(doc)
    ms = sorted((p for p in candidates if p.place is not None), key=lambda p: p.start)
    ms = [m for k, m in enumerate(ms) if not any(o.start == m.start for o in ms[:k])]
    if chosen not in ms:
        return []
    k = ms.index(chosen)
    lo = hi = k
    while lo > 0 and _list_gap(text[ms[lo - 1].end : ms[lo].start]):
        lo -= 1
    while hi + 1 < len(ms) and _list_gap(text[ms[hi].end : ms[hi + 1].start]):
        hi += 1
    if lo == hi:
        return []
    run = ms[lo : hi + 1]
    units = {
        id(m)
        for a, m in zip(run, run[1:], strict=False)
        if re.fullmatch(r"\s*\([^()]*", text[a.end : m.start])
    }
    return [m for m in run if m is not chosen and id(m) not in units]


def _without_chain_units(places: list[PlaceMention], doc: Doc) -> list[PlaceMention]:
    """Drops a place written right after another, after a comma, that names that one's province or
    district ("Duque de Caxias, Rio de Janeiro"): the parse may coordinate the two as a list."""
    text = doc_text(doc)
    ordered = sorted(places, key=lambda p: p.start)
    units = {
        id(m)
        for a, m in zip(ordered, ordered[1:], strict=False)
        if re.fullmatch(r"\s*,\s*", text[a.end : m.start]) and _names_unit_of(m, a)
    }
    return [p for p in places if id(p) not in units]


def _names_unit_of(unit: PlaceMention, item: PlaceMention) -> bool:
    """ "Duque de Caxias, Rio de Janeiro": the second name is the first's province or district (the
    gazetteer may have read it as the namesake city), so it is no item of a list."""
    if unit.place is None or item.place is None or unit.place.iso3 != item.place.iso3:
        return False
    key = name_key(unit.place.name)
    # Units the build named with their unit word ("Kyiv Oblast", to tell it from Kyiv City) are
    # written bare in reports ("Ivankiv, Kyiv").
    enclosing = {name_key(split_kind_suffix(n)[0]) for n in (item.place.admin1, item.place.admin2) if n}
    return key in enclosing and key != name_key(item.place.name)


def _contains(outer: Place, inner: Place) -> bool:
    """Is `inner` within `outer` ("Fourth Police District, Ghazni City, Ghazni": one place, three levels)?"""
    if outer is inner or outer.iso3 != inner.iso3:
        return outer is inner
    if outer.kind == "country":
        return inner.kind != "country"
    if outer.kind == "admin1":
        return inner.kind != "admin1" and inner.admin1 == outer.admin1
    if outer.kind == "admin2":
        return (
            inner.kind not in ("admin1", "admin2")
            and inner.admin2 == outer.admin2
            and inner.admin1 == outer.admin1
        )
    if outer.kind == "city" and inner.kind == "police_district":
        return inner.name.startswith(outer.name) and inner.admin1 == outer.admin1
    return False


def _most_specific(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """Drop a place that merely contains another of the event's places (a list of levels, not of places)."""
    out = []
    for m in mentions:
        if m.place is None:
            continue
        if any(o is not m and o.place is not None and _contains(m.place, o.place) for o in mentions):
            continue
        if any(
            o.place is not None and o.place.code == m.place.code and o.place.name == m.place.name for o in out
        ):
            continue
        out.append(m)
    return out or mentions[:1]


# A first line that ends without a full stop and is followed by more lines is a headline.
_HEADLINE_MAX = 200


def _header_end(text: str, dateline: tuple[int, int]) -> int:
    """Where the report's header ends: after the dateline when there is one ("KABUL, Afghanistan (July 9,
    2021) —", also after a headline and release preamble), else after a headline line. Dates in the
    header ("Operational Update, March 17" or "Apr. 23: Operations in ...") are the report's."""
    end = dateline[1]
    nl = text.find("\n")
    if 0 < nl <= _HEADLINE_MAX and text[nl:].strip():
        first = text[:nl].rstrip()
        if first and first[-1] not in ".!?\"'”’":
            end = max(end, nl)
    return end


def _nearest_date(dates: list[DateMention], trig: Trigger, doc: Doc | None = None) -> DateMention | None:
    usable = [d for d in dates if d.window is not None or d.historical]
    if doc is not None:
        # "The toll rose to 58 on Sunday": a date on a tally or reporting verb dates the report, not the event;
        # with no other date it is still the best bound ("On 9 May it was reported that a shoot-out ...").
        of_event = [d for d in usable if not _dates_the_report(d, trig, doc)]
        usable = of_event or usable
        # "detained the man behind Tuesday's attack": a date on another noun dates that noun's event.
        usable = [d for d in usable if not _dates_other_noun(d, trig, doc)]
        # "an overnight operation ... Monday": the named day is the date; "overnight" only says when in it.
        named = [d for d in usable if not _modifies_noun(d, doc)]
        if named and len(named) < len(usable):
            usable = named
    if not usable:
        return None
    return min(usable, key=lambda d: _distance(d.start, d.end, trig.start, trig.end))


def _date_root(d: DateMention, doc: Doc):
    span = char_span(doc, d.start, d.end)
    return span.root if span is not None else None


def _modifies_noun(d: DateMention, doc: Doc) -> bool:
    """A relative time word used as an adjective ("an overnight raid", "a late-night attack")."""
    root = _date_root(d, doc)
    return root is not None and root.dep_ == "amod" and root.head.pos_ == "NOUN"


_TIME_NOUNS = set("morning afternoon evening night dawn midnight noon day week weekend".split())


def _opens_sentence(d: DateMention, doc: Doc) -> bool:
    """A date set off at the head of its sentence ("On 7 May 2020, ...", "Around 5 May, ...")."""
    span = char_span(doc, d.start, d.end)
    if span is None or span.end >= len(doc):
        return False
    after = span.end
    if doc[after].text == "(":
        # "Around 6 May 2020 (as reported), ...", "(week of)": a note on the date before the comma.
        close = next((t.i for t in doc[after : min(len(doc), after + 6)] if t.text == ")"), None)
        after = close + 1 if close is not None else after
    if after >= len(doc) or doc[after].text != ",":
        return False
    before = doc[span.sent.start : span.start]
    return len(before) <= 1 and all(t.pos_ in ("ADP", "ADV", "SCONJ") for t in before)


def _dates_other_noun(d: DateMention, trig: Trigger, doc: Doc) -> bool:
    """A date that is a possessive or compound modifier of a noun other than the trigger ("Tuesday's attack",
    "the Aug. 7 bombing"), or sits in a relative clause the trigger is not in, dates that, not the event."""
    root = _date_root(d, doc)
    if root is None:
        return False
    if _opens_sentence(d, doc):
        return False  # "On 7 May 2020, in X, workers protested": however the parser hangs it, it dates the clause
    for anc in root.ancestors:
        # "protested for a leader who has been under arrest since 2 May": a relative clause on another noun.
        if anc.dep_ == "relcl":
            lo, hi = anc.left_edge.idx, anc.right_edge.idx + len(anc.right_edge)
            # Not when it is set off by a comma ("the attack in X, which began on Monday, ..."): such a
            # clause often hangs on the nearest noun but tells of the event.
            # A clause on a name is about that name ("workers of X Company, which closed down a few
            # years ago, held a protest"), commas or not.
            aside = (
                anc.left_edge.i > 0
                and doc[anc.left_edge.i - 1].text == ","
                and anc.head.pos_ != "PROPN"
                and anc.head.ent_type_ not in ("ORG", "PERSON", "GPE", "NORP", "FAC", "LOC")
            )
            if not aside and not (lo <= trig.start < hi):
                return True
            break
    head = root.head
    possessive = root.dep_ == "poss" or any(c.dep_ == "case" for c in root.children)
    if not (possessive or root.dep_ in ("compound", "nmod")) or head.pos_ not in ("NOUN", "PROPN"):
        return False
    if head.ent_type_ in ("DATE", "TIME") or head.lower_ in _TIME_NOUNS:
        return False  # "Saturday evening", "Monday night": still a date
    return not (trig.start <= head.idx < trig.end)


_REPORT_VERBS = {
    "rise",
    "climb",
    "reach",
    "increase",
    "grow",
    "jump",
    "say",
    "tell",
    "report",
    "confirm",
    "announce",
    "add",
    "state",
    "update",
}


def _dates_the_report(d: DateMention, trig: Trigger, doc: Doc) -> bool:
    span = char_span(doc, d.start, d.end)
    if span is None:
        return False
    head = span.root.head
    # Climb through the preposition: "on Sunday" -> "on" -> verb.
    if head.dep_ == "prep":
        head = head.head
    if head.lemma_ not in _REPORT_VERBS:
        return False
    # Unless the trigger itself sits in that verb's clause as its verb ("rose up", unlikely) or is the verb.
    return not (trig.start <= head.idx < trig.end)


@dataclass(slots=True)
class _Tally:
    """One sentence, for attaching later sentences' death tallies to the event they report."""

    para: int
    facts: _SentenceFacts
    claim_spans: list[tuple[int, int]]
    events: list[Event]


def _killed_in(t: _Tally) -> list[CasualtyMention]:
    return [
        c
        for c in t.facts.casualties
        if c.outcome == "killed"
        and not any(_inside(c.start, c.end, s, e) or _inside(s, e, c.start, c.end) for s, e in t.claim_spans)
    ]


def _other_victims(later: list[CasualtyMention], earlier: list[CasualtyMention]) -> bool:
    """Whether a later tally is of other people: its victims' categories are known and none of the earlier's
    ("six police officers were killed ... The attacker was killed by police": seven dead)."""
    a = {c.category for c in later}
    b = {c.category for c in earlier}
    return None not in a and None not in b and bool(a) and bool(b) and not a & b


def _overlaps(ev: Event, dates: list[DateMention]) -> bool:
    """Whether a sentence's own dates (if any) allow the event's date; a vague period ("this year", "for
    months") speaks of more than the event."""
    if any(d.window is None for d in dates):
        return False
    windows = [d.window for d in dates if d.window is not None and not d.historical]
    if not windows or ev.date_earliest is None or ev.date_latest is None:
        return True
    return any(
        w.earliest.isoformat() <= ev.date_latest and ev.date_earliest <= w.latest.isoformat() for w in windows
    )


def _carry_tallies(tallies: list[_Tally], document: Document) -> None:
    """Deaths told in a later sentence of the paragraph belong to the event already described: a sentence
    that makes no event of its own ("Three officers died."), or one whose events restate it (it names no
    place of its own, or points back: "Two guards were killed in the attack."). The figure goes to that
    event (the earlier sentence's most confident one) and no longer to events the later sentence made; it
    adds to the event's own figure when the sentence says so ("two other soldiers were also killed") or
    counts other people (attackers after police), else the larger figure stands. A sentence naming another
    event ("in a separate attack") keeps its tally; one told over several events gives this one its share."""
    antecedent: _Tally | None = None
    for t in tallies:
        sent = t.facts.sent
        back = (
            antecedent is not None
            and (antecedent.para == t.para or not t.events or numbers_mod.refers_back(sent))
            and not numbers_mod.names_other_event(sent)
        )
        if back and t.events:
            back = numbers_mod.refers_back(sent) or not any(
                p.place is not None and p.place.kind != "country" for p in t.facts.places
            )
        if back and not t.events:
            back = numbers_mod.may_state_death(sent)  # cheap: most sentences need no casualty parse
        if not back:
            if t.events:
                antecedent = t
            continue
        assert antecedent is not None
        killed = _killed_in(t)
        if not killed:
            continue
        target = max(antecedent.events, key=lambda e: e.confidence)
        if not _overlaps(target, t.facts.dates):
            continue
        total, low, high = numbers_mod.total_fatalities(killed)
        sharing = numbers_mod.events_sharing(sent, document.text)
        total = _split(total, sharing, 0)
        # The sentence's events merge into one (the largest figure stands), so its figure is their largest.
        have = max(e.fatalities for e in antecedent.events)
        if have and (numbers_mod.adds_to_earlier(sent) or _other_victims(killed, _killed_in(antecedent))):
            target.fatalities = have + total
            target.fatalities_low = target.fatalities_high = None
        elif total > target.fatalities:
            target.fatalities, target.fatalities_low, target.fatalities_high = total, low, high
        if sharing > 1 and len({(e.location, e.admin2) for e in antecedent.events}) == sharing:
            # "... spread between 2 locations": each place the earlier sentence named gets its share.
            for ev in antecedent.events:
                if ev is not target and total > ev.fatalities:
                    ev.fatalities, ev.fatalities_low, ev.fatalities_high = total, None, None
                    _add_evidence(ev, [Evidence.of(document, c.start, c.end, ["fatalities"]) for c in killed])
        for ev in t.events:
            # A restatement of the described event: its figure is told there, and it ranks below it.
            ev.fatalities, ev.fatalities_low, ev.fatalities_high = 0, None, None
            ev.evidence = [e for e in ev.evidence if "fatalities" not in e.fields]
            ev.confidence = min(ev.confidence, round(target.confidence * 0.9, 3))
        _add_evidence(
            target,
            [
                Evidence.of(document, c.start, c.end, ["fatalities", "fatalities_low", "fatalities_high"])
                for c in killed
            ],
        )


_CAUSE_WORDS = {"after", "following", "over", "because"}


def _in_cause_clause(c: CasualtyMention, doc: Doc) -> bool:
    """Whether a casualty figure sits in a clause giving a cause ("after police killed two", "over the
    death of X", "following the killing of a trader")."""
    span = char_span(doc, c.start, c.end)
    if span is None:
        return False
    for x in (span.root, *span.root.ancestors):
        if x.lower_ in _CAUSE_WORDS and x.dep_ in ("prep", "mark", "pcomp", "advmod"):
            return True
        if any(ch.dep_ == "mark" and ch.lower_ in _CAUSE_WORDS for ch in x.children):
            return True
    return False


def _casualties_for(
    trig: Trigger, all_triggers: list[Trigger], casualties: list[CasualtyMention], doc: Doc | None = None
) -> list[CasualtyMention]:
    """Give each casualty figure to the nearest trigger in the sentence; when that is only the outcome verb
    ("were killed in an exchange of fire"), to the event it happened in."""
    live = [t for t in all_triggers if not t.negated and t.score >= _MIN_TRIGGER_SCORE]
    if len(live) <= 1:
        return casualties
    out = []
    for c in casualties:
        nearest = min(live, key=lambda t: _distance(c.start, c.end, t.start, t.end))
        if doc is not None:
            nearest = _event_of_outcome(nearest, live, doc) or nearest
        if nearest is trig:
            out.append(c)
    return out


def _event_of_outcome(outcome: Trigger, live: list[Trigger], doc: Doc) -> Trigger | None:
    """The trigger an outcome verb's "in"/"during" phrase names ("killed in an exchange of fire")."""
    span = char_span(doc, outcome.start, outcome.end)
    if span is None or span.root.pos_ != "VERB":
        return None
    verb = span.root
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "during"):
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj":
                continue
            for t in live:
                if t is not outcome and t.start <= obj.idx < t.end:
                    return t
    return None


def _same_place_and_time(a: Event, b: Event) -> bool:
    """Same place, and date windows that overlap (a vague mention of a day another sentence names)."""
    return (a.location, a.admin2) == (b.location, b.admin2) and _same_time(a, b)


def _same_time(a: Event, b: Event) -> bool:
    if a.date_earliest is None or b.date_earliest is None:
        return a.event_date == b.event_date
    return a.date_earliest <= (b.date_latest or "") and b.date_earliest <= (a.date_latest or "")


def _same_province_and_time(a: Event, b: Event) -> bool:
    return (a.iso3, a.admin1) == (b.iso3, b.admin1) and _same_time(a, b)


def _merge_events(events: list[Event]) -> list[Event]:
    """Mentions of one event inside one report become one record.

    ACLED: the same actors on the same day in the same place are one event, whatever it is called;
    the sub-event type follows ACLED's precedence, and the most precise date wins."""
    out: list[Event] = []
    for ev in events:
        prev = next(
            (
                p
                for p in out
                if _same_place_and_time(p, ev) and _compatible(p, ev) and not _intervention_pair(p, ev)
            ),
            None,
        )
        if prev is None:
            out.append(ev)
            continue
        if (ev.time_precision or 9) < (prev.time_precision or 9):
            prev.event_date, prev.date_earliest, prev.date_latest, prev.time_precision = (
                ev.event_date,
                ev.date_earliest,
                ev.date_latest,
                ev.time_precision,
            )
        winner = acled.higher_precedence(prev.sub_event_type or "Other", ev.sub_event_type or "Other")
        if winner != prev.sub_event_type:
            prev.sub_event_type = winner
            prev.event_type = acled.EVENT_TYPE_OF[winner]
            prev.disorder_type = acled.disorder_type(winner)
        if prev.actor1 is None and ev.actor1 is not None and ev.actor1 != prev.actor2:
            prev.actor1, prev.inter1 = ev.actor1, ev.inter1
        if prev.actor2 is None and ev.actor2 is not None and ev.actor2 != prev.actor1:
            prev.actor2, prev.inter2 = ev.actor2, ev.inter2
        if prev.attribution is None and ev.attribution is not None:
            prev.attribution = ev.attribution
        prev.interaction = acled.interaction(prev.inter1, prev.inter2)
        # Within one report a later, fuller sentence usually refines the figure: keep the largest.
        if ev.fatalities > prev.fatalities:
            prev.fatalities, prev.fatalities_low, prev.fatalities_high = (
                ev.fatalities,
                ev.fatalities_low,
                ev.fatalities_high,
            )
        prev.confidence = max(prev.confidence, ev.confidence)
        _add_evidence(prev, ev.evidence)
    return out


def _fought_for(e: Event) -> Event:
    """A "withdrawal" with deaths was no non-violent transfer: people were killed taking the place ("troops
    withdrew ... four police were killed in the fighting before the withdrawal")."""
    if e.sub_event_type == "Non-violent transfer of territory" and e.fatalities > 0:
        sub = (
            "Government regains territory"
            if e.inter1 == "State forces"
            else "Non-state actor overtakes territory"
        )
        e.sub_event_type, e.event_type, e.disorder_type = (
            sub,
            acled.EVENT_TYPE_OF[sub],
            acled.disorder_type(sub),
        )
    return e


_FIREFIGHT = re.compile(
    r"(?i)\b(?:shoot[- ]?outs?|gun[- ]?fights?|gun battles?|fire[- ]?fights?|exchanges? of fire|clash(?:es)?|"
    r"skirmish(?:es)?)\b"
)
_CROWD_PATIENT = re.compile(
    r"(?i)^(?:they|them|several|some|many|dozens|scores|hundreds|the \d+|\d+|at least|(?:the )?"
    r"(?:protesters?|demonstrators?|participants?|marchers?|people|activists?|workers?))\b"
)


def _crowd_or_none(trig: Trigger, document: Document) -> bool:
    """The arrested are the crowd ("They were arrested", "26 arrested", "Several arrests were made"), not
    one person the protest was about ("He was arrested in connection with ...")."""
    if re.search(r"(?i)\b(?:his|her)\s+$", document.text[max(0, trig.start - 5) : trig.start]):
        return False  # "his arrest"
    if trig.patient_start is None or trig.patient_end is None:
        return True
    return bool(_CROWD_PATIENT.match(document.text[trig.patient_start : trig.patient_end]))


def _after_a_protest(sent: Span) -> bool:
    """ "... staged a demonstration in Rizal. They were arrested for breaking the quarantine.": arrests
    told right after a protest are its intervention, though they name no one and no place."""
    return triggers_mod.neighbour_sentence_has(sent, "protest_words", -1)


_SIDES_NAMED = re.compile(r"[^.;]{0,30}\bbetween\b")
_CROWD_INTERS = {None, "Protesters", "Rioters", "Civilians"}


def _violent_demonstrations(events: list[Event]) -> list[Event]:
    """A demonstration and violence by its crowd at the same place and time (burning tyres, stones thrown,
    a clash with the police) are one ACLED event: a violent demonstration."""
    absorbed: set[int] = set()
    for p in events:
        if p.sub_event_type != "Peaceful protest" or id(p) in absorbed:
            continue
        for o in events:
            if o is p or id(o) in absorbed or not _same_place_and_time(p, o):
                continue
            crowd_acts = o.event_type == "Riots" or (
                o.sub_event_type == "Looting/property destruction" and o.inter1 in _CROWD_INTERS
            )
            # "police clashed with the demonstrators": fighting between the crowd and the police.
            crowd_fights = o.sub_event_type == "Armed clash" and (
                o.inter1 in ("Protesters", "Rioters") or o.inter2 in ("Protesters", "Rioters")
            )
            if not (crowd_acts or crowd_fights):
                continue
            sub = "Violent demonstration"
            p.sub_event_type, p.event_type, p.disorder_type = (
                sub,
                acled.EVENT_TYPE_OF[sub],
                acled.disorder_type(sub),
            )
            if p.actor1 and p.inter1 == "Protesters":
                p.actor1, p.inter1 = p.actor1.replace("Protesters", "Rioters", 1), "Rioters"
            if p.actor2 is None:
                other = (o.actor2, o.inter2) if o.inter1 in _CROWD_INTERS else (o.actor1, o.inter1)
                if other[0] is not None and other[1] not in _CROWD_INTERS:
                    p.actor2, p.inter2 = other
            p.interaction = acled.interaction(p.inter1, p.inter2)
            p.fatalities = max(p.fatalities, o.fatalities)
            _add_evidence(p, o.evidence)
            absorbed.add(id(o))
    return [e for e in events if id(e) not in absorbed]


def _protest_interventions(events: list[Event], thin: set[int] | None = None) -> list[Event]:
    """A protest and state forces acting on it in the same place and time are one ACLED event:
    arrests or dispersal make it a protest with intervention, deaths at their hands excessive force.
    Arrests told right after it with no place of their own (`thin`) join it within its province."""
    absorbed: set[int] = set()
    for p in events:
        if p.sub_event_type != "Peaceful protest":
            continue
        for o in events:
            if o is p or id(o) in absorbed:
                continue
            if not (_same_place_and_time(p, o) or (thin and id(o) in thin and _same_province_and_time(p, o))):
                continue
            # The state's side: actor1 of an arrest or a clash, actor2 of a protest event (the demonstrators
            # are actor1 there).
            if o.inter1 in (None, "State forces") and o.inter2 in (None, "Protesters", "Civilians"):
                force, force_inter = o.actor1, o.inter1
            elif o.event_type == "Protests" and o.inter1 == "Protesters" and o.inter2 == "State forces":
                force, force_inter = o.actor2, o.inter2
            else:
                continue
            if o.sub_event_type in ("Protest with intervention", "Excessive force against protesters"):
                if force_inter != "State forces":
                    continue
                sub = o.sub_event_type
            elif o.sub_event_type == "Arrests":
                sub = "Protest with intervention"
            elif o.event_type in ("Battles", "Violence against civilians") and force_inter == "State forces":
                sub = "Excessive force against protesters" if o.fatalities else "Protest with intervention"
            else:
                continue
            p.sub_event_type, p.event_type, p.disorder_type = (
                sub,
                acled.EVENT_TYPE_OF[sub],
                acled.disorder_type(sub),
            )
            if (p.actor2 is None or p.inter2 == "Civilians") and force is not None:
                p.actor2, p.inter2 = force, force_inter
                p.interaction = acled.interaction(p.inter1, p.inter2)
            p.fatalities = max(p.fatalities, o.fatalities)
            _add_evidence(p, o.evidence)
            absorbed.add(id(o))
    return [e for e in events if id(e) not in absorbed]


def _add_evidence(event: Event, more: list[Evidence]) -> None:
    """Add spans; a span already there gains the new fields it supports (one span, several fields)."""
    by_span = {(e.start, e.end): e for e in event.evidence}
    for e in more:
        have = by_span.get((e.start, e.end))
        if have is None:
            event.evidence.append(e)
            by_span[(e.start, e.end)] = e
        else:
            have.fields.extend(f for f in e.fields if f not in have.fields)


def _intervention_pair(a: Event, b: Event) -> bool:
    """A protest and the state's arrests at it ("Police arrested 20 protesters"): not merged as mentions of one
    event, where precedence would keep the protest and lose the arrests, but left to
    `_protest_interventions`, which makes them a protest with intervention."""
    for p, o in ((a, b), (b, a)):
        if (
            p.sub_event_type == "Peaceful protest"
            and o.sub_event_type == "Arrests"
            and o.inter1 == "State forces"
        ):
            return True
    return False


def _compatible(a: Event, b: Event) -> bool:
    """Same actors: one side's named actors include the other's. A mention that names no actor joins
    only an event of its own type (a protest and an unattributed "attack" nearby are not one event)."""
    names_a = {a.actor1, a.actor2} - {None}
    names_b = {b.actor1, b.actor2} - {None}
    if not names_a or not names_b:
        return a.event_type == b.event_type
    return names_a <= names_b or names_b <= names_a


def _dedupe_claims(claims: list[Claim]) -> list[Claim]:
    seen: set[str] = set()
    out = []
    for c in claims:
        if c.claim_id in seen:
            continue
        seen.add(c.claim_id)
        out.append(c)
    return out


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    return Extractor()


__all__ = ["EXTRACTOR_VERSION", "Extractor", "get_extractor", "Actor"]
