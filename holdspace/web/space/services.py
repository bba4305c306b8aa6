"""The client's own space: links, PIN, parts, goals, words and the safety plan.

Views stay short: they find the visit or the client, call one function here, render.
Every write is audited with ids only; the client's words are stored exactly as written
(never linted, trimmed inside or changed) and never reach the audit detail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from holdspace.safetyplan import STEP_TEXT_MAX, plan_steps
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins.services import hash_token
from holdspace.web.clients.models import Client, Episode
from holdspace.web.reports.models import Goal
from holdspace.web.space.models import (
    ClientSpace,
    ClientWords,
    GoalMark,
    Mark,
    Part,
    SafetyPlanReview,
    SafetyPlanVersion,
    SpaceChoice,
    SpaceLink,
)

WORDS_MAX = 4000
GOAL_MAX = 300  # the Goal model's own limit
PIN = re.compile(r"^[0-9]{4,8}$")


class NotAvailable(LookupError):
    """The object is not this client's (or does not exist): the kind "not available" page."""


# --- the clinician's side -----------------------------------------------------------


def space_for(client: Client) -> ClientSpace | None:
    return ClientSpace.objects.filter(client=client).first()


def active_link(space: ClientSpace) -> SpaceLink | None:
    return space.links.filter(revoked_at__isnull=True).first()


def share_link(
    client: Client,
    by: User,
    *,
    display_name: str = "",
    request: HttpRequest | None = None,
) -> tuple[ClientSpace, SpaceLink, str]:
    """Open the client's space (first time) or give it a new link; older links stop.

    Returns the token, which is shown once and stored only as its sha256.
    """
    name = display_name.strip()
    if len(name) > 40:
        raise ValidationError({"display_name": "Use a first name of at most 40 letters, or none."})
    token = secrets.token_urlsafe(32)  # 256 random bits, as for check-in links
    with transaction.atomic():
        space = ensure_space(client, by)
        if name:
            space.display_name = name
            space.save(update_fields=["display_name"])
        _revoke_all(space)
        link = SpaceLink.objects.create(space=space, token_hash=hash_token(token), created_by=by)
        audit(by, "create", f"space_link:{link.pk}", request=request, detail={"space": space.pk})
    return space, link, token


def ensure_space(client: Client, by: User) -> ClientSpace:
    """The client's space, made (with every part on, recorded as a choice) if it is new."""
    with transaction.atomic():
        space, created = ClientSpace.objects.select_for_update().get_or_create(
            client=client, defaults={"parts": list(Part.values)}
        )
        if created:
            for part in Part.values:
                SpaceChoice.objects.create(
                    space=space, what=f"part:{part}", value="on", by_client=False, by=by
                )
    return space


def _revoke_all(space: ClientSpace) -> int:
    count = space.links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if count:
        ClientSpace.objects.filter(pk=space.pk).update(generation=F("generation") + 1)
        space.refresh_from_db(fields=["generation"])
    return count


def revoke(space: ClientSpace, by: User, *, request: HttpRequest | None = None) -> int:
    """Every link of this space stops working at once, and any open visit ends."""
    with transaction.atomic():
        count = _revoke_all(space)
        audit(by, "update", f"space:{space.pk}", request=request, detail={"revoked": count})
    return count


def reset_pin(space: ClientSpace, by: User, *, request: HttpRequest | None = None) -> None:
    """The client chooses a new PIN on their next visit; the clinician never learns it."""
    with transaction.atomic():
        ClientSpace.objects.filter(pk=space.pk).update(
            pin_hash="", pin_set_at=None, pin_failures=0, generation=F("generation") + 1
        )
        audit(by, "update", f"space:{space.pk}", request=request, detail={"pin_reset": 1})
    cache.delete(_pin_key(space))
    space.refresh_from_db()


