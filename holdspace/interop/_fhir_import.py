"""Read what other systems send: QuestionnaireResponses, score Observations, Bundles of both.

Written against real files (US Core, LHC-Forms, UW CIRG, the German MII PROMs module,
Synthea; see docs/interop.md), so it reads plain JSON and checks only what it uses:
several published Questionnaires do not pass strict R4B validation on fields Holdspace
never reads, and a file is not refused for those.

How an instrument is recognised, strongest first:
1. the canonical address: `urn:holdspace:questionnaire:<id>` or `http://loinc.org/q/<panel>`;
2. a Questionnaire in the same Bundle (by url, `Questionnaire/<id>` or fullUrl): its
   LOINC panel code, and its items' LOINC codes mapping linkIds (nested groups included);
3. a LOINC panel code as the last segment of the address (`…/Questionnaire/44249-1`);
4. the items themselves: linkIds that are LOINC item codes (`/44250-9` or `44250-9`).
An address Holdspace does not know is accepted when the items are recognisable, and kept.

Everything is checked before anything is returned: any problem anywhere raises
FhirImportError listing every problem found (all of them, for every resource), so the
caller imports all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from holdspace.instruments import (
    SKIP,
    AnswerError,
    Instrument,
    Item,
    ScoreResult,
    all_instruments,
    score,
    total_only_result,
)
from holdspace.interop._fhir_common import (
    CLIENT_CODE_SYSTEM,
    DATA_ABSENT,
    DECLINED,
    LOINC,
    LOINC_QUESTIONNAIRE_BASE,
    QUESTIONNAIRE_BASE,
    answer_system,
)
from holdspace.interop._records import (
    Answer,
    FhirImportError,
    ImportBatch,
    ImportedResponse,
)
from holdspace.interop._safejson import load_json

Json = dict[str, Any]
_RESPONSE_STATUS = ("completed", "amended")
_OBSERVATION_STATUS = ("final", "amended", "corrected")
_LOINC_CODE = re.compile(r"^[0-9]{1,7}-[0-9]$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PARTIAL_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2})?$")


class _Problems(Exception):
    """Every problem with one resource (raised once, after all were collected)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class _Form:
    """What a Questionnaire in the same file says: its panel code and linkId -> LOINC code."""

    panel: str | None
    codes: dict[str, str] = field(default_factory=dict)


@dataclass
class _Entry:
    resource: Json
    where: str
    keys: set[str]  # every way another resource may refer to this one


# --- the instruments Holdspace knows, indexed by LOINC code ---------------------------


@dataclass
class _Codes:
    panels: dict[str, Instrument]
    totals: dict[str, Instrument]
    items: dict[str, list[tuple[Instrument, Item]]]


def _codes() -> _Codes:
    found = _Codes({}, {}, {})
    for instrument in all_instruments():
        if instrument.loinc_panel:
            found.panels[instrument.loinc_panel] = instrument
        if instrument.loinc_total:
            found.totals[instrument.loinc_total] = instrument
        for item in instrument.items:
            if item.loinc:
                found.items.setdefault(item.loinc, []).append((instrument, item))
    return found


# --- small readers --------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _loinc_codes(codings: Any) -> list[str]:
    """LOINC codes among `codings`; a coding without a system counts when it looks LOINC."""
    codes = []
    for coding in _list(codings):
        coding = _dict(coding)
        code = _str(coding.get("code"))
        system = coding.get("system")
        if code and (system == LOINC or (system is None and _LOINC_CODE.match(code))):
            codes.append(code)
    return codes


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}(\.[0-9]{1,6})?", value.strip()):
        return float(value)
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _when(value: Any, field_name: str) -> tuple[datetime | None, date]:
    """FHIR dateTime: a full time with its zone, or a date alone (kept at that precision)."""
    text = _str(value)
    if text is None:
        raise ValueError(f"{field_name}: missing; give the date it was completed")
    if _DATE.match(text):
        try:
            return None, date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{field_name}: {text!r} is not a calendar date") from None
    if _PARTIAL_DATE.match(text):
        raise ValueError(f"{field_name}: {text!r} gives no day; give at least the date")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{field_name}: {text!r} is not a FHIR dateTime (use 2026-03-01 or "
            "2026-03-01T10:00:00+01:00)"
        ) from None
    if when.tzinfo is None:
        raise ValueError(
            f"{field_name}: give the date and time it was completed, with a time zone "
            "(or the date alone)"
        )
    return when, when.date()


