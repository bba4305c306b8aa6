"""Progress reports: a print-friendly page and a PDF, client and clinician versions; the
client's full record as a zip; goals for an episode."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from holdspace.interop import InteropError
from holdspace.web import access
from holdspace.web.access import (
    get_client_for_user,
    get_rw_client_for_user,
    get_rw_episode_for_user,
    request_user,
    visible_episodes,
)
from holdspace.web.audit.log import record as audit
from holdspace.web.reports.archive import portability_zip
from holdspace.web.reports.build import report_context
from holdspace.web.reports.downloads import attachment
from holdspace.web.reports.forms import GoalForm
from holdspace.web.reports.models import Goal
from holdspace.web.reports.pdf import render_pdf


@login_required
@require_GET
def report(request: HttpRequest, client_id: int, clinician: bool = False) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    user = request_user(request)
    ctx = report_context(client, visible_episodes(user), clinician=clinician)
    ctx["can_write"] = access.can_write(user, client)
    ctx["page"] = "clients"
    version = "clinician" if clinician else "client"
    audit(user, "read", f"client:{client.pk}", request=request, detail={"report": version})
    return render(request, "reports/report.html", ctx)


@login_required
@require_GET
def report_pdf(request: HttpRequest, client_id: int, clinician: bool = False) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    user = request_user(request)
    ctx = report_context(client, visible_episodes(user), clinician=clinician)
    pdf = render_pdf(render_to_string("reports/report_pdf.html", ctx))
    version = "clinician" if clinician else "client"
    audit(user, "export", f"client:{client.pk}", request=request, detail={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment(f"progress-report-{client.code}-{version}.pdf")
    return response


@login_required
@require_GET
def archive(request: HttpRequest, client_id: int) -> HttpResponse:
    """Data portability: only the client's own clinician hands over the full record."""
    client = get_rw_client_for_user(request, client_id)
    user = request_user(request)
    try:
        body = portability_zip(client, visible_episodes(user))
    except InteropError as exc:
        messages.error(request, f"The record could not be packed: {exc}.")
        return redirect("reports:client_report", client_id=client.pk)
    audit(user, "export", f"client:{client.pk}", request=request, detail={"format": "zip"})
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = attachment(f"holdspace-record-{client.code}.zip")
    return response


@login_required
@require_POST
def goal_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = GoalForm(request.POST)
    if form.is_valid():
        goal = Goal.objects.create(
            episode=episode, text=form.cleaned_data["text"], added_by=request_user(request)
        )
        audit(request.user, "create", f"goal:{goal.pk}", request=request)
        form.save_wording(goal, request_user(request), request)
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["text"]))
    return redirect("reports:clinician_report", client_id=episode.client_id)


@login_required
@require_POST
def goal_remove(request: HttpRequest, episode_id: int, goal_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    goal = Goal.objects.filter(episode=episode, pk=goal_id).first()
    if goal is None:
        raise Http404
    goal.delete()
    audit(request.user, "delete", f"goal:{goal_id}", request=request)
    return redirect("reports:clinician_report", client_id=episode.client_id)
