"""The scoring engine: a pure function from (instrument, answers) to a ScoreResult.

Order of work, and why:
1. validate every answer (an AnswerError names the item and the allowed values);
2. raise risk flags from the raw answers first, so that a risk answer is never lost,
   whatever happens to the total;
3. apply form skip rules, reverse items, then the instrument's missing-item rule;
4. band, caseness, subscales and named algorithms, each with an explanation line.
"""

from __future__ import annotations

from collections.abc import Sequence

from holdspace.instruments._errors import AnswerError
from holdspace.instruments._loader import get_instrument
from holdspace.instruments._model import (
    SKIP,
    Algorithm,
    AlgorithmResult,
    Answer,
    Band,
    Criterion,
    Flag,
    Instrument,
    ScoreResult,
    SubscaleScore,
)

Values = dict[str, int]  # item id -> answered value (skip and missing are absent)


def _validate(instrument: Instrument, answers: Sequence[Answer]) -> list[Answer]:
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        first = instrument.items[0]
        raise AnswerError(first.id, first.allowed, "answers must be a list in item order")
    count = len(instrument.items)
    fewest = instrument.fewest_answers
    if len(answers) < fewest:
        item = instrument.items[len(answers)]
        needs = f"{count}" if fewest == count else f"{fewest} to {count}"
        raise AnswerError(
            item.id,
            item.allowed,
            f"no answer given ({instrument.id} needs {needs} answers in item order, got "
            f"{len(answers)}; give {SKIP!r} or an empty value for an unanswered item)",
        )
    if len(answers) > count:
        raise AnswerError(
            f"#{count + 1}",
            f"exactly {count} answers",
            f"{instrument.id} has only {count} items, got {len(answers)} answers",
        )
    answers = instrument.padded(answers)
    for item, answer in zip(instrument.items, answers, strict=True):
        if answer is None or answer == SKIP:
            continue
        if isinstance(answer, bool) or not isinstance(answer, int) or answer not in item.values:
            raise AnswerError(item.id, item.allowed, f"{answer!r} is not an allowed answer")
    return answers


def _risk_flags(instrument: Instrument, values: Values) -> tuple[list[Flag], list[str]]:
    flags, lines = [], []
    for risk in instrument.risk:
        value = values.get(risk.item)
        if value is not None and value >= risk.min_value:
            flags.append(Flag("risk", risk.item, value, risk.message))
            lines.append(
                f"Risk: item {risk.item} answered {value} (flag at {risk.min_value} or above, "
                f"whatever the total): {risk.message} Source: {risk.source}."
            )
    return flags, lines


def _apply_implied(instrument: Instrument, values: Values) -> list[str]:
    lines = []
    for rule in instrument.implied:
        if values.get(rule.if_item) == rule.equals and rule.then_item not in values:
            values[rule.then_item] = rule.value
            lines.append(
                f"Form skip rule: {rule.if_item} = {rule.equals}, so {rule.then_item} scores "
                f"{rule.value}. Source: {rule.source}{_unverified(rule.verified)}."
            )
    return lines


def _unverified(verified: bool) -> str:
    return "" if verified else " (unverified in the reference: configurable)"


def _item_score(instrument: Instrument, item_id: str, value: int) -> int:
    if item_id in instrument.reversed_items:
        values = instrument.item(item_id).values
        return min(values) + max(values) - value
    return value


def _band(bands: list[Band], total: float | None) -> Band | None:
    """Bands are inclusive integer ranges; a prorated fraction belongs to the band whose
    lower bound it has reached (e.g. 10.5 sits in 0–10, below the next band's 11)."""
    if total is None:
        return None
    found = None
    for band in bands:
        if total >= band.min:
            found = band
    return found