def _content_hash(resource: Json) -> str:
    # `meta` and `text` change when a server stores or renders a resource, not its content.
    kept = {k: v for k, v in resource.items() if k not in ("meta", "text")}
    digest = hashlib.sha256(json.dumps(kept, sort_keys=True, ensure_ascii=False).encode())
    return "sha256:" + digest.hexdigest()


def _identifier(resource: Json) -> str | None:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, dict):  # QuestionnaireResponse.identifier is single in R4
        identifiers = [identifiers]
    for found in _list(identifiers):
        found = _dict(found)
        value = _str(found.get("value"))
        if value:
            return f"{found.get('system') or ''}|{value}"
    return None


def _source_key(resource: Json, identifier: str | None, sender: str | None) -> str:
    """The identifier; else the resource id at its sender; else a hash of the content."""
    if identifier:
        return identifier
    rid = _str(resource.get("id"))
    if rid and sender:
        return f"{resource.get('resourceType')}/{rid}@{sender}"
    return _content_hash(resource)


def _sender(resource: Json, bundle: Json | None) -> str | None:
    return _str(_dict(resource.get("meta")).get("source")) or (
        _str(_dict(bundle.get("meta")).get("source")) if bundle else None
    )


# --- the file as entries ---------------------------------------------------------------


def _entries(data: Json) -> tuple[list[_Entry], Json | None]:
    kind = data.get("resourceType")
    if kind == "Bundle":
        entries = []
        for index, entry in enumerate(_list(data.get("entry"))):
            resource = _dict(_dict(entry).get("resource"))
            rtype = _str(resource.get("resourceType"))
            if rtype is None:
                continue
            rid = _str(resource.get("id"))
            keys = {f"{rtype}/{rid}"} if rid else set()
            full_url = _str(_dict(entry).get("fullUrl"))
            if full_url:
                keys.add(full_url)
                keys.add("/".join(full_url.rstrip("/").split("/")[-2:]))
            where = f"entry {index} ({rtype} {rid or 'without id'})"
            entries.append(_Entry(resource, where, keys))
        return entries, data
    if kind in ("QuestionnaireResponse", "Observation"):
        rid = _str(data.get("id"))
        return [_Entry(data, f"the {kind}", {f"{kind}/{rid}"} if rid else set())], None
    if kind == "Questionnaire":
        raise FhirImportError(
            [
                "resourceType: a Questionnaire holds no answers; to bring the instrument in "
                "use `holdspace instruments from-fhir`"
            ]
        )
    raise FhirImportError(
        [
            f"resourceType: {kind!r} cannot be imported; use a Bundle, a QuestionnaireResponse "
            "or an Observation with a questionnaire total"
        ]
    )


def _patients(entries: list[_Entry]) -> dict[str, str]:
    """Reference key -> client code, for Patients that carry a Holdspace client code."""
    codes: dict[str, str] = {}
    for entry in entries:
        if entry.resource.get("resourceType") != "Patient":
            continue
        for identifier in _list(entry.resource.get("identifier")):
            identifier = _dict(identifier)
            value = _str(identifier.get("value"))
            if identifier.get("system") == CLIENT_CODE_SYSTEM and value:
                for key in entry.keys:
                    codes[key] = value
    return codes


def _walk_questionnaire(items: Any, codes: dict[str, str]) -> None:
    for item in _list(items):
        item = _dict(item)
        link_id = _str(item.get("linkId"))
        loinc = _loinc_codes(item.get("code"))
        if link_id and loinc:
            codes[link_id] = loinc[0]
        _walk_questionnaire(item.get("item"), codes)