def set_parts(
    space: ClientSpace,
    parts: Iterable[str],
    *,
    by: User | None,
    request: HttpRequest | None = None,
) -> list[str]:
    """Switch parts on or off (by the client when `by` is None); each change is recorded."""
    wanted = [p for p in Part.values if p in set(parts)]
    unknown = set(parts) - set(Part.values)
    if unknown:
        raise ValidationError({"parts": f"unknown part {sorted(unknown)}; use {Part.values}"})
    with transaction.atomic():
        locked = ClientSpace.objects.select_for_update().get(pk=space.pk)
        changed = sorted(set(wanted) ^ set(locked.parts))
        for part in changed:
            SpaceChoice.objects.create(
                space=locked,
                what=f"part:{part}",
                value="on" if part in wanted else "off",
                by_client=by is None,
                by=by,
            )
        locked.parts = wanted
        locked.save(update_fields=["parts"])
        if changed:
            audit(by, "update", f"space:{space.pk}", request=request, detail={"parts": changed})
    space.parts = wanted
    return changed


def set_share_comparison(
    space: ClientSpace, share: bool, by: User, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        if space.share_comparison != share:
            space.share_comparison = share
            space.save(update_fields=["share_comparison"])
            SpaceChoice.objects.create(
                space=space,
                what="share_comparison",
                value="on" if share else "off",
                by_client=False,
                by=by,
            )
            audit(by, "update", f"space:{space.pk}", request=request, detail={"comparison": share})


# --- the client's visit -------------------------------------------------------------


def find_link(token: str) -> SpaceLink | None:
    return (
        SpaceLink.objects.select_related("space__client")
        .filter(token_hash=hash_token(token))
        .first()
    )


def pin_required() -> bool:
    return bool(settings.HOLDSPACE_SPACE_PIN)


def pin_problem(pin: str, again: str | None = None) -> str:
    """Why a chosen PIN cannot be used (empty when it can), naming the field."""
    if not PIN.match(pin):
        return "pin: use 4 to 8 digits (numbers only)"
    if len(set(pin)) == 1:
        return "pin: choose digits that are not all the same"
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {-1}):
        return "pin: choose digits that do not simply count up or down"
    if again is not None and again != pin:
        return "pin_again: the two PINs are not the same; type it the same way twice"
    return ""


def choose_pin(
    space: ClientSpace, pin: str, again: str, *, request: HttpRequest | None = None
) -> None:
    problem = pin_problem(pin, again)
    if problem:
        field, _, message = problem.partition(": ")
        raise ValidationError({field: message})
    with transaction.atomic():
        updated = ClientSpace.objects.filter(pk=space.pk, pin_hash="").update(
            pin_hash=make_password(pin), pin_set_at=timezone.now(), pin_failures=0
        )
        if not updated:
            raise ValidationError({"pin": "a PIN has already been chosen; enter it instead"})
        audit(None, "update", f"space:{space.pk}", request=request, detail={"pin_set": 1})
    space.refresh_from_db()


PinOutcome = Literal["ok", "wrong", "wait", "rested"]


def _pin_key(space: ClientSpace) -> str:
    return f"space:pinfail:{space.pk}"


def check_pin(space: ClientSpace, pin: str, *, request: HttpRequest | None = None) -> PinOutcome:
    """Check a PIN. Wrong ones are audited, limited per window, and after the clinic's
    limit in a row the PIN rests until the clinician resets it."""
    space.refresh_from_db(fields=["pin_hash", "pin_failures"])
    if space.pin_failures >= settings.HOLDSPACE_SPACE_PIN_LIMIT:
        return "rested"
    window = settings.HOLDSPACE_SPACE_PIN_WINDOW
    if int(cache.get(_pin_key(space), 0)) >= settings.HOLDSPACE_SPACE_PIN_TRIES:
        return "wait"
    if space.pin_hash and check_password(pin, space.pin_hash):
        if space.pin_failures:
            ClientSpace.objects.filter(pk=space.pk).update(pin_failures=0)
        cache.delete(_pin_key(space))
        return "ok"
    cache.add(_pin_key(space), 0, timeout=window)
    try:
        cache.incr(_pin_key(space))
    except ValueError:  # expired between add and incr
        cache.set(_pin_key(space), 1, timeout=window)
    with transaction.atomic():
        ClientSpace.objects.filter(pk=space.pk).update(pin_failures=F("pin_failures") + 1)
        space.refresh_from_db(fields=["pin_failures"])
        audit(
            None,
            "pin_failed",
            f"space:{space.pk}",
            request=request,
            detail={"in_a_row": space.pin_failures},
        )
        if space.pin_failures >= settings.HOLDSPACE_SPACE_PIN_LIMIT:
            audit(None, "lockout", f"space:{space.pk}", request=request)
            return "rested"
    return "wrong"