def _combine(
    instrument: Instrument,
    item_ids: list[str],
    scores: Values,
    multiplier: float,
    method: str,
) -> tuple[float | None, bool, list[str]]:
    """Total of ``item_ids`` under the missing-item rule: (total, prorated, unanswered)."""
    rule = instrument.missing
    counted = [i for i in item_ids if not (i in rule.optional_items and i not in scores)]
    unanswered = [i for i in counted if i not in scores]
    answered = [scores[i] for i in counted if i in scores]
    if not answered or len(unanswered) > rule.max_missing:
        return None, False, unanswered
    raw: float = sum(answered)
    if method == "mean":
        return raw / len(answered) * multiplier, bool(unanswered), unanswered
    prorated = bool(unanswered)
    if prorated:
        raw = raw * len(counted) / len(answered)
    return raw * multiplier, prorated, unanswered


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _total_lines(
    ins: Instrument, total: float | None, prorated: bool, unanswered: list[str]
) -> list[str]:
    rule = ins.missing
    how = "mean" if ins.method == "mean" else "sum"
    times = f" × {_fmt(ins.multiplier)}" if ins.multiplier != 1 else ""
    reversed_note = (
        f"; items {', '.join(ins.reversed_items)} reverse-scored" if ins.reversed_items else ""
    )
    optional = (
        f" (except {', '.join(rule.optional_items)}: when unanswered it is not applicable "
        "and adds nothing)"
        if rule.optional_items
        else ""
    )
    rule_text = (
        f"Missing-item rule: up to {rule.max_missing} unanswered item(s) prorated{optional}; "
        if rule.max_missing
        else f"Missing-item rule: no prorating, every item must be answered{optional}; "
    ) + f"source: {rule.source}{_unverified(rule.verified)}."
    if total is None:
        return [
            rule_text,
            f"No total: {len(unanswered)} item(s) unanswered ({', '.join(unanswered)}), "
            f"more than the {rule.max_missing} the rule allows.",
        ]
    first = (
        f"Total = {how} of {len(ins.scored_items)} items ({_span(ins, ins.scored_items)})"
        f"{times}{reversed_note} = {_fmt(total)} "
        f"(range {_fmt(ins.total_min)}–{_fmt(ins.total_max)})."
    )
    if prorated:
        first += f" Prorated for unanswered {', '.join(unanswered)}."
    return [first, rule_text]


def _span(ins: Instrument, item_ids: list[str]) -> str:
    if len(item_ids) > 2 and item_ids == [item.id for item in ins.items]:
        return f"{item_ids[0]}…{item_ids[-1]}"
    return ", ".join(item_ids)


def _band_line(ins: Instrument, band: Band | None) -> list[str]:
    if band is None:
        return []
    return [
        f"Band {band.label!r} ({_fmt(band.min)}–{_fmt(band.max)}); source: {ins.bands_source}"
        f"{_unverified(ins.bands_verified and band.verified)}."
    ]


def _caseness(ins: Instrument, total: float | None) -> tuple[bool | None, list[str]]:
    cut = ins.caseness
    if cut is None or total is None:
        return None, []
    if ins.direction == "higher_is_better":
        met, sign = total <= cut.threshold, "<="
    else:
        met, sign = total >= cut.threshold, ">="
    verdict = "at caseness" if met else "below caseness"
    return met, [
        f"Caseness: {verdict} (rule: total {sign} {_fmt(cut.threshold)}); "
        f"source: {cut.source}{_unverified(cut.verified)}."
    ]


def _subscales(ins: Instrument, scores: Values) -> tuple[dict[str, SubscaleScore], list[str]]:
    results, lines = {}, []
    for sub in ins.subscales:
        total, prorated, unanswered = _combine(ins, sub.items, scores, sub.multiplier, "sum")
        band = _band(sub.bands, total)
        label = band.label if band else None
        results[sub.id] = SubscaleScore(total, label, sub.name, prorated)
        if total is None:
            lines.append(f"Subscale {sub.name}: no score ({', '.join(unanswered)} unanswered).")
            continue
        line = f"Subscale {sub.name} = sum of {', '.join(sub.items)}"
        line += f" × {_fmt(sub.multiplier)}" if sub.multiplier != 1 else ""
        line += f" = {_fmt(total)}"
        if band is not None:
            line += f", band {band.label!r}; source: {sub.bands_source}"
            line += _unverified(sub.bands_verified and band.verified)
        lines.append(line + ".")
    return results, lines


def _criterion(
    crit: Criterion, alg: Algorithm, values: Values, optional: list[str]
) -> tuple[bool | None, str]:
    """Three-valued: None when unanswered items could still tip the criterion either way.

    An unanswered optional item (the PHQ-15 menstrual item) is not applicable, as it is
    for the total: it is neither endorsed nor open.
    """
    endorsed = [i for i in crit.items if i in values and alg.endorsed(i, values[i])]
    not_applicable = [i for i in crit.items if i not in values and i in optional]
    open_ = [i for i in crit.items if i not in values and i not in optional]
    low, high = len(endorsed), len(endorsed) + len(open_)
    top = crit.max_endorsed if crit.max_endorsed is not None else len(crit.items)
    if low >= crit.min_endorsed and high <= top:
        met: bool | None = True
    elif high < crit.min_endorsed or low > top:
        met = False
    else:
        met = None
    want = f"{crit.min_endorsed}" + (
        f"–{crit.max_endorsed}" if crit.max_endorsed is not None else "+"
    )
    shown = ", ".join(endorsed) or "none"
    extra = f"; unanswered {', '.join(open_)}" if open_ else ""
    extra += f"; not applicable {', '.join(not_applicable)}" if not_applicable else ""
    return met, f"{crit.name}: {len(endorsed)} endorsed ({shown}){extra}, needs {want}"