def _forms(entries: list[_Entry]) -> dict[str, _Form]:
    """Every Questionnaire in the file, under each name a response may use for it."""
    forms: dict[str, _Form] = {}
    for entry in entries:
        resource = entry.resource
        if resource.get("resourceType") != "Questionnaire":
            continue
        panels = _loinc_codes(resource.get("code"))
        form = _Form(panels[0] if panels else None)
        _walk_questionnaire(resource.get("item"), form.codes)
        names = set(entry.keys)
        url = _str(resource.get("url"))
        if url:
            names.add(url)
            version = _str(resource.get("version"))
            if version:
                names.add(f"{url}|{version}")
        for name in names:
            forms[name] = form
    return forms


# --- recognising the instrument -------------------------------------------------------


@dataclass
class _Leaf:
    link_id: str
    code: str | None  # LOINC code from the Questionnaire, or the linkId when it is one
    answers: list[Any]


def _leaves(items: Any, form: _Form | None, path: str = "") -> Iterator[_Leaf]:
    """Answered and unanswered question items, from nested groups and nested answers."""
    for item in _list(items):
        item = _dict(item)
        link_id = _str(item.get("linkId")) or "?"
        answers = _list(item.get("answer"))
        children = _list(item.get("item"))
        nested = [child for answer in answers for child in _list(_dict(answer).get("item"))]
        if answers or not children:
            bare = link_id.lstrip("/")
            code = (form.codes.get(link_id) if form else None) or (
                bare if _LOINC_CODE.match(bare) else None
            )
            yield _Leaf(link_id, code, answers)
        yield from _leaves(children, form)
        yield from _leaves(nested, form)


def _by_address(canonical: str | None, codes: _Codes) -> Instrument | None:
    if not canonical:
        return None
    base = canonical.split("|", 1)[0]
    for instrument in all_instruments():
        if base == QUESTIONNAIRE_BASE + instrument.id:
            return instrument
    if base.startswith(LOINC_QUESTIONNAIRE_BASE):
        return codes.panels.get(base[len(LOINC_QUESTIONNAIRE_BASE) :])
    # LOINC-derived forms are often published under their panel code (…/44249-1).
    return codes.panels.get(base.rstrip("/").rsplit("/", 1)[-1])


def _by_items(leaves: list[_Leaf], codes: _Codes) -> Instrument | None:
    """The one instrument whose item (and total) codes cover every coded, answered item.

    PHQ-2's items are PHQ-9's first two: a response with only those two is a PHQ-2
    unless its total code says PHQ-9; so prefer the instrument whose total code is
    present, then the one with every item answered, then the smallest.
    """
    answered = {leaf.code for leaf in leaves if leaf.code and leaf.answers}
    # Codes no definition knows are reported later as not part of the instrument.
    item_codes = {code for code in answered if code in codes.items}
    if not item_codes:
        return None
    candidates = None
    for code in item_codes:
        owners = {i.id: i for i, _ in codes.items.get(code, [])}
        candidates = (
            owners if candidates is None else {k: v for k, v in candidates.items() if k in owners}
        )
    if not candidates:
        return None
    with_total = [i for i in candidates.values() if i.loinc_total in answered]
    if len(with_total) == 1:
        return with_total[0]
    full = [i for i in candidates.values() if {it.loinc for it in i.items if it.loinc} <= answered]
    pool = full or list(candidates.values())
    return min(pool, key=lambda i: len(i.items))


def _unknown_instrument(canonical: str | None, leaves: list[_Leaf], codes: _Codes) -> str:
    known = ", ".join(sorted(i.id for i in all_instruments()))
    what = f"{canonical!r}" if canonical else "(no questionnaire address)"
    coded = sorted({leaf.code for leaf in leaves if leaf.code})
    foreign = [c for c in coded if c not in codes.items and c not in codes.totals]
    owners = sorted({i.id for c in coded for i, _ in codes.items.get(c, [])})
    if len(owners) > 1:
        detail = f"its items belong to more than one instrument ({', '.join(owners)})"
    elif foreign:
        detail = f"its item codes ({', '.join(foreign[:5])}) are not in any definition"
    else:
        detail = (
            "its items carry no LOINC codes; send its Questionnaire in the same Bundle, "
            f"or use {QUESTIONNAIRE_BASE}<id> or {LOINC_QUESTIONNAIRE_BASE}<LOINC panel>"
        )
    return (
        f"questionnaire: {what} is not an instrument Holdspace knows and {detail} (known: {known})"
    )


