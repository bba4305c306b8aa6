"""The clinician's side: create, share and revoke check-in links; read what came back."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from holdspace.web.access import (
    get_episode_for_user,
    get_rw_checkin_link_for_user,
    get_rw_episode_for_user,
    request_user,
)
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins.forms import NewLinkForm
from holdspace.web.checkins.services import create_link, due_instruments, revoke_link


def _email_enabled() -> bool:
    return bool(settings.EMAIL_HOST)


@login_required
@require_safe  # a page: a POST here would only re-read it (the form posts to "new")
def episode_links(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Links for one episode with their status, and the notes clients sent with them."""
    episode = get_episode_for_user(request, episode_id)
    links = episode.checkin_links.select_related("session").prefetch_related("drafts")
    form = NewLinkForm(episode, email_enabled=_email_enabled())
    user = request_user(request)
    can_write = episode.clinician_id == user.pk
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
        links = episode.checkin_links.select_related("session")
        context = {"episode": episode, "links": links, "form": form, "can_write": True}
        return render(request, "checkins/episode.html", context, status=400)
    link, token = create_link(
        episode,
        form.cleaned_data["session"],
        request_user(request),
        kind=form.cleaned_data["kind"],
        display_name=form.cleaned_data["display_name"],
        request=request,
    )
    url = request.build_absolute_uri(reverse("checkin:start", args=[token]))
    emailed = _email(url, form.cleaned_data.get("email") or "")
    qr_svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True)
    # The token exists only in this response: it is stored hashed and cannot be shown again.
    context = {
        "episode": episode,
        "link": link,
        "url": url,
        "qr_svg": qr_svg,
        "emailed": emailed,
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
    return HttpResponseRedirect(reverse("checkins:episode", args=[link.episode_id]), status=303)