def _and(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _algorithms(ins: Instrument, values: Values) -> dict[str, AlgorithmResult]:
    results: dict[str, AlgorithmResult] = {}
    for alg in ins.algorithms:
        parts, outcomes = [], []
        for crit in alg.criteria:
            met, text = _criterion(crit, alg, values, ins.missing.optional_items)
            outcomes.append(met)
            parts.append(text)
        for ref in alg.requires:
            outcomes.append(results[ref].met)
            parts.append(f"requires {ref}: {_word(results[ref].met)}")
        for ref in alg.excludes:
            other = results[ref].met
            outcomes.append(None if other is None else not other)
            parts.append(f"excludes {ref}: {_word(other)}")
        met = _and(outcomes)
        overrides = ", ".join(f"{k} from {v}" for k, v in alg.endorse_overrides.items())
        sign = ">=" if alg.endorse == "at_least" else "<="
        endorse = f"endorsed = answer {sign} {alg.endorse_at}" + (
            f" ({overrides})" if overrides else ""
        )
        explanation = (
            f"{alg.name}: {_word(met)}. Rule ({endorse}): "
            + "; ".join(parts)
            + f". Source: {alg.source}{_unverified(alg.verified)}."
        )
        results[alg.id] = AlgorithmResult(met, explanation, alg.name)
    return results


def _word(met: bool | None) -> str:
    return {True: "met", False: "not met", None: "cannot be determined"}[met]


def score(instrument: str | Instrument, answers: Sequence[Answer]) -> ScoreResult:
    """Score one administration. Raises AnswerError or UnknownInstrumentError only."""
    ins = get_instrument(instrument) if isinstance(instrument, str) else instrument
    checked = _validate(ins, answers)
    values: Values = {
        item.id: a for item, a in zip(ins.items, checked, strict=True) if isinstance(a, int)
    }
    skipped = [item.id for item, a in zip(ins.items, checked, strict=True) if a == SKIP]
    # An unscored item left off the end was not asked (an older administration): not missing.
    missing = [
        item.id for item, a in zip(ins.items[: len(answers)], checked, strict=False) if a is None
    ]
    flags, risk_lines = _risk_flags(ins, values)
    explanation = _apply_implied(ins, values)
    scores = {i: _item_score(ins, i, v) for i, v in values.items()}
    total, prorated, unanswered = _combine(
        ins, ins.scored_items, scores, ins.multiplier, ins.method
    )
    band = _band(ins.bands, total)
    caseness, case_lines = _caseness(ins, total)
    subscales, sub_lines = _subscales(ins, scores)
    algorithms = _algorithms(ins, values)
    explanation = (
        risk_lines
        + explanation
        + _total_lines(ins, total, prorated, unanswered)
        + _band_line(ins, band)
        + case_lines
        + sub_lines
        + [a.explanation for a in algorithms.values()]
    )
    if skipped:
        explanation.append(f"Skipped by choice: {', '.join(skipped)} (counted as unanswered).")
    if missing:
        explanation.append(f"Not answered: {', '.join(missing)} (counted as unanswered).")
    return ScoreResult(
        instrument=ins.id,
        version=ins.version,
        total=total,
        band=band.label if band else None,
        caseness=caseness,
        flags=flags,
        subscales=subscales,
        algorithms=algorithms,
        skipped=skipped,
        missing=missing,
        explanation=explanation,
        prorated=prorated,
    )


def total_only_result(instrument: str | Instrument, total: float) -> ScoreResult:
    """The result for a total another system computed, sent without its item answers.

    The band and caseness follow from the total as for any score; nothing item-level is
    known, so no risk flag can be raised and no algorithm decided (each says so).
    Raises AnswerError when the total is outside the instrument's range.
    """
    ins = get_instrument(instrument) if isinstance(instrument, str) else instrument
    if not ins.total_min <= total <= ins.total_max:
        raise AnswerError(
            "total",
            f"{_fmt(ins.total_min)}–{_fmt(ins.total_max)}",
            f"{_fmt(total)} is outside the {ins.id} total's range",
        )
    band = _band(ins.bands, total)
    caseness, case_lines = _caseness(ins, total)
    explanation = [
        f"Total only: {_fmt(total)} as sent by another system, without the item answers, "
        "so no item (and no risk item) can be shown or checked."
    ]
    return ScoreResult(
        instrument=ins.id,
        version=ins.version,
        total=total,
        band=band.label if band else None,
        caseness=caseness,
        flags=[],
        subscales={},
        algorithms={
            a.id: AlgorithmResult(None, f"{a.name}: cannot be determined from a total.", a.name)
            for a in ins.algorithms
        },
        skipped=[],
        missing=[item.id for item in ins.items],
        explanation=explanation + _band_line(ins, band) + case_lines,
    )