# --- answers --------------------------------------------------------------------------


def _allowed(instrument: Instrument, item: Item) -> str:
    codes = [o.loinc_answer or f"{answer_system(instrument.id)}|{o.value}" for o in item.options]
    return ", ".join(codes) + f" or {DATA_ABSENT}|{DECLINED} (skipped by choice)"


def _answer(instrument: Instrument, item: Item, answers: list[Any]) -> Answer:
    if not answers:
        return None
    if len(answers) > 1:
        raise ValueError(f"item {item.id}: {len(answers)} answers given, one is allowed")
    answer = _dict(answers[0])
    coding = answer.get("valueCoding")
    if isinstance(coding, dict):
        system, code = coding.get("system"), coding.get("code")
        if system == DATA_ABSENT and code == DECLINED:
            return SKIP
        for option in item.options:
            # A coding without a system is read as LOINC only when its code is one of
            # this item's LOINC answer codes (the MII module sends them so).
            if option.loinc_answer and code == option.loinc_answer and system in (LOINC, None):
                return option.value
            if system == answer_system(instrument.id) and code == str(option.value):
                return option.value
        shown = f"{system}|{code}" if system else f"{code} (no system)"
        raise ValueError(
            f"item {item.id}: answer {shown} is not allowed; allowed: {_allowed(instrument, item)}"
        )
    value = answer.get("valueInteger")
    if isinstance(value, int) and not isinstance(value, bool) and value in item.values:
        return value
    raise ValueError(f"item {item.id}: give a coded answer; allowed: {_allowed(instrument, item)}")


def _total_answer(instrument: Instrument, answers: list[Any]) -> float | None:
    for answer in answers:
        answer = _dict(answer)
        for key in ("valueDecimal", "valueInteger"):
            number = _number(answer.get(key))
            if number is not None:
                return number
        number = _number(_dict(answer.get("valueQuantity")).get("value"))
        if number is not None:
            return number
    if answers:
        raise ValueError(f"{instrument.id} total: give it as a number")
    return None


# --- scoring and the plain statements about it ----------------------------------------


def _label(instrument: Instrument, item_ids: list[str]) -> str:
    return ", ".join(f"item {instrument.item(i).number}" for i in item_ids)


def _score(
    instrument: Instrument, answers: tuple[Answer, ...], sender_total: float | None
) -> tuple[ScoreResult, list[str]]:
    try:
        result = score(instrument, list(answers))
    except AnswerError as exc:
        raise ValueError(str(exc)) from exc
    notes = []
    if result.total is None:
        unanswered = [i for i in instrument.scored_items if i in result.missing + result.skipped]
        notes.append(
            f"{instrument.name}: no total, because {len(unanswered)} of "
            f"{len(instrument.scored_items)} scored items have no answer "
            f"({_label(instrument, unanswered)}) and the scoring rule allows "
            f"{instrument.missing.max_missing}; the answers given are kept."
        )
    if sender_total is not None:
        if result.total is None:
            notes.append(
                f"{instrument.name}: the sender's total is {_fmt(sender_total)}; it is kept "
                "beside the answers but not used as a score."
            )
        elif not math.isclose(result.total, sender_total, abs_tol=1e-9):
            notes.append(
                f"{instrument.name}: the sender's total {_fmt(sender_total)} differs from "
                f"Holdspace's {_fmt(result.total)} from the same answers; Holdspace's is "
                "stored and the sender's kept beside it."
            )
    return result, notes


# --- one QuestionnaireResponse --------------------------------------------------------


@dataclass
class _Context:
    codes: _Codes
    forms: dict[str, _Form]
    patients: dict[str, str]
    bundle: Json | None
    # id() of a response entry -> (total code, value) from Observations derived from it
    totals: dict[int, list[tuple[str, float]]]


