"""The live check behind every checked field, and keeping the wording of a saved record.

`check` lints the text the clinician is typing (their own typing, sent back to them: no record
is read, nothing is audited). `keep` records "keep my wording" for a saved record's field; it
is audited with the rule id, never the words.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from holdspace.web.access import EPISODE_CLINICIAN, get_for_user, request_user
from holdspace.web.wording.checks import FIELDS, items, parse_tokens, record_kept
from holdspace.web.wording.forms import KEEP_SUFFIX

MAX_CHARS = 10_000


def _models() -> dict[str, tuple[type[Model], str]]:
    """Records whose fields may be kept after saving: model name -> (model, clinician path)."""
    from holdspace.web.clients.models import Episode
    from holdspace.web.reports.models import Goal
    from holdspace.web.reviews.models import (
        Adaptation,
        LifeEvent,
        ProtectivePattern,
        ReviewComment,
        StuckPointReview,
    )

    nested: dict[type[Model], str] = {
        m: EPISODE_CLINICIAN for m in (Goal, Adaptation, LifeEvent, ProtectivePattern)
    }
    nested[StuckPointReview] = EPISODE_CLINICIAN
    nested[ReviewComment] = "review__episode__clinician"
    nested[Episode] = "clinician"
    return {m._meta.model_name or "": (m, path) for m, path in nested.items()}


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("field", "")
    text = request.POST.get(name, "")
    if not name or len(name) > 60 or len(text) > MAX_CHARS:
        return HttpResponseBadRequest(
            f"field: a field name; text: at most {MAX_CHARS:,} characters."
        )
    kept = parse_tokens(request.POST.getlist(name + KEEP_SUFFIX))
    ctx = {"items": items(text, kept), "keep_name": name + KEEP_SUFFIX}
    return render(request, "wording/_findings.html", ctx)


@login_required
@require_POST
def keep(request: HttpRequest) -> HttpResponse:
    kind, _, pk = request.POST.get("target", "").partition(":")
    field = request.POST.get("field", "")
    models = _models()
    if (
        kind not in models
        or not pk.isdigit()
        or (f"{models[kind][0]._meta.label_lower}", field) not in FIELDS
    ):
        return HttpResponseBadRequest(
            "target: a record such as 'goal:7'; field: one of its checked fields."
        )
    model, path = models[kind]
    obj = get_for_user(request, model._default_manager.all(), int(pk), clinician=path, write=True)
    kept = parse_tokens(request.POST.getlist("keep"))
    if record_kept(obj, field, kept, request_user(request), request=request):
        messages.success(request, "Your wording is kept; the choice is recorded.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)
