"""The client's side of their space: no account, no JavaScript, phone first.

The link opens a visit (see visit.py); every page checks the visit again, and every
form posts, does one thing, and redirects (post/redirect/get).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from holdspace.safetyplan import plan_steps
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins import crisis, ratelimit
from holdspace.web.checkins.services import find_link as find_checkin_link
from holdspace.web.reports.downloads import attachment
from holdspace.web.reports.pdf import render_pdf
from holdspace.web.space import services
from holdspace.web.space.models import Mark, Part
from holdspace.web.space.progress import client_progress
from holdspace.web.space.visit import Visit, end_visit, keep_visit, read_visit

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
# How long after sending a check-in its thank-you page may open the client's space.
HANDOFF_MINUTES = 60

SpaceView = Callable[..., HttpResponse]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"space/public/{template}", context, status=status)


def not_available(request: HttpRequest, status: int = 404) -> HttpResponse:
    """The one kind page for a link or page that does not open (reveals nothing)."""
    response = _page(request, "not_available.html", {"page_title": "Not available"}, status)
    return end_visit(response)


def in_space(part: str | None = None, *, pin: bool = True) -> Callable[[SpaceView], SpaceView]:
    def decorate(view: SpaceView) -> SpaceView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            visit = read_visit(request)
            if visit is None:
                return not_available(request)
            if pin and not visit.open:
                return HttpResponseRedirect(reverse("space:pin"), status=303)
            if part is not None and not visit.space.shows(part):
                context = _context(visit, "This part is switched off")
                context["part"] = Part(part).label
                response = _page(request, "switched_off.html", context)
            else:
                try:
                    response = view(request, visit, *args, **kwargs)
                except services.NotAvailable:
                    return not_available(request)
            return keep_visit(response, visit.link, pin_given=visit.pin_given)

        return never_cache(wrapper)

    return decorate


def _context(visit: Visit, title: str, **extra: Any) -> dict[str, Any]:
    space = visit.space
    return {
        "page_title": title,
        "space": space,
        "name": space.display_name,
        "nav": [(p, Part(p).label) for p in Part.values if space.shows(p)],
        "who": services.who_can_read(space.client),
        "nonce": services.new_nonce(),
        **extra,
    }


def _said(exc: ValidationError) -> str:
    """A refused change in the words the service gave (they name what to do)."""
    return " ".join(exc.messages)


def _back(name: str) -> HttpResponse:
    return HttpResponseRedirect(reverse(name), status=303)


# --- entry and PIN ------------------------------------------------------------------


@never_cache
@require_safe
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """The link the clinician shared: start a visit and take the token out of the address."""
    # Looked up first, as for check-in links: a shared link that works always opens.
    link = services.find_link(token) if TOKEN.match(token) else None
    if link is None:
        if ratelimit.address_blocked(request):
            return _page(
                request, "not_available.html", {"page_title": "Not available", "busy": True}, 429
            )
        ratelimit.count_failure(request)
        return not_available(request)
    if link.revoked_at is not None:
        return not_available(request)
    target = "space:home" if not services.pin_required() else "space:pin"
    return keep_visit(HttpResponseRedirect(reverse(target), status=303), link, pin_given=False)


@never_cache
def pin(request: HttpRequest) -> HttpResponse:
    visit = read_visit(request)
    if visit is None:
        return not_available(request)
    if visit.open:
        return _back("space:home")
    space = visit.space
    choosing = not space.pin_hash
    context = _context(visit, "Choose your PIN" if choosing else "Your PIN", choosing=choosing)
    context["nav"] = []
    status = 200
    if space.pin_failures >= _limit():
        context["rested"] = True
        status = 429
    elif request.method == "POST":
        entered = request.POST.get("pin", "")
        if choosing:
            try:
                services.choose_pin(
                    space, entered, request.POST.get("pin_again", ""), request=request
                )
            except ValidationError as exc:
                context["error"] = _said(exc)
                status = 400
            else:
                return keep_visit(_back("space:home"), visit.link, pin_given=True)
        else:
            outcome = services.check_pin(space, entered, request=request)
            if outcome == "ok":
                return keep_visit(_back("space:home"), visit.link, pin_given=True)
            context[outcome] = True
            status = 429 if outcome in ("wait", "rested") else 400
    response = _page(request, "pin.html", context, status)
    return keep_visit(response, visit.link, pin_given=False)


def _limit() -> int:
    from django.conf import settings

    return int(settings.HOLDSPACE_SPACE_PIN_LIMIT)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    response = _page(request, "left.html", {"page_title": "Your space is closed"})
    return end_visit(response)


# --- the pages ----------------------------------------------------------------------


@in_space()
@require_safe
def home(request: HttpRequest, visit: Visit) -> HttpResponse:
    space = visit.space
    audit(None, "read", f"space:{space.pk}", request=request, detail={"page": "home"})
    context = _context(visit, "Your space")
    plan = services.current_plan(space)
    context["plan"] = plan
    context["review"] = services.last_review(space)
    return _page(request, "home.html", context)


@in_space(Part.PROGRESS)
@require_safe
def progress(request: HttpRequest, visit: Visit) -> HttpResponse:
    audit(None, "read", f"space:{visit.space.pk}", request=request, detail={"page": "progress"})
    context = _context(visit, "My progress", measures=client_progress(visit.space))
    return _page(request, "progress.html", context)


@in_space(Part.GOALS)
def goals(request: HttpRequest, visit: Visit) -> HttpResponse:
    context = _context(visit, "My goals", marks=Mark.choices)
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        if services.first_use(request.POST.get("nonce", "")):
            try:
                services.add_goal(visit.space, text, request=request)
            except ValidationError as exc:
                services.forget_nonce(request.POST.get("nonce", ""))
                context.update(error=_said(exc), text=text)
                status = 400
        if status == 200:
            return _back("space:goals")
    audit(None, "read", f"space:{visit.space.pk}", request=request, detail={"page": "goals"})
    context["goals"] = services.goals(visit.space.client)
    context["can_add"] = services.current_episode(visit.space.client) is not None
    return _page(request, "goals.html", context, status)


@in_space(Part.GOALS)
@require_POST
def goal_mark(request: HttpRequest, visit: Visit) -> HttpResponse:
    # Only a crafted form sends another mark: the radio buttons offer the three.
    if services.first_use(request.POST.get("nonce", "")):
        with contextlib.suppress(ValidationError):
            services.mark_goal(
                visit.space,
                request.POST.get("goal", ""),
                request.POST.get("mark", ""),
                request=request,
            )
    return _back("space:goals")


@in_space(Part.WORDS)
def words(request: HttpRequest, visit: Visit) -> HttpResponse:
    context = _context(visit, "My own words", words_max=services.WORDS_MAX)
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        shared = request.POST.get("shared") == "yes"
        nonce = request.POST.get("nonce", "")
        if services.first_use(nonce):
            try:
                services.add_words(visit.space, text, shared=shared, request=request)
            except ValidationError as exc:
                services.forget_nonce(nonce)
                context.update(error=_said(exc), text=text, shared=shared)
                status = 400
        if status == 200:
            return _back("space:words")
    audit(None, "read", f"space:{visit.space.pk}", request=request, detail={"page": "words"})
    context["timeline"] = list(
        reversed(services.words_timeline(visit.space.client, for_clinician=False))
    )
    return _page(request, "words.html", context, status)


@in_space(Part.WORDS)
@require_POST
def words_share(request: HttpRequest, visit: Visit) -> HttpResponse:
    shared = request.POST.get("shared") == "yes"
    services.set_words_shared(visit.space, request.POST.get("words", ""), shared, request=request)
    return _back("space:words")


def _plan_context(visit: Visit, title: str) -> dict[str, Any]:
    plan = services.current_plan(visit.space)
    texts = plan.steps if plan else {}
    return _context(
        visit,
        title,
        plan=plan,
        steps=[(s, texts.get(s.id, "")) for s in plan_steps().steps],
        sources=plan_steps().sources,
        review=services.last_review(visit.space),
        regions=crisis.resources_or_fallback(),
    )


@in_space(Part.PLAN)
@require_safe
def plan(request: HttpRequest, visit: Visit) -> HttpResponse:
    audit(None, "read", f"safety_plan:{visit.space.pk}", request=request)
    return _page(request, "plan.html", _plan_context(visit, "My safety plan"))


@in_space(Part.PLAN)
def plan_edit(request: HttpRequest, visit: Visit) -> HttpResponse:
    context = _plan_context(visit, "Change my safety plan")
    status = 200
    if request.method == "POST":
        texts = {s.id: request.POST.get(s.id, "") for s in plan_steps().steps if s.client_edits}
        if services.first_use(request.POST.get("nonce", "")):
            try:
                services.save_plan(visit.space, texts, by=None, request=request)
            except ValidationError as exc:
                services.forget_nonce(request.POST.get("nonce", ""))
                context["error"] = _said(exc)
                context["steps"] = [(s, texts.get(s.id, t)) for s, t in context["steps"]]
                status = 400
        if status == 200:
            return _back("space:plan")
    return _page(request, "plan_edit.html", context, status)


@in_space(Part.PLAN)
@require_safe
def plan_pdf(request: HttpRequest, visit: Visit) -> HttpResponse:
    context = _plan_context(visit, "My safety plan")
    context["made_on"] = timezone.localdate()
    pdf = render_pdf(render_to_string("space/plan_pdf.html", context))
    audit(
        None, "export", f"safety_plan:{visit.space.pk}", request=request, detail={"format": "pdf"}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment("my-safety-plan.pdf")
    return response


@in_space()
def choices(request: HttpRequest, visit: Visit) -> HttpResponse:
    if request.method == "POST":
        services.set_parts(visit.space, request.POST.getlist("parts"), by=None, request=request)
        return _back("space:choices")
    context = _context(visit, "What I see", parts=Part.choices)
    context["history"] = list(visit.space.choices.select_related("by")[:30])
    return _page(request, "choices.html", context)


# --- grounding: needs nothing, not even a visit -------------------------------------


@never_cache
@require_safe
def grounding(request: HttpRequest) -> HttpResponse:
    visit = read_visit(request)
    if visit is not None and visit.open:
        response = _page(request, "grounding.html", _context(visit, "Grounding"))
        return keep_visit(response, visit.link, pin_given=visit.pin_given)
    return _page(request, "grounding.html", {"page_title": "Grounding", "nav": []})


# --- from a check-in's thank-you page -----------------------------------------------


# The check-in pages carry no CSRF cookie (docs/checkin.md); the form proves itself with
# the check-in token in the URL and the nonce of the send form, which only that phone has.
@csrf_exempt
@never_cache
def from_checkin(request: HttpRequest, token: str) -> HttpResponse:
    link = find_checkin_link(token) if TOKEN.match(token) else None
    if link is None:
        ratelimit.count_failure(request)
        return not_available(request)
    if request.method != "POST":
        return HttpResponse(status=405)
    recent = (
        link.used_at is not None
        and (timezone.now() - link.used_at).total_seconds() < HANDOFF_MINUTES * 60
    )
    nonce = request.POST.get("nonce", "")
    space = services.space_for(link.episode.client)
    active = services.active_link(space) if space is not None else None
    if not (recent and nonce and nonce == link.send_nonce and active is not None):
        return not_available(request)
    target = "space:home" if not services.pin_required() else "space:pin"
    return keep_visit(_back(target), active, pin_given=False)


def space_offered(checkin_token_link: Any) -> bool:
    """Whether a check-in's thank-you page offers the client's space."""
    space = services.space_for(checkin_token_link.episode.client)
    return space is not None and services.active_link(space) is not None