def first_use(nonce: str) -> bool:
    """True the first time a form's nonce is seen: a double tap stores one row, not two."""
    if not nonce:
        return True
    return bool(cache.add(_nonce_key(nonce), 1, timeout=24 * 3600))


def _nonce_key(nonce: str) -> str:
    # A digest: a posted nonce is any text, and a cache key must stay short and printable.
    return "space:nonce:" + hashlib.sha256(nonce[:64].encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


# --- goals --------------------------------------------------------------------------


def current_episode(client: Client) -> Episode | None:
    """The episode the space shows: the latest one, as on the clinician's client page."""
    return client.episodes.order_by("-opened_on", "-pk").first()


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    marks: list[GoalMark]

    @property
    def latest(self) -> GoalMark | None:
        return self.marks[-1] if self.marks else None


def goals(client: Client) -> list[GoalView]:
    episode = current_episode(client)
    if episode is None:
        return []
    found = Goal.objects.filter(episode=episode).prefetch_related("marks").order_by("added_at")
    return [GoalView(g, list(g.marks.all())) for g in found]


def add_goal(space: ClientSpace, text: str, *, request: HttpRequest | None = None) -> Goal:
    episode = current_episode(space.client)
    if episode is None:
        raise ValidationError({"text": "Goals can be added once your therapist has started."})
    if not text.strip():
        raise ValidationError({"text": "Write the goal in your own words."})
    if len(text) > GOAL_MAX:
        raise ValidationError({"text": f"At most {GOAL_MAX} characters; this has {len(text)}."})
    with transaction.atomic():
        goal = Goal.objects.create(episode=episode, text=text, added_by_client=True)
        audit(None, "create", f"goal:{goal.pk}", request=request, detail={"space": space.pk})
    return goal


def mark_goal(
    space: ClientSpace, goal_id: str, mark: str, *, request: HttpRequest | None = None
) -> GoalMark:
    if mark not in Mark.values:
        raise ValidationError({"mark": f"choose one of {', '.join(Mark.values)}"})
    goal = _own_goal(space, goal_id)
    with transaction.atomic():
        made = GoalMark.objects.create(goal=goal, mark=mark, by_client=True)
        audit(None, "create", f"goal_mark:{made.pk}", request=request, detail={"goal": goal.pk})
    return made


def _own_goal(space: ClientSpace, raw_id: str) -> Goal:
    """A goal of this client's, or NotAvailable: another client's goal id reveals nothing."""
    if not str(raw_id).isdigit():
        raise NotAvailable
    found = Goal.objects.filter(episode__client=space.client, pk=int(raw_id)).first()
    if found is None:
        raise NotAvailable
    return found


# --- the client's own words ---------------------------------------------------------


@dataclass(frozen=True)
class Words:
    on: date
    text: str
    where: Literal["checkin", "space"]
    shared: bool
    words_id: int | None = None


def add_words(
    space: ClientSpace, text: str, *, shared: bool, request: HttpRequest | None = None
) -> ClientWords:
    if not text.strip():
        raise ValidationError({"text": "Write something first; there is no wrong answer."})
    if len(text) > WORDS_MAX:
        raise ValidationError({"text": f"At most {WORDS_MAX} characters; this has {len(text)}."})
    with transaction.atomic():
        words = ClientWords.objects.create(space=space, text=text, shared=shared)
        SpaceChoice.objects.create(
            space=space,
            what=f"words:{words.pk}",
            value="shared" if shared else "private",
            by_client=True,
        )
        audit(None, "create", f"client_words:{words.pk}", request=request)
    return words


def set_words_shared(
    space: ClientSpace, words_id: str, shared: bool, *, request: HttpRequest | None = None
) -> None:
    if not str(words_id).isdigit():
        raise NotAvailable
    words = ClientWords.objects.filter(space=space, pk=int(words_id)).first()
    if words is None:
        raise NotAvailable
    with transaction.atomic():
        if words.shared != shared:
            words.shared = shared
            words.save(update_fields=["shared"])
            SpaceChoice.objects.create(
                space=space,
                what=f"words:{words.pk}",
                value="shared" if shared else "private",
                by_client=True,
            )
            audit(None, "update", f"client_words:{words.pk}", request=request)


def words_timeline(client: Client, *, for_clinician: bool) -> list[Words]:
    """What the client wrote in check-ins and in their space, oldest first.

    The clinician sees only what the client shared; the client sees everything.
    """
    from holdspace.web.checkins.models import CheckinLink

    found: list[tuple[datetime, Words]] = []
    for link in CheckinLink.objects.filter(episode__client=client, used_at__isnull=False).exclude(
        client_note=""
    ):
        assert link.used_at is not None
        found.append(
            (
                link.used_at,
                Words(timezone.localdate(link.used_at), link.client_note, "checkin", True),
            )
        )
    space = space_for(client)
    if space is not None:
        words = space.words.all()
        if for_clinician:
            words = words.filter(shared=True)
        for w in words:
            found.append(
                (w.added_at, Words(timezone.localdate(w.added_at), w.text, "space", w.shared, w.pk))
            )
    return [w for _at, w in sorted(found, key=lambda pair: pair[0])]


# --- the safety plan ----------------------------------------------------------------


def current_plan(space: ClientSpace) -> SafetyPlanVersion | None:
    return space.plan_versions.order_by("-number").first()


def last_review(space: ClientSpace) -> SafetyPlanReview | None:
    return space.plan_reviews.order_by("-at", "-pk").first()


def save_plan(
    space: ClientSpace,
    texts: Mapping[str, str],
    *,
    by: User | None,
    reviewed_together: bool = False,
    request: HttpRequest | None = None,
) -> SafetyPlanVersion | None:
    """Keep a new version when anything changed (None when nothing did).

    The client (`by` None) changes only the steps that are theirs; the rest are carried
    over from the version before, as made with the clinician.
    """
    steps = plan_steps().steps
    editable = {s.id for s in steps if by is not None or s.client_edits}
    too_long = [s.id for s in steps if len(texts.get(s.id, "")) > STEP_TEXT_MAX]
    if too_long:
        raise ValidationError(
            {step: f"At most {STEP_TEXT_MAX} characters in one step." for step in too_long}
        )
    with transaction.atomic():
        ClientSpace.objects.select_for_update().filter(pk=space.pk).first()
        before = current_plan(space)
        old = dict(before.steps) if before else {}
        new = {
            s.id: (texts.get(s.id, "") if s.id in editable else old.get(s.id, "")) for s in steps
        }
        version = None
        if new != {s.id: old.get(s.id, "") for s in steps} or before is None:
            version = SafetyPlanVersion.objects.create(
                space=space,
                number=(before.number + 1) if before else 1,
                steps=new,
                by_client=by is None,
                by=by,
            )
            changed = sorted(k for k in new if new[k] != old.get(k, ""))
            audit(
                by,
                "create",
                f"safety_plan:{space.pk}",
                request=request,
                detail={"version": version.number, "steps": changed},
            )
        if reviewed_together and by is not None:
            record_review(space, by, request=request)
    return version


def record_review(
    space: ClientSpace, by: User, *, request: HttpRequest | None = None
) -> SafetyPlanReview:
    with transaction.atomic():
        version = current_plan(space)
        if version is None:
            raise ValidationError({"plan": "There is no safety plan yet to review."})
        review = SafetyPlanReview.objects.create(space=space, version=version, by=by)
        audit(
            by,
            "update",
            f"safety_plan:{space.pk}",
            request=request,
            detail={"reviewed": version.number},
        )
    return review


def who_can_read(client: Client) -> str:
    """Said plainly on every page of the space."""
    supervised = client.clinician.supervisors.exists()
    return (
        "Your therapist and their supervisor can read this."
        if supervised
        else "Your therapist can read this."
    )


def forget_nonce(nonce: str) -> None:
    """A form that was refused may be sent again, corrected, with the same nonce."""
    if nonce:
        cache.delete(_nonce_key(nonce))