def _read_response(entry: _Entry, ctx: _Context) -> ImportedResponse:
    resource = entry.resource
    problems: list[str] = []
    canonical = _str(resource.get("questionnaire"))
    if canonical is None and isinstance(resource.get("questionnaire"), dict):
        canonical = _str(resource["questionnaire"].get("reference"))  # an R3-style reference
    form = ctx.forms.get(canonical or "") or ctx.forms.get((canonical or "").split("|")[0])
    leaves = list(_leaves(resource.get("item"), form))
    instrument = (
        _by_address(canonical, ctx.codes)
        or (ctx.codes.panels.get(form.panel) if form and form.panel else None)
        or _by_items(leaves, ctx.codes)
    )
    status = resource.get("status")
    if status not in _RESPONSE_STATUS:
        problems.append(f"status: {status!r}; only completed (or amended) responses are imported")
    completed_at: datetime | None = None
    completed_on: date | None = None
    try:
        completed_at, completed_on = _when(resource.get("authored"), "authored")
    except ValueError as exc:
        problems.append(str(exc))
    if instrument is None:
        raise _Problems([_unknown_instrument(canonical, leaves, ctx.codes), *problems])
    given: dict[str, Answer] = {}
    sender_total: float | None = None
    for leaf in leaves:
        if leaf.code and leaf.code == instrument.loinc_total:
            try:
                sender_total = _total_answer(instrument, leaf.answers)
            except ValueError as exc:
                problems.append(str(exc))
            continue
        item = next(
            (
                i
                for i in instrument.items
                if leaf.link_id in (i.id, f"/{i.id}") or (leaf.code and leaf.code == i.loinc)
            ),
            None,
        )
        if item is None:
            where = ""
            if form is not None and leaf.link_id not in form.codes:
                shown = ", ".join(sorted(form.codes)[:4])
                where = f" and not in its Questionnaire (whose coded linkIds are {shown}, …)"
            problems.append(f"item {leaf.link_id!r} is not part of {instrument.id}{where}")
            continue
        if item.id in given:
            problems.append(f"item {item.id} appears twice")
            continue
        try:
            given[item.id] = _answer(instrument, item, leaf.answers)
        except ValueError as exc:
            problems.append(str(exc))
    for code, value in ctx.totals.get(id(entry), []):
        if code == instrument.loinc_total and sender_total is None:
            sender_total = value
    if problems or completed_on is None:
        raise _Problems(problems)
    # An unscored item at the end that was not sent was not asked (PHQ-9 item 10).
    answers = tuple(instrument.trimmed([given.get(item.id) for item in instrument.items]))
    result, notes = _score(instrument, answers, sender_total)
    if canonical and _by_address(canonical, ctx.codes) is None:
        notes.insert(
            0, f"questionnaire {canonical!r} read as {instrument.id}; the address is kept."
        )
    identifier = _identifier(resource)
    subject = _str(_dict(resource.get("subject")).get("reference"))
    return ImportedResponse(
        instrument_id=instrument.id,
        answers=answers,
        completed_at=completed_at,
        completed_on=completed_on,
        identifier=identifier,
        patient_code=ctx.patients.get(subject) if subject else None,
        where=entry.where,
        result=result,
        sender_total=sender_total,
        questionnaire=canonical,
        source_key=_source_key(resource, identifier, _sender(resource, ctx.bundle)),
        notes=tuple(notes),
    )


# --- Observations ---------------------------------------------------------------------


def _observation_value(resource: Json) -> float | None:
    for key in ("valueInteger", "valueString"):
        number = _number(resource.get(key))
        if number is not None:
            return number
    return _number(_dict(resource.get("valueQuantity")).get("value"))


def _effective(resource: Json) -> tuple[datetime | None, date]:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in resource:
            return _when(resource[key], key)
    if "effectivePeriod" in resource:
        return _when(_dict(resource["effectivePeriod"]).get("start"), "effectivePeriod.start")
    raise ValueError("effective[x]: missing; give the date the questionnaire was completed")


