"""One mechanism for every free-text field a clinician or supervisor writes: lint it, keep
wording on request (recorded and audited), and show a client only what may be shown.

Fields are named in FIELDS: (model label, field) -> the words the client sees instead while a
label in that field is not kept (None: the field never reaches a client). The client's own
words are never linted: a record the client wrote (a goal added in their space) is exempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from holdspace.language import Finding, lint
from holdspace.reviews.patterns import PATTERN_FIELDS
from holdspace.web.audit.log import record as audit
from holdspace.web.wording.models import KeptLabel

Kept = frozenset[tuple[str, str]]  # (rule, words case-folded)

# A protective pattern's "origin" is recorded in the client's own words: never linted.
PATTERN_CHECKED = tuple(f for f in PATTERN_FIELDS if f != "origin")
# What a client sees instead of a client-facing text that still holds an unkept label.
GOAL_FALLBACK = "A goal we set together (we will go over its wording next time)"
FIELDS: dict[tuple[str, str], str | None] = {
    ("reviews.adaptation", "description"): "",  # the chart shows the kind alone ("Pace")
    ("reports.goal", "text"): GOAL_FALLBACK,
    ("reviews.stuckpointreview", "plan"): None,
    ("reviews.reviewcomment", "text"): None,
    **{("reviews.protectivepattern", f): None for f in PATTERN_CHECKED},
    ("reviews.lifeevent", "description"): None,
    ("reviews.patternsighting", "note"): None,
    ("clients.episode", "end_reason"): None,
}


def target_of(obj: Model) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


def client_facing(obj: Model, field: str) -> bool:
    return FIELDS.get((obj._meta.label_lower, field)) is not None


def written_by_client(obj: Model) -> bool:
    return bool(getattr(obj, "added_by_client", False))


@dataclass(frozen=True)
class Item:
    finding: Finding
    kept: bool

    @property
    def token(self) -> str:
        return f"{self.finding.rule}|{self.finding.text.casefold()}"


def items(text: str, kept: Kept) -> list[Item]:
    return [Item(f, (f.rule, f.text.casefold()) in kept) for f in lint(text)]


def unkept_warnings(text: str, kept: Kept) -> list[Finding]:
    return [i.finding for i in items(text, kept) if i.finding.level == "warn" and not i.kept]


def parse_tokens(values: Iterable[str]) -> Kept:
    pairs = (v.partition("|") for v in values)
    return frozenset((rule, words.casefold()[:200]) for rule, sep, words in pairs if sep and rule)


def kept_for(obj: Model, field: str) -> Kept:
    rows = KeptLabel.objects.filter(target=target_of(obj), field=field)
    return frozenset((k.rule, k.text) for k in rows)


def record_kept(
    obj: Model, field: str, kept: Kept, user: Any, *, request: HttpRequest | None = None
) -> int:
    """Store the kept choices that match a current finding; audit rule ids, never text."""
    text = str(getattr(obj, field) or "")
    current = {(f.rule, f.text.casefold()) for f in lint(text)}
    chosen = sorted(kept & current)
    if not chosen:
        return 0
    with transaction.atomic():
        for rule, words in chosen:
            KeptLabel.objects.get_or_create(
                target=target_of(obj),
                field=field,
                rule=rule,
                text=words,
                defaults={"decided_by": user},
            )
        detail = {"field": field, "rules": sorted({rule for rule, _ in chosen})}
        audit(user, "keep_wording", target_of(obj), request=request, detail=detail)
    return len(chosen)


def client_text(obj: Model, field: str, fallback: str | None = None) -> str:
    """What a client may see of obj.field: the text, unless it holds an unkept label."""
    text = str(getattr(obj, field) or "")
    if written_by_client(obj) or not unkept_warnings(text, kept_for(obj, field)):
        return text
    default = FIELDS.get((obj._meta.label_lower, field))
    return fallback if fallback is not None else (default or "")
