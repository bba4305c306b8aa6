"""The clinician's side of a client's space: share or stop the link, reset the PIN, switch
parts with the client, make and review the safety plan together in session."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from holdspace.safetyplan import plan_steps
from holdspace.web import access
from holdspace.web.access import get_client_for_user, get_rw_client_for_user, request_user
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins import crisis
from holdspace.web.clients.models import Client
from holdspace.web.reports.downloads import attachment
from holdspace.web.reports.pdf import render_pdf
from holdspace.web.space import services
from holdspace.web.space.models import ClientSpace, Part


def _back(client: Client, anchor: str = "") -> HttpResponse:
    url = reverse("spaces:manage", args=[client.pk]) + (f"#{anchor}" if anchor else "")
    return HttpResponseRedirect(url, status=303)


def _space(request: HttpRequest, client: Client) -> ClientSpace:
    """For a change: the client's space, made on first use (it opens only with a link)."""
    return services.ensure_space(client, request_user(request))


@login_required
@require_safe
def manage(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    user = request_user(request)
    space = services.space_for(client)
    audit(user, "read", f"client:{client.pk}", request=request, detail={"page": "space"})
    context: dict[str, Any] = {
        "page": "clients",
        "client": client,
        "space": space,
        "can_write": access.can_write(user, client),
        "parts": Part.choices,
        "goals": services.goals(client),
        "words": services.words_timeline(client, for_clinician=True),
    }
    if space is not None:
        context.update(
            link=services.active_link(space),
            plan=services.current_plan(space),
            review=services.last_review(space),
            choices=list(space.choices.select_related("by")[:20]),
            pin_on=services.pin_required(),
        )
    return render(request, "space/manage.html", context)


@login_required
@require_POST
def share(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    try:
        space, link, token = services.share_link(
            client,
            request_user(request),
            display_name=request.POST.get("display_name", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(client)
    url = request.build_absolute_uri(reverse("space:enter", args=[token]))
    qr_svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True)
    # The token exists only in this response: it is stored hashed and cannot be shown again.
    context = {"page": "clients", "client": client, "space": space, "url": url, "qr_svg": qr_svg}
    return render(request, "space/shared.html", context)


@login_required
@require_POST
def revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    count = services.revoke(_space(request, client), request_user(request), request=request)
    messages.success(request, "The link is stopped." if count else "There was no open link.")
    return _back(client, "link")


@login_required
@require_POST
def pin_reset(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    services.reset_pin(_space(request, client), request_user(request), request=request)
    messages.success(request, "The PIN is reset: the client chooses a new one on their next visit.")
    return _back(client, "link")


@login_required
@require_POST
def parts(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    space = _space(request, client)
    user = request_user(request)
    try:
        services.set_parts(space, request.POST.getlist("parts"), by=user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(client, "parts")
    services.set_share_comparison(
        space, request.POST.get("share_comparison") == "on", user, request=request
    )
    messages.success(request, "The client's space is updated.")
    return _back(client, "parts")


def _plan_context(client: Client, space: ClientSpace | None) -> dict[str, Any]:
    plan = services.current_plan(space) if space is not None else None
    texts = plan.steps if plan else {}
    return {
        "page": "clients",
        "client": client,
        "space": space,
        "plan": plan,
        "steps": [(s, texts.get(s.id, "")) for s in plan_steps().steps],
        "sources": plan_steps().sources,
        "review": services.last_review(space) if space is not None else None,
        "regions": crisis.resources_or_fallback(),
    }


@login_required
def plan_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """The safety plan, made together in session: every step, and "reviewed together"."""
    if request.method == "POST":
        client = get_rw_client_for_user(request, client_id)
        space: ClientSpace | None = _space(request, client)
    else:
        client = get_client_for_user(request, client_id)
        space = services.space_for(client)
    user = request_user(request)
    context = _plan_context(client, space)
    context["can_write"] = access.can_write(user, client)
    if request.method == "POST":
        texts = {s.id: request.POST.get(s.id, "") for s in plan_steps().steps}
        assert space is not None
        try:
            services.save_plan(
                space,
                texts,
                by=user,
                reviewed_together=request.POST.get("reviewed") == "on",
                request=request,
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            context["steps"] = [(s, texts.get(s.id, "")) for s, _t in context["steps"]]
            return render(request, "space/plan_edit.html", context, status=400)
        messages.success(request, "The safety plan is saved; earlier versions are kept.")
        return _back(client, "plan")
    audit(user, "read", f"client:{client.pk}", request=request, detail={"page": "safety_plan"})
    return render(request, "space/plan_edit.html", context)


@login_required
@require_POST
def plan_reviewed(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_rw_client_for_user(request, client_id)
    try:
        services.record_review(_space(request, client), request_user(request), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Recorded: the safety plan was reviewed together today.")
    return _back(client, "plan")


@login_required
@require_safe
def plan_versions(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    space = services.space_for(client)
    audit(request.user, "read", f"client:{client.pk}", request=request, detail={"page": "plans"})
    steps = plan_steps().steps
    found = space.plan_versions.select_related("by") if space is not None else []
    versions = [(v, [(s, v.steps.get(s.id, "")) for s in steps]) for v in found]
    reviews = list(space.plan_reviews.select_related("by", "version")) if space else []
    context = {"page": "clients", "client": client, "versions": versions, "reviews": reviews}
    return render(request, "space/plan_versions.html", context)


@login_required
@require_safe
def plan_pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    context = _plan_context(client, services.space_for(client))
    context["made_on"] = timezone.localdate()
    pdf = render_pdf(render_to_string("space/plan_pdf.html", context))
    audit(request.user, "export", f"client:{client.pk}", request=request, detail={"plan": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment(f"safety-plan-{client.code}.pdf")
    return response