def _refs(resource: Json, key: str) -> list[str]:
    return [r for r in (_str(_dict(x).get("reference")) for x in _list(resource.get(key))) if r]


def _observation_instrument(resource: Json, codes: _Codes) -> tuple[Instrument, str] | None:
    for code in _loinc_codes(_dict(resource.get("code")).get("coding")):
        if code in codes.totals:
            return codes.totals[code], code
        # Some senders (the MII module) put the score on an Observation coded with the
        # panel; with a number as its value it can only be the total.
        if code in codes.panels and _observation_value(resource) is not None:
            return codes.panels[code], code
    return None


def _read_total_only(
    entry: _Entry, found: tuple[Instrument, str], ctx: _Context
) -> ImportedResponse:
    resource = entry.resource
    instrument, code = found
    problems = []
    status = resource.get("status")
    if status not in _OBSERVATION_STATUS:
        problems.append(
            f"status: {status!r}; only final (or amended, corrected) results are imported"
        )
    value = _observation_value(resource)
    if value is None:
        problems.append(f"value[x]: give the {instrument.id} total as a number")
    completed_at: datetime | None = None
    completed_on: date | None = None
    try:
        completed_at, completed_on = _effective(resource)
    except ValueError as exc:
        problems.append(str(exc))
    result = None
    if value is not None:
        try:
            result = total_only_result(instrument, value)
        except AnswerError as exc:
            problems.append(f"value[x]: {exc.problem} ({exc.allowed})")
    if problems or result is None or completed_on is None:
        raise _Problems(problems)
    notes = [
        f"{instrument.name}: a total only ({_fmt(value or 0)}), without the item answers; "
        "it is shown marked as total only."
    ]
    if code == instrument.loinc_panel:
        notes.append(f"coded with the panel code {code}; its value is read as the total.")
    identifier = _identifier(resource)
    subject = _str(_dict(resource.get("subject")).get("reference"))
    return ImportedResponse(
        instrument_id=instrument.id,
        answers=tuple(instrument.trimmed([None] * len(instrument.items))),
        completed_at=completed_at,
        completed_on=completed_on,
        identifier=identifier,
        patient_code=ctx.patients.get(subject) if subject else None,
        where=entry.where,
        result=result,
        total_only=True,
        sender_total=value,
        source_key=_source_key(resource, identifier, _sender(resource, ctx.bundle)),
        notes=tuple(notes),
    )


def _panel_leaves(panel: _Entry, by_key: dict[str, _Entry]) -> tuple[list[_Leaf], list[str]]:
    """A panel Observation's members as response items (US Core sends PHQ-9 this way)."""
    leaves, missing = [], []
    for ref in _refs(panel.resource, "hasMember"):
        member = by_key.get(ref)
        if member is None:
            missing.append(ref)
            continue
        code = next(iter(_loinc_codes(_dict(member.resource.get("code")).get("coding"))), None)
        concept = _dict(member.resource.get("valueCodeableConcept"))
        codings = _list(concept.get("coding"))
        if codings:
            answers: list[Any] = [{"valueCoding": codings[0]}]
        else:
            number = _observation_value(member.resource)
            answers = [] if number is None else [{"valueDecimal": number}]
        leaves.append(_Leaf(code or ref, code, answers))
    return leaves, missing


