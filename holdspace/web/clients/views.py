"""The clinician's workspace: caseload, clients, episodes, sessions, measures in session.

Every view of client data starts with one of the access helpers in `holdspace.web.access`; every
write goes through `services.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from holdspace.instruments import InstrumentError, UnknownInstrumentError, get_instrument
from holdspace.web import access
from holdspace.web.access import (
    get_client_for_user,
    get_episode_for_user,
    get_rw_administration_for_user,
    get_rw_client_for_user,
    get_rw_episode_for_user,
    get_rw_session_for_user,
    request_user,
    visible_clients,
    visible_episodes,
)
from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.log import record as audit
from holdspace.web.clients import forms, presenters, services
from holdspace.web.clients.models import AdministrationSource, Episode, SessionStatus
from holdspace.web.clients.presenters import episode_page
from holdspace.web.clients.safety import client_safety_history, record_follow_up
from holdspace.web.feedback import add_errors, first_error

# Partials other engineers provide; included once they exist (see _partials).
PARTIALS = {
    "notes_partial": "notes/_episode_notes.html",
    "checkins_partial": "checkins/_episode_checkins.html",
}


def _clinician_choices(user: User) -> list[tuple[int, str]]:
    if user.role != Role.SUPERVISOR:
        return []
    people = [user, *user.supervisees.order_by("username")]
    return [(u.pk, u.get_username()) for u in people]


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = forms.DashboardFilterForm(request.GET or None, clinicians=_clinician_choices(user))
    episodes = visible_episodes(user)
    signal_kind = ""
    if form.is_bound and form.is_valid():
        signal_kind = form.cleaned_data["signal"]
        if form.cleaned_data["clinician"]:
            episodes = episodes.filter(clinician_id=form.cleaned_data["clinician"])
    rows = services.caseload(episodes, signal_kind=signal_kind)
    audit(user, "read", "caseload", request=request, detail={"episodes": len(rows)})
    ctx = {
        "page": "dashboard",
        "form": form,
        "rows": rows,
        "signal_labels": forms.SIGNAL_LABELS,
        "model_problem": services.trajectory_model_problem(),
    }
    return render(request, "clients/dashboard.html", ctx)


@login_required
@require_safe
def client_list(request: HttpRequest) -> HttpResponse:
    clients = visible_clients(request_user(request)).select_related("clinician").order_by("code")
    audit(request.user, "read", "client_list", request=request, detail={"clients": len(clients)})
    return render(request, "clients/client_list.html", {"page": "clients", "clients": clients})


@login_required
def client_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role != Role.CLINICIAN:
        raise Http404  # only clinicians hold caseloads
    form = forms.ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.add_client(
                user,
                form.cleaned_data["code"],
                display_name=form.cleaned_data["display_name"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("clients:episode_open", client_id=client.pk)
    return render(request, "clients/client_add.html", {"page": "clients", "form": form})


@login_required
@require_safe
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    episode = client.episodes.order_by("-opened_on", "-pk").first()
    if episode is None:
        audit(request.user, "read", f"client:{client.pk}", request=request)
        return render(request, "clients/client_empty.html", {"page": "clients", "client": client})
    return _render_episode(request, episode)


@login_required
def episode_open(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    form = forms.EpisodeForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    plan = forms.PlanFormSet(request.POST or None, initial=forms.plan_initial(), prefix="plan")
    if request.method == "POST" and form.is_valid() and plan.is_valid():
        lines = [
            services.PlanLine(
                d["instrument_id"], d["every_n_sessions"], d["from_session"], d["after_session"]
            )
            for d in plan.cleaned_data
            if d.get("include")
        ]
        try:
            episode = services.open_episode(
                client,
                request_user(request),
                opened_on=form.cleaned_data["opened_on"],
                plan=lines,
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("clients:episode_detail", episode_id=episode.pk)
    audit(request.user, "read", f"client:{client.pk}", request=request)
    names = {row["instrument_id"]: row["name"] for row in forms.plan_initial()}
    ctx = {"page": "clients", "client": client, "form": form, "plan": plan, "names": names}
    return render(request, "clients/episode_open.html", ctx)


@login_required
@require_safe
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    return _render_episode(request, get_episode_for_user(request, episode_id))


def _render_episode(
    request: HttpRequest, episode: Episode, *, follow_up: forms.AcknowledgeForm | None = None
) -> HttpResponse:
    user = request_user(request)
    # The client id travels in the detail so that a search by client finds episode reads.
    audit(
        user, "read", f"episode:{episode.pk}", request=request, detail={"client": episode.client_id}
    )
    page = episode_page(episode)
    ctx: dict[str, Any] = {
        "page": "clients",
        "can_write": access.can_write(user, episode),
        "session_form": forms.SessionForm(initial={"date": timezone.localdate()}),
        "close_form": forms.CloseEpisodeForm(),
        "session_statuses": SessionStatus.choices,
        **page,
        "unacknowledged": forms.with_follow_up_forms(page["unacknowledged"], follow_up),
        "safety_history": client_safety_history(user, episode),
        **_partials(),
    }
    return render(request, "clients/episode.html", ctx)


def _partials() -> dict[str, str]:
    found = {}
    for key, name in PARTIALS.items():
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found[key] = name
    return found


@login_required
@require_POST
def episode_close(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = forms.CloseEpisodeForm(request.POST)
    if form.is_valid():
        services.close_episode(
            episode, request_user(request), end_reason=form.cleaned_data["end_reason"],
            request=request,
        )  # fmt: skip
        messages.success(request, "Episode closed.")
        form.save_wording(episode, request_user(request), request)
    else:
        messages.error(request, "To close the episode, say briefly why (end reason).")
    return redirect("clients:episode_detail", episode_id=episode.pk)


@login_required
@require_POST
def session_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = forms.SessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("clients:episode_detail", episode_id=episode.pk)
    session = services.add_session(
        episode,
        request_user(request),
        date=form.cleaned_data["date"],
        status=form.cleaned_data["status"],
        request=request,
    )
    messages.success(request, f"Session {session.number} added.")
    return redirect("clients:episode_detail", episode_id=episode.pk)


@login_required
@require_POST
def session_status(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_rw_session_for_user(request, session_id)
    form = forms.SessionStatusForm(request.POST)
    if form.is_valid():
        services.set_session_status(
            session, request_user(request), form.cleaned_data["status"], request=request
        )
    else:
        messages.error(request, first_error(form))
    return redirect("clients:episode_detail", episode_id=session.episode_id)


@login_required
def administration_add(request: HttpRequest, episode_id: int, instrument_id: str) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrumentError as exc:
        raise Http404 from exc
    sessions = list(episode.sessions.order_by("number"))
    form = forms.AdministrationForm(request.POST or None, instrument=instrument, sessions=sessions)
    # Said before anything is written: the chosen session already has this measure.
    existing = services.current_administration(sessions[-1] if sessions else None, instrument.id)
    if request.method != "POST":
        audit(request.user, "read", f"episode:{episode.pk}", request=request)
    if request.method == "POST" and form.is_valid():
        by_pk = {s.pk: s for s in sessions}
        session = by_pk.get(form.cleaned_data["session"] or 0)
        existing = services.current_administration(session, instrument.id)
        try:
            administration = services.record_administration(
                episode,
                instrument.id,
                form.answers(),
                source=AdministrationSource.IN_SESSION,
                session=session,
                entered_by=request_user(request),
                idempotency_key=form.cleaned_data["idempotency_key"],
                request=request,
                replaces=form.cleaned_data["replaces"],
            )
        except services.SessionHasOne as exc:
            existing = exc.existing
            form.add_error(None, exc)
        except (InstrumentError, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, InstrumentError) else exc)
        else:
            messages.success(request, presenters.saved_message(administration, existing))
            return redirect("clients:episode_detail", episode_id=episode.pk)
    ctx = {
        "page": "clients",
        "episode": episode,
        "instrument": instrument,
        "form": form,
        "existing": existing,
        "existing_note": services.correction_offer(existing) if existing else "",
    }
    return render(request, "clients/administration_add.html", ctx)


@login_required
@require_safe
def administration_detail(request: HttpRequest, administration_id: int) -> HttpResponse:
    administration = access.get_administration_for_user(request, administration_id)
    audit(request.user, "read", f"administration:{administration.pk}", request=request)
    ctx = {"page": "clients", **presenters.administration_page(administration)}
    return render(request, "clients/administration_detail.html", ctx)


@login_required
@require_POST
def safety_acknowledge(request: HttpRequest, administration_id: int) -> HttpResponse:
    administration = get_rw_administration_for_user(request, administration_id)
    form = forms.AcknowledgeForm.for_administration(administration.pk, request.POST)
    if not form.is_valid() or not record_follow_up(request, administration, form):
        # Shown again with what was typed and the reason: nothing written, nothing lost.
        return _render_episode(request, administration.episode, follow_up=form)
    return redirect("clients:episode_detail", episode_id=administration.episode_id)
