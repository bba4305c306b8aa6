"""The clinician's side: create, share and revoke check-in links; read what came back."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from holdspace.web import access
from holdspace.web.access import (
    get_episode_for_user,
    get_rw_checkin_link_for_user,
    get_rw_episode_for_user,
    request_user,
)
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins.forms import NewLinkForm
from holdspace.web.checkins.services import (
    already_recorded,
    create_link,
    due_instruments,
    revoke_link,
)
from holdspace.web.clients.models import Administration, Episode
from holdspace.web.clients.services import SessionHasOne
from holdspace.web.clients.services import already_recorded as already_said


def _email_enabled() -> bool:
    return bool(settings.EMAIL_HOST)


@login_required
@require_safe  # a page: a POST here would only re-read it (the form posts to "new")
def episode_links(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Links for one episode with their status, and the notes clients sent with them."""
    episode = get_episode_for_user(request, episode_id)
    links = episode.checkin_links.select_related("session").prefetch_related(
        "drafts__administration"
    )
    form = NewLinkForm(episode, email_enabled=_email_enabled())
    user = request_user(request)
    can_write = access.can_write(user, episode)
    # The page lists the notes clients sent with their check-ins: a read of client data.
    audit(user, "read", f"episode:{episode.pk}", request=request, detail={"page": "checkins"})
    context = {"episode": episode, "links": links, "form": form, "can_write": can_write}
    return render(request, "checkins/episode.html", context)


@login_required
@require_POST
def new_link(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = NewLinkForm(episode, request.POST, email_enabled=_email_enabled())
    if not form.is_valid():
        return _links_page(request, episode, form, status=400)
    try:
        link, token = create_link(
            episode,
            form.cleaned_data["session"],
            request_user(request),
            kind=form.cleaned_data["kind"],
            display_name=form.cleaned_data["display_name"],
            corrects=request.POST.get("corrects") == "1",
            request=request,
        )
    except SessionHasOne:
        # Nothing written: say what the session has, and offer a link that corrects it.
        recorded = already_recorded(form.cleaned_data["session"], form.cleaned_data["kind"])
        return _links_page(request, episode, form, recorded=recorded)
    url = request.build_absolute_uri(reverse("checkin:start", args=[token]))
    emailed = _email(url, form.cleaned_data.get("email") or "")
    # The token is shown once, on the page this redirects to, and then forgotten.
    request.session[_token_key(link.pk)] = token
    done = f"Check-in link created for session {link.session.number}"
    messages.success(request, f"{done}{' and emailed' if emailed else ''}.")
    return HttpResponseRedirect(reverse("checkins:created", args=[link.pk]), status=303)


def _token_key(link_id: int) -> str:
    return f"checkin-token-{link_id}"


def _links_page(
    request: HttpRequest,
    episode: Episode,
    form: NewLinkForm,
    *,
    recorded: list[Administration] | None = None,
    status: int = 200,
) -> HttpResponse:
    links = episode.checkin_links.select_related("session").prefetch_related(
        "drafts__administration"
    )
    context = {
        "episode": episode,
        "links": links,
        "form": form,
        "can_write": True,
        "recorded": [(a, already_said(a)) for a in recorded or []],
    }
    return render(request, "checkins/episode.html", context, status=status)


@login_required
@require_safe
def created(request: HttpRequest, link_id: int) -> HttpResponse:
    """The new link and its QR code, once: a reload shows that it cannot be shown again."""
    link = get_rw_checkin_link_for_user(request, link_id)
    audit(request.user, "read", f"checkin_link:{link.pk}", request=request)
    token = request.session.pop(_token_key(link.pk), None)
    url = request.build_absolute_uri(reverse("checkin:start", args=[token])) if token else ""
    context = {
        "episode": link.episode,
        "link": link,
        "url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=4, omitsize=True) if url else "",
        "due": due_instruments(link),
    }
    return render(request, "checkins/created.html", context)


def _email(url: str, address: str) -> bool:
    if not address or not _email_enabled():
        return False
    body = (
        "Here is your link for this week's check-in. It works once and closes after "
        "a few days.\n\n"
        f"{url}\n\nYou can skip any question. If you need help now, the page lists "
        "crisis services."
    )
    send_mail("Your check-in link", body, None, [address])
    return True


@login_required
@require_POST
def revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = get_rw_checkin_link_for_user(request, link_id)
    revoke_link(link, request_user(request), request=request)
    messages.success(request, f"The check-in link for session {link.session.number} is revoked.")
    return HttpResponseRedirect(reverse("checkins:episode", args=[link.episode_id]), status=303)