def _read_panel(
    panel: _Entry, instrument: Instrument, by_key: dict[str, _Entry], ctx: _Context
) -> ImportedResponse:
    """A panel with its item Observations, read as a response: same checks, same notes."""
    leaves, missing = _panel_leaves(panel, by_key)
    if missing:
        raise _Problems(
            [f"hasMember: {', '.join(missing[:3])} not in the file; send the item Observations too"]
        )
    items = [{"linkId": leaf.link_id, "answer": leaf.answers} for leaf in leaves]
    effective = panel.resource.get("effectiveDateTime") or _dict(
        panel.resource.get("effectivePeriod")
    ).get("start")
    synthetic: Json = {
        "resourceType": "QuestionnaireResponse",
        "id": panel.resource.get("id"),
        "identifier": panel.resource.get("identifier"),
        "meta": panel.resource.get("meta"),
        "questionnaire": LOINC_QUESTIONNAIRE_BASE + (instrument.loinc_panel or ""),
        "status": "completed"
        if panel.resource.get("status") in _OBSERVATION_STATUS
        else panel.resource.get("status"),
        "authored": effective,
        "subject": panel.resource.get("subject"),
        "item": items,
    }
    read = _read_response(_Entry(synthetic, panel.where, panel.keys), ctx)
    # The panel's own content, not the synthetic response's, identifies it on re-import.
    key = _source_key(panel.resource, read.identifier, _sender(panel.resource, ctx.bundle))
    return replace(read, questionnaire=None, source_key=key)


# --- the whole file -------------------------------------------------------------------


def read_fhir(raw: str | bytes | Json) -> ImportBatch:
    """Every importable administration in `raw`, or FhirImportError naming every problem."""
    data = raw if isinstance(raw, dict) else load_json(raw)
    if not isinstance(data, dict):
        raise FhirImportError(["the file must hold one FHIR resource (a JSON object)"])
    entries, bundle = _entries(data)
    codes = _codes()
    by_key = {key: entry for entry in entries for key in entry.keys}
    responses = {
        key: entry
        for entry in entries
        if entry.resource.get("resourceType") == "QuestionnaireResponse"
        for key in entry.keys
    }
    ctx = _Context(codes, _forms(entries), _patients(entries), bundle, {})
    found: list[ImportedResponse] = []
    problems: list[str] = []
    skipped: list[str] = []
    members: set[int] = set()
    about_response: set[int] = set()
    observations = [e for e in entries if e.resource.get("resourceType") == "Observation"]
    for entry in observations:
        derived = [r for r in _refs(entry.resource, "derivedFrom") if r in responses]
        if derived:
            about_response.add(id(entry))
            recognised = _observation_instrument(entry.resource, codes)
            value = _observation_value(entry.resource)
            if recognised and value is None:
                problems.append(
                    f"{entry.where}: value[x]: give the {recognised[0].id} total as a number"
                )
            elif recognised and value is not None:
                target = id(responses[derived[0]])
                ctx.totals.setdefault(target, []).append((recognised[0].loinc_total or "", value))
        for ref in _refs(entry.resource, "hasMember"):
            if ref in by_key:
                members.add(id(by_key[ref]))
    for entry in entries:
        kind = entry.resource.get("resourceType")
        try:
            if kind == "QuestionnaireResponse":
                found.append(_read_response(entry, ctx))
            elif kind == "Observation":
                if id(entry) in about_response:
                    continue  # the response it was derived from is imported instead
                code = _loinc_codes(_dict(entry.resource.get("code")).get("coding"))
                panel = next((codes.panels[c] for c in code if c in codes.panels), None)
                if panel is not None and _refs(entry.resource, "hasMember"):
                    found.append(_read_panel(entry, panel, by_key, ctx))
                    continue
                if id(entry) in members:
                    continue  # read as part of its panel
                recognised = _observation_instrument(entry.resource, codes)
                if recognised is not None:
                    found.append(_read_total_only(entry, recognised, ctx))
                elif any(c in codes.items for c in code):
                    problems.append(
                        f"{entry.where}: an item Observation on its own is not imported; "
                        "send its panel Observation (with hasMember) or the QuestionnaireResponse"
                    )
                else:
                    skipped.append(f"{entry.where}: not a questionnaire score Holdspace knows")
        except _Problems as exc:
            problems += [f"{entry.where}: {p}" for p in exc.problems]
    if problems:
        raise FhirImportError(problems)
    if not found:
        raise FhirImportError(
            ["the file holds no QuestionnaireResponse or questionnaire total to import"]
        )
    return ImportBatch(found, skipped)


def read_responses(raw: str | bytes | Json) -> list[ImportedResponse]:
    """Every importable administration in `raw` (see `read_fhir`)."""
    return read_fhir(raw).responses
