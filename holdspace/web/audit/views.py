"""The audit log for admins: newest first, filtered by user and record."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from holdspace.web.access import get_admin
from holdspace.web.audit.models import AuditEvent
from holdspace.web.audit.shown import admin_detail

PAGE_SIZE = 50


class EventFilterForm(forms.Form):
    user = forms.CharField(required=False, max_length=150, label="User (username)")
    target = forms.CharField(
        required=False,
        max_length=120,
        label="Record",
        help_text="A record such as client:12, or a kind such as client for all of them.",
    )


def filtered_events(user: str, target: str) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if user:
        events = events.filter(actor_username=user)
    if target:
        # "client:12" is one record; "client" is every record of that kind.
        events = (
            events.filter(target=target)
            if ":" in target
            else events.filter(target__startswith=f"{target}:")
        )
    return events.order_by("-seq")


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    get_admin(request)
    form = EventFilterForm(request.GET)
    user = target = ""
    if form.is_valid():
        user = form.cleaned_data["user"].strip()
        target = form.cleaned_data["target"].strip()
    page = Paginator(filtered_events(user, target), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": "audit",
        "form": form,
        "events": page,
        "rows": [(event, *admin_detail(event.detail or {})) for event in page],
        "query": f"{query.urlencode()}&" if query else "",
    }
    return render(request, "audit/events.html", ctx)
