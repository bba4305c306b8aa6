"""Stuck-point reviews, protective patterns, life events, adaptations, supervision.

Every view starts with an access helper from holdspace.web.access;
every write goes through services.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from holdspace.instruments import get_instrument
from holdspace.reviews.cards import LAYER_TITLES, SIGNAL_TITLES
from holdspace.reviews.patterns import glossary, prompts
from holdspace.web import access
from holdspace.web.access import (
    get_episode_for_user,
    get_review_for_user,
    get_rw_administration_for_user,
    get_rw_episode_for_user,
    get_rw_pattern_for_user,
    get_rw_review_for_user,
    request_user,
    visible_reviews,
)
from holdspace.web.audit.log import record as audit
from holdspace.web.clients import forms as client_forms
from holdspace.web.clients import services as client_services
from holdspace.web.clients.models import Episode
from holdspace.web.clients.presenters import episode_page
from holdspace.web.clients.safety import client_safety_history, record_follow_up
from holdspace.web.feedback import add_errors
from holdspace.web.inputs import optional_id
from holdspace.web.reviews import forms, services
from holdspace.web.reviews.models import (
    Adaptation,
    HypothesisMark,
    LifeEvent,
    ProtectivePattern,
    ReviewTrigger,
    StuckPointReview,
)

# --- episode overview ---------------------------------------------------------------


@login_required
@require_safe
def episode_reviews(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for_user(request, episode_id)
    user = request_user(request)
    audit(user, "read", f"episode:{episode.pk}", request=request, detail={"page": "reviews"})
    adaptations = [
        (a, services.adaptation_outcome(a)) for a in Adaptation.objects.filter(episode=episode)
    ]
    patterns = ProtectivePattern.objects.filter(episode=episode).prefetch_related(
        "sightings__session"
    )
    ctx: dict[str, Any] = {
        "episode": episode,
        "client": episode.client,
        "can_write": access.can_write(user, episode),
        "reviews": StuckPointReview.objects.filter(episode=episode),
        "adaptations": adaptations,
        "patterns": patterns,
        "life_events": LifeEvent.objects.filter(episode=episode),
        "life_event_form": forms.LifeEventForm(),
        "sighting_form": forms.SightingForm(sessions=_sessions(episode)),
    }
    return render(request, "reviews/episode_reviews.html", ctx)


def _sessions(episode: Episode) -> list[tuple[int, str]]:
    return [(s.pk, f"Session {s.number} ({s.date:%d %b %Y})") for s in episode.sessions.all()]


# --- protective patterns and life events --------------------------------------------


def _pattern_page(
    request: HttpRequest,
    episode: Episode,
    form: forms.PatternForm,
    pattern: ProtectivePattern | None,
) -> HttpResponse:
    # The form shows the pattern (or the episode it belongs to): a read of client data.
    target = f"pattern:{pattern.pk}" if pattern is not None else f"episode:{episode.pk}"
    audit(request.user, "read", target, request=request, detail={"page": "pattern_form"})
    ctx = {
        "episode": episode,
        "client": episode.client,
        "form": form,
        "pattern": pattern,
        "glossary": glossary(),
        "prompts": prompts(),
    }
    return render(request, "reviews/pattern_form.html", ctx)


def _save_pattern(
    request: HttpRequest, episode: Episode, pattern: ProtectivePattern | None
) -> HttpResponse:
    form = forms.PatternForm(request.POST)
    if form.is_valid():
        try:
            saved = services.save_pattern(
                episode,
                request_user(request),
                name=form.cleaned_data["name"],
                glossary_key=form.cleaned_data["glossary_key"],
                fields=form.text_fields(),
                pattern=pattern,
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Protective pattern saved.")
            form.save_wording(saved, request_user(request), request)
            return redirect("reviews:episode_reviews", episode_id=episode.pk)
    return _pattern_page(request, episode, form, pattern)


@login_required
def pattern_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    if request.method == "POST":
        return _save_pattern(request, episode, None)
    return _pattern_page(request, episode, forms.PatternForm(), None)


@login_required
def pattern_edit(request: HttpRequest, pattern_id: int) -> HttpResponse:
    pattern = get_rw_pattern_for_user(request, pattern_id)
    if request.method == "POST":
        return _save_pattern(request, pattern.episode, pattern)
    initial = {f: getattr(pattern, f) for f in services.PATTERN_TEXT_FIELDS}
    initial |= {"name": pattern.name, "glossary_key": pattern.glossary_key}
    return _pattern_page(request, pattern.episode, forms.PatternForm(initial=initial), pattern)


@login_required
@require_POST
def pattern_seen(request: HttpRequest, pattern_id: int) -> HttpResponse:
    pattern = get_rw_pattern_for_user(request, pattern_id)
    episode = pattern.episode
    form = forms.SightingForm(request.POST, sessions=_sessions(episode))
    if not form.is_valid():
        messages.error(request, "Choose a session from the list.")
        return redirect("reviews:episode_reviews", episode_id=episode.pk)
    session_pk = form.cleaned_data["session"]
    session = episode.sessions.filter(pk=session_pk).first() if session_pk else None
    sighting = services.mark_pattern_seen(
        pattern,
        request_user(request),
        session=session,
        note=form.cleaned_data["note"],
        request=request,
    )
    messages.success(request, f"Marked “{pattern.name}” as seen.")
    form.save_wording(sighting, request_user(request), request)
    return redirect("reviews:episode_reviews", episode_id=episode.pk)


@login_required
@require_POST
def life_event_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = forms.LifeEventForm(request.POST)
    if form.is_valid():
        event = services.add_life_event(
            episode, request_user(request), request=request, **form.cleaned_data
        )
        messages.success(request, "Life event noted.")
        form.save_wording(event, request_user(request), request)
    else:
        messages.error(request, "A life event needs a date and a short description.")
    return redirect("reviews:episode_reviews", episode_id=episode.pk)


# --- reviews ------------------------------------------------------------------------


@login_required
def review_open(request: HttpRequest, episode_id: int) -> HttpResponse:
    """GET shows the current signals; POST opens the review (from them, or by hand)."""
    episode = get_rw_episode_for_user(request, episode_id)
    current = services.signal_snapshot(client_services.episode_signals(episode))
    data = request.POST if request.method == "POST" else None
    # "Open a review" beside one signal links here with ?kind=…: start from that signal.
    asked = [k for k in request.GET.getlist("kind") if k in SIGNAL_TITLES]
    form = forms.OpenReviewForm(data, initial={"kinds": asked or [s["kind"] for s in current]})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["kinds"]
        from_signals = [s for s in current if s["kind"] in chosen]
        by_hand = [
            {"kind": k, "severity": "", "summary": "chosen by hand (no current signal)"}
            for k in chosen
            if k not in {s["kind"] for s in from_signals}
        ]
        trigger = ReviewTrigger.SIGNAL if from_signals and not by_hand else ReviewTrigger.MANUAL
        review = services.open_review(
            episode,
            request_user(request),
            signals=from_signals + by_hand,
            trigger=trigger,
            request=request,
        )
        return redirect("reviews:review_detail", review_id=review.pk)
    audit(
        request.user,
        "read",
        f"episode:{episode.pk}",
        request=request,
        detail={"page": "review_open"},
    )
    ctx = {
        "episode": episode,
        "client": episode.client,
        "form": form,
        "current": current,
        "signal_titles": SIGNAL_TITLES,
    }
    return render(request, "reviews/review_open.html", ctx)


def _review_ctx(
    request: HttpRequest,
    review: StuckPointReview,
    *,
    follow_up: client_forms.AcknowledgeForm | None = None,
    plan_form: forms.PlanForm | None = None,
    typed_marks: dict[str, str] | None = None,
) -> dict[str, Any]:
    episode = review.episode
    user = request_user(request)
    data = services.client_data(episode)
    assembled, card_warning = services.assemble_review(review, data)
    marks = {h.card_id: h.mark for h in review.hypotheses.all()} | (typed_marks or {})
    page = episode_page(episode)
    return {
        "review": review,
        "episode": episode,
        "client": episode.client,
        "can_write": access.can_write(user, episode),
        "can_comment": access.can_comment(user, episode),
        "data": data,
        "assembled": assembled,
        "card_warning": card_warning,
        "marks": marks,
        "mark_choices": HypothesisMark.choices,
        "layer_titles": LAYER_TITLES,
        "signal_titles": SIGNAL_TITLES,
        "charts": page["charts"],
        "safety_items": client_forms.with_follow_up_forms(page["unacknowledged"], follow_up),
        "safety_history": client_safety_history(user, episode),
        "plan_form": plan_form or forms.PlanForm(initial={"plan": review.plan}),
        "comment_form": forms.CommentForm(),
        "comments": review.comments.select_related("author"),
        "adaptations": review.adaptations.in_effect(),
    }


@login_required
@require_safe
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_review_for_user(request, review_id)
    audit(request_user(request), "read", f"review:{review.pk}", request=request)
    return render(request, "reviews/review_detail.html", _review_ctx(request, review))


@login_required
@require_safe
def review_summary(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_review_for_user(request, review_id)
    audit(
        request_user(request),
        "read",
        f"review:{review.pk}",
        request=request,
        detail={"page": "summary"},
    )
    return render(request, "reviews/review_summary.html", _review_ctx(request, review))


@login_required
@require_POST
def review_save(request: HttpRequest, review_id: int) -> HttpResponse:
    """Marks and plan from the review page's one form; a refusal shows the page again with
    everything as typed, and nothing saved."""
    review = get_rw_review_for_user(request, review_id)
    marks = {
        key.removeprefix("mark-"): str(request.POST.get(key, ""))
        for key in request.POST
        if key.startswith("mark-")
    }
    form = forms.PlanForm(request.POST)
    if form.is_valid():
        user, data = request_user(request), form.cleaned_data
        if "plan" not in request.POST:  # marks sent alone keep the plan as it was
            data["plan"] = review.plan
        try:
            services.save_review(review, user, marks, request=request, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            form.save_wording(review, user, request)
            messages.success(request, "Marks and plan saved.")
            return redirect("reviews:review_detail", review_id=review.pk)
    ctx = _review_ctx(request, review, plan_form=form, typed_marks=marks)
    return render(request, "reviews/review_detail.html", ctx, status=400)


@login_required
@require_POST
def review_acknowledge(
    request: HttpRequest, review_id: int, administration_id: int
) -> HttpResponse:
    """The only way the safety banner goes: an audited SafetyAcknowledgement."""
    review = get_rw_review_for_user(request, review_id)
    administration = get_rw_administration_for_user(request, administration_id)
    if administration.episode_id != review.episode_id:
        raise Http404
    form = client_forms.AcknowledgeForm.for_administration(administration.pk, request.POST)
    if not form.is_valid() or not record_follow_up(request, administration, form):
        # Shown again with what was typed and the reason: nothing written, nothing lost.
        ctx = _review_ctx(request, review, follow_up=form)
        return render(request, "reviews/review_detail.html", ctx)
    return redirect("reviews:review_detail", review_id=review.pk)


@login_required
@require_POST
def review_comment(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_review_for_user(request, review_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment first.")
        return redirect("reviews:review_detail", review_id=review.pk)
    try:
        comment = services.add_comment(
            review, request_user(request), form.cleaned_data["text"], request=request
        )
    except ValidationError as exc:
        # Readers without the supervisor's right learn nothing more than "not here".
        raise Http404 from exc
    messages.success(request, "Comment added.")
    form.save_wording(comment, request_user(request), request)
    return redirect("reviews:review_detail", review_id=review.pk)


# --- adaptations --------------------------------------------------------------------


@login_required
def adaptation_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    review = _review_from_query(request, episode)
    instruments = [(i, get_instrument(i).name) for i in services.outcome_instruments(episode)]
    last = episode.sessions.order_by("-number").first()
    initial = {"starts_on_session": (last.number + 1) if last else 1}
    form = forms.AdaptationForm(request.POST or None, instruments=instruments, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            adaptation = services.record_adaptation(
                episode, request_user(request), review=review, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Adaptation recorded.")
            form.save_wording(adaptation, request_user(request), request)
            if review is not None:
                return redirect("reviews:review_detail", review_id=review.pk)
            return redirect("reviews:episode_reviews", episode_id=episode.pk)
    audit(
        request.user,
        "read",
        f"episode:{episode.pk}",
        request=request,
        detail={"page": "adaptation_form"},
    )
    ctx = {"episode": episode, "client": episode.client, "form": form, "review": review}
    return render(request, "reviews/adaptation_form.html", ctx)


def _review_from_query(request: HttpRequest, episode: Episode) -> StuckPointReview | None:
    """The review an adaptation answers (`?review=<id>`); 404 for one not in this episode."""
    raw = request.GET.get("review", "")
    if raw == "":
        return None
    review_id = optional_id(raw)
    review = None
    if review_id is not None:
        review = StuckPointReview.objects.filter(episode=episode, pk=review_id).first()
    if review is None:
        raise Http404
    return review


# --- supervision --------------------------------------------------------------------


@login_required
@require_safe
def supervision(request: HttpRequest) -> HttpResponse:
    """Reviews across the caseloads the user may read, by clinician."""
    user = request_user(request)
    reviews = visible_reviews(user).prefetch_related("comments")
    by_clinician: dict[str, list[StuckPointReview]] = {}
    for review in reviews.order_by("episode__clinician__username", "-opened_at"):
        by_clinician.setdefault(review.episode.clinician.get_username(), []).append(review)
    audit(user, "read", "reviews:supervision", request=request)
    ctx = {"by_clinician": by_clinician, "signal_titles": SIGNAL_TITLES}
    return render(request, "reviews/supervision.html", ctx)
