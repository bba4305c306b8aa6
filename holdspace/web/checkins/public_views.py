"""The client's side: one URL per link, no sign-in, works without JavaScript.

The view asks the services which screen is due (crisis resources, a grounding pause, a
content note, a measure, or the send page) and renders it; each POST does one thing and
redirects back (post/redirect/get), so a reload never repeats an answer.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from holdspace.web.checkins import crisis, ratelimit
from holdspace.web.checkins.models import CheckinLink, DraftStatus, LinkKind
from holdspace.web.checkins.services import (
    AnswerFormError,
    Step,
    clear_interlude,
    current_step,
    find_link,
    mark_page,
    new_nonce,
    parse_answers,
    save_page,
    send,
)
from holdspace.web.inputs import clean_text

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
NOTE_MAX = 4000


# The token in the URL is the credential: a forged cross-site post would need the token
# itself, and a CSRF cookie would only make the page fail on phones that block cookies.
@csrf_exempt
@never_cache
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    # The link is looked up first: a valid, open link always opens, whatever others from
    # the same address (a clinic's Wi-Fi, a mobile carrier) have guessed. Only unknown
    # tokens count against an address, and only they are refused once it is over.
    link = find_link(token) if TOKEN.match(token) else None
    if link is None:
        if ratelimit.address_blocked(request):
            return _closed(request, "busy", 429)
        ratelimit.count_failure(request)
        return _closed(request, "unknown", 404)
    status = link.status()
    if status != "open" and not ratelimit.token_allowed(link.token_hash):
        return _closed(request, "busy", 429)
    if status == "used" and request.method == "POST" and request.POST.get("step") == "send":
        # A retried "Send" whose first attempt went through: say thank you again.
        outcome = send(link, "", clean_text(request.POST.get("nonce", ""))[:64], request=request)
        if outcome.sent:
            return _thanks(request, link, outcome.has_risk)
    if status != "open":
        return _closed(request, status, 410)
    if request.method == "POST":
        return _post(request, link)
    return _show(request, link, current_step(link))


def _post(request: HttpRequest, link: CheckinLink) -> HttpResponse:
    step = current_step(link)
    posted_instrument = request.POST.get("instrument", "")
    expected = step.instrument.id if step.instrument else ""
    if request.POST.get("step") != step.kind or posted_instrument != expected:
        # A stale form (double tap, back button): show the screen that is due now.
        return HttpResponseRedirect(request.path, status=303)
    nonce = clean_text(request.POST.get("nonce", ""))[:64] or new_nonce()
    action = request.POST.get("action", "")
    if step.kind in ("crisis", "pause"):
        clear_interlude(link)
    elif step.kind == "send":
        # The client's own words are kept; only invisible control characters are removed.
        note = clean_text(request.POST.get("note", ""))
        if len(note) > NOTE_MAX:
            error = f"note: at most {NOTE_MAX} characters, this one has {len(note)}"
            return _show(request, link, step, error=error, status=400, note=note)
        outcome = send(link, note, nonce, request=request)
        return _thanks(request, link, outcome.has_risk)
    elif step.instrument is not None and action == "skip_measure":
        mark_page(link, step.instrument, DraftStatus.DECLINED, nonce, request=request)
    elif step.instrument is not None and step.kind == "note":
        mark_page(link, step.instrument, DraftStatus.NOTE_SEEN, nonce, request=request)
    elif step.instrument is not None:
        try:
            answers = parse_answers(step.instrument, request.POST.dict())
        except AnswerFormError as exc:
            return _show(request, link, step, error=str(exc), status=400)
        save_page(link, step.instrument, answers, nonce, request=request)
    return HttpResponseRedirect(request.path, status=303)


def _show(
    request: HttpRequest,
    link: CheckinLink,
    step: Step,
    *,
    error: str = "",
    status: int = 200,
    note: str = "",
) -> HttpResponse:
    context: dict[str, Any] = {
        "link": link,
        "name": link.display_name,
        "step": step,
        "instrument": step.instrument,
        "nonce": new_nonce(),
        "error": error,
        "note": note,
        "note_max": NOTE_MAX,
        "after_session": link.kind == LinkKind.AFTER,
        "page_title": _title(step),
    }
    if step.kind == "crisis":
        context["regions"] = crisis.resources_or_fallback()
    return render(request, f"checkins/public/{step.kind}.html", context, status=status)


def _title(step: Step) -> str:
    if step.kind == "measure" and step.instrument is not None:
        return f"{step.instrument.name} ({step.position} of {step.total})"
    return {
        "crisis": "Help is available now",
        "pause": "A pause, if you would like one",
        "note": "Before the next questions",
        "send": "Anything else, then send",
    }.get(step.kind, "Check-in")


def _thanks(request: HttpRequest, link: CheckinLink, has_risk: bool) -> HttpResponse:
    from holdspace.web.space.public_views import space_offered

    link.refresh_from_db(fields=["send_nonce", "used_at"])
    context = {
        "name": link.display_name,
        "has_risk": has_risk,
        "regions": crisis.resources_or_fallback() if has_risk else [],
        "page_title": "Thank you",
        # The client's own space, when their clinician has shared one (docs/client-space.md).
        "space_offered": space_offered(link),
        "token": request.path.strip("/").split("/")[-1],
        "send_nonce": link.send_nonce,
    }
    return render(request, "checkins/public/thanks.html", context)


def _closed(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    context = {"reason": reason, "page_title": "This link is closed"}
    return render(request, "checkins/public/closed.html", context, status=status)


@never_cache
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis resources without a link: reachable from every check-in screen."""
    try:
        regions = crisis.load_regions()
    except ImproperlyConfigured:  # a broken clinic file must not hide the help
        regions = {}
    wanted = request.GET.get("region", "")
    shown = crisis.resources_or_fallback(wanted if wanted in regions else None)
    others = sorted((r for r in regions.values() if r not in shown), key=lambda r: r.name)
    context = {"regions": shown, "others": others, "page_title": "Help is available now"}
    return render(request, "checkins/public/help.html", context)
