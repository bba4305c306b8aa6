"""Template tags: {% checked_field form.x %}, {% stored_wording obj "field" %} and
{% client_text obj "field" %}."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.forms import BoundField

from holdspace.web.wording import checks
from holdspace.web.wording.forms import KEEP_SUFFIX

register = template.Library()


@register.inclusion_tag("wording/_field.html", takes_context=True)
def checked_field(context: template.Context, field: BoundField) -> dict[str, Any]:
    """A checked field with its language suggestions (kept choices carried in the form).

    Sets `live_wording` on the page's outermost context, so base.html loads htmx on the
    pages that have a checked field and on no other."""
    context.dicts[0]["live_wording"] = True
    keep_name = field.html_name + KEEP_SUFFIX
    posted = field.form.data.getlist(keep_name) if hasattr(field.form.data, "getlist") else []
    text = str(field.value() or "")
    return {
        "field": field,
        "items": checks.items(text, checks.parse_tokens(posted)) if text else [],
        "keep_name": keep_name,
    }


@register.inclusion_tag("wording/_stored.html", takes_context=True)
def stored_wording(context: template.Context, obj: Model, field: str) -> dict[str, Any]:
    """For a clinician: what a client-facing field shows the client, and a way to keep it."""
    facing = checks.client_facing(obj, field) and not checks.written_by_client(obj)
    kept = checks.kept_for(obj, field) if facing else frozenset()
    text = str(getattr(obj, field) or "")
    open_items = [
        i for i in checks.items(text, kept) if facing and i.finding.level == "warn" and not i.kept
    ]
    request = context.get("request")
    return {
        "obj": obj,
        "target": checks.target_of(obj),
        "field": field,
        "open_items": open_items,
        "client_sees": checks.client_text(obj, field) if open_items else "",
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def client_text(obj: Model, field: str) -> str:
    """What a client may see of a field (auto-escaped by the template)."""
    return checks.client_text(obj, field)
