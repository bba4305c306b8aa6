"""The rest of the product for `holdspace demo`: one not-on-track client's whole course.

On top of the seeded caseload (holdspace.web.clients.seed) this adds, for the client whose
story is `holdspace.demo.SHOWCASE_STORY`: protective patterns (one seen in a session), a
stuck-point review opened from the client's signals with marked hypotheses and a plan, a
supervisor's comment, an adaptation a few sessions back, session notes (one with wording
the clinician kept), goals, a check-in the client completed in their own words, and an
open check-in link. Writes go through the apps' services, as a clinician's would; notes
and goals have no service module, so they are written here the way their views do it
(row plus audit record). All the words are invented (holdspace.demo).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from holdspace import demo
from holdspace.language import lint
from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins import services as checkins
from holdspace.web.checkins.models import DraftStatus, LinkKind
from holdspace.web.clients import services as clients
from holdspace.web.clients.models import Client, Episode, Session, SessionStatus
from holdspace.web.notes.models import KeptWording, SessionNote
from holdspace.web.reports.models import Goal
from holdspace.web.reviews import services as reviews
from holdspace.web.reviews.models import ReviewTrigger, StuckPointReview
from holdspace.web.space import services as space


def demo_admin(password: str) -> User:
    """The demo admin (users and the audit log, no clinical content); resets the password."""
    admin, _ = User.objects.get_or_create(username=demo.DEMO_ADMIN, defaults={"role": Role.ADMIN})
    admin.set_password(password)
    admin.save(update_fields=["password"])
    return admin


@dataclass(frozen=True)
class Showcase:
    episode: Episode
    review: StuckPointReview
    built: bool  # False: it was already there (a second run on the same folder)


def build_showcase(clinician: User, supervisor: User, *, today: dt.date) -> Showcase:
    """Add the showcase once; a second run finds the review and leaves everything as it is."""
    client = Client.objects.get(clinician=clinician, code=demo.story_code(demo.SHOWCASE_STORY))
    episode = client.episodes.order_by("-opened_on", "-pk").first()
    if episode is None:
        raise ValueError(f"client {client.code}: no episode to show")
    existing = episode.reviews.first()
    if existing is not None:
        return Showcase(episode, existing, built=False)
    with transaction.atomic():  # all or nothing, so a crash never leaves half a showcase
        sessions = list(episode.sessions.order_by("number"))
        _patterns(episode, clinician, sessions)
        review = _review(episode, clinician, supervisor, sessions)
        _notes(episode, clinician, sessions)
        _goals(episode, clinician)
        _checkins(episode, clinician, sessions[-1], today)
        _space(client, clinician)
    return Showcase(episode, review, built=True)


def share_space_link(showcase: Showcase, clinician: User) -> str:
    """A new link to the showcase client's space (older ones stop); the token, shown once."""
    _space, _link, token = space.share_link(
        showcase.episode.client, clinician, display_name=demo.SHOWCASE_SPACE_NAME
    )
    return token


def _space(client: Client, clinician: User) -> None:
    made = space.ensure_space(client, clinician)
    space.save_plan(made, demo.SHOWCASE_SAFETY_PLAN, by=clinician, reviewed_together=True)


def _back(sessions: list[Session], n: int) -> Session:
    return sessions[max(0, len(sessions) - 1 - n)]


def _patterns(episode: Episode, clinician: User, sessions: list[Session]) -> None:
    saved = [
        reviews.save_pattern(
            episode, clinician, name=p.name, glossary_key=p.glossary_key, fields=p.fields
        )
        for p in demo.SHOWCASE_PATTERNS
    ]
    reviews.mark_pattern_seen(
        saved[0],
        clinician,
        session=_back(sessions, demo.SHOWCASE_SIGHTING_SESSIONS_BACK),
        note=demo.SHOWCASE_SIGHTING_NOTE,
    )


def _review(
    episode: Episode, clinician: User, supervisor: User, sessions: list[Session]
) -> StuckPointReview:
    # Opened from the client's current signals, as the "Open a review" button does.
    signals = reviews.signal_snapshot(clients.episode_signals(episode))
    review = reviews.open_review(
        episode,
        clinician,
        signals=signals,
        trigger=ReviewTrigger.SIGNAL if signals else ReviewTrigger.MANUAL,
    )
    reviews.mark_hypotheses(review, clinician, dict(demo.SHOWCASE_MARKS))
    reviews.save_plan(review, clinician, plan=demo.SHOWCASE_PLAN, complete=True)
    reviews.record_adaptation(
        episode,
        clinician,
        kind=demo.SHOWCASE_ADAPTATION_KIND,
        description=demo.SHOWCASE_ADAPTATION,
        starts_on_session=_back(sessions, demo.SHOWCASE_ADAPTATION_SESSIONS_BACK).number,
        instrument_id="phq9",
        review=review,
    )
    reviews.add_comment(review, supervisor, demo.SHOWCASE_COMMENT)
    return review


def _notes(episode: Episode, clinician: User, sessions: list[Session]) -> None:
    for spec in demo.SHOWCASE_NOTES:
        note = SessionNote.objects.create(
            episode=episode,
            session=_back(sessions, spec.sessions_back),
            author=clinician,
            text=spec.text,
        )
        findings = lint(note.text)
        rules = sorted({f.rule for f in findings})
        detail = {"warnings": sum(f.level == "warn" for f in findings), "rules": rules}
        audit(clinician, "create", f"note:{note.pk}", detail=detail)
        for finding in findings:
            if finding.rule == spec.keep:
                KeptWording.objects.get_or_create(note=note, rule=finding.rule, text=finding.text)
                audit(clinician, "keep_wording", f"note:{note.pk}", detail={"rule": finding.rule})


def _goals(episode: Episode, clinician: User) -> None:
    for text in demo.SHOWCASE_GOALS:
        goal = Goal.objects.create(episode=episode, text=text, added_by=clinician)
        audit(clinician, "create", f"goal:{goal.pk}")


def _checkins(episode: Episode, clinician: User, last: Session, today: dt.date) -> None:
    """Today's session: a check-in the client sent, and an open link for after it."""
    session = clients.add_session(episode, clinician, date=today, status=SessionStatus.ATTENDED)
    link, _token = checkins.create_link(episode, session, clinician, kind=LinkKind.BEFORE)
    # The client answers as at the last session, so the showcase keeps its story.
    previous = {a.instrument_id: list(a.answers) for a in last.administrations.all()}
    for instrument in checkins.due_instruments(link):
        nonce = checkins.new_nonce()
        answers = previous.get(instrument.id)
        if answers is None:  # nothing to repeat: the client chooses "not today"
            checkins.mark_page(link, instrument, DraftStatus.DECLINED, nonce)
            continue
        if instrument.content_note:
            checkins.mark_page(link, instrument, DraftStatus.NOTE_SEEN, nonce)
        checkins.save_page(link, instrument, answers, nonce)
        checkins.clear_interlude(link)
    checkins.send(link, demo.SHOWCASE_CLIENT_WORDS, checkins.new_nonce())
    # The token of the open link is shown once, on creation; the clinician's page lists it.
    checkins.create_link(episode, session, clinician, kind=LinkKind.AFTER)
