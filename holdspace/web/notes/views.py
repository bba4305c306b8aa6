"""Session notes with inline language suggestions (the linter in holdspace.language).

Suggestions never block saving: the clinician may apply one with a click, or keep their
wording, and that choice is recorded. Everything works without JavaScript (the server lints
on save and on every page); htmx only makes the same endpoints live as the clinician types.
The audit log gets ids, counts and rule ids only, never note text.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from holdspace.language import apply_suggestion, default_rules, lint
from holdspace.web import access
from holdspace.web.access import (
    get_episode_for_user,
    get_rw_episode_for_user,
    get_rw_note_for_user,
    request_user,
)
from holdspace.web.audit.log import record as audit
from holdspace.web.clients.models import Episode
from holdspace.web.inputs import optional_id
from holdspace.web.notes.forms import ApplyForm, KeepForm, LintForm, NoteForm
from holdspace.web.notes.models import KeptWording, SessionNote


def findings_context(text: str, note: SessionNote | None) -> dict[str, Any]:
    """The findings partial's context: each finding, and whether its words were kept."""
    kept = note.kept() if note is not None else set()
    findings = lint(text)
    marks = [(f.rule, f.text.casefold()) in kept for f in findings]
    items = [{"finding": f, "kept": k} for f, k in zip(findings, marks, strict=True)]
    open_warnings = sum(f.level == "warn" and not k for f, k in zip(findings, marks, strict=True))
    return {"findings": items, "open_warnings": open_warnings, "note": note, "text": text}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _editor_page(
    request: HttpRequest, episode: Episode, form: NoteForm, note: SessionNote | None, text: str
) -> HttpResponse:
    # The editor shows the note (or the episode's sessions): a read of client data.
    target = f"note:{note.pk}" if note is not None else f"episode:{episode.pk}"
    audit(request.user, "read", target, request=request, detail={"page": "note_editor"})
    ctx = {"episode": episode, "form": form, **findings_context(text, note)}
    return render(request, "notes/edit.html", ctx)


@login_required
@require_safe
def note_list(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for_user(request, episode_id)
    user = request_user(request)
    audit(user, "read", f"episode:{episode.pk}:notes", request=request)
    notes = episode.notes.select_related("session", "author")
    rows = [(n, sum(f.level == "warn" for f in lint(n.text))) for n in notes]
    ctx = {"episode": episode, "rows": rows, "can_write": access.can_write(user, episode)}
    return render(request, "notes/list.html", ctx)


@login_required
def note_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_rw_episode_for_user(request, episode_id)
    form = NoteForm(request.POST or None, sessions=episode.sessions.all())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            note = SessionNote.objects.create(
                episode=episode,
                session=form.cleaned_data["session"],
                author=request_user(request),
                text=form.cleaned_data["text"],
            )
            _audit_saved(request, note, "create")
        return redirect("notes:edit", note_id=note.pk)
    return _editor_page(request, episode, form, None, request.POST.get("text", ""))


@login_required
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_rw_note_for_user(request, note_id)
    initial = {"text": note.text, "session": note.session_id}
    form = NoteForm(request.POST or None, initial=initial, sessions=note.episode.sessions.all())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            note.text = form.cleaned_data["text"]
            note.session = form.cleaned_data["session"]
            note.save()
            _audit_saved(request, note, "update")
        return redirect("notes:edit", note_id=note.pk)
    text = request.POST.get("text", note.text) if request.method == "POST" else note.text
    return _editor_page(request, note.episode, form, note, text)


def _audit_saved(request: HttpRequest, note: SessionNote, action: str) -> None:
    findings = lint(note.text)
    warnings = sum(f.level == "warn" for f in findings)
    detail = {"warnings": warnings, "rules": sorted({f.rule for f in findings})}
    audit(request.user, action, f"note:{note.pk}", request=request, detail=detail)
    if warnings:
        messages.info(
            request,
            f"Note saved. There are {warnings} language suggestion(s) below; "
            "you may apply one or keep your wording.",
        )
    else:
        messages.success(request, "Note saved.")


def _optional_note(request: HttpRequest, note_id: int | None) -> SessionNote | None:
    return get_rw_note_for_user(request, note_id) if note_id else None


# The editor lints a saved note as the clinician types (one request per 500 ms pause), so
# a read of a named note is recorded once per note per sign-in session in this window,
# not once per keystroke. A new, unsaved note names no stored record: nothing is read.
LIVE_READ_WINDOW_SECONDS = 10 * 60
_LIVE_READS_KEY = "notes_live_reads"


def _audit_live_read(request: HttpRequest, note: SessionNote | None, via: str) -> None:
    """Record that the live editor read `note` (its kept wordings), at most once a window."""
    if note is None:
        return
    now = time.time()
    seen = {
        key: at
        for key, at in request.session.get(_LIVE_READS_KEY, {}).items()
        if now - at < LIVE_READ_WINDOW_SECONDS
    }
    if str(note.pk) not in seen:
        detail = {"via": via, "window_minutes": LIVE_READ_WINDOW_SECONDS // 60}
        audit(request.user, "read", f"note:{note.pk}", request=request, detail=detail)
        seen[str(note.pk)] = now
    request.session[_LIVE_READS_KEY] = seen


@login_required
@require_POST
def note_lint(request: HttpRequest) -> HttpResponse:
    form = LintForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("text: at most 50,000 characters; note: a note id.")
    note = _optional_note(request, form.cleaned_data["note"])
    _audit_live_read(request, note, "lint")
    ctx = findings_context(form.cleaned_data["text"], note)
    return render(request, "notes/_findings.html", ctx)


@login_required
@require_POST
def note_apply(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("apply: expected 'start|end|replacement'.")
    note = _optional_note(request, form.cleaned_data["note"])
    start, end, replacement = form.cleaned_data["apply"]
    try:
        text = apply_suggestion(form.cleaned_data["text"], start, end, replacement)
    except ValueError as exc:
        return HttpResponseBadRequest(f"apply: {exc}")
    if _is_htmx(request):
        _audit_live_read(request, note, "apply")
        return render(request, "notes/_editor.html", findings_context(text, note))
    if note is not None:
        with transaction.atomic():
            note.text = text
            note.save(update_fields=["text", "updated_at"])
            _audit_saved(request, note, "update")
        return redirect("notes:edit", note_id=note.pk)
    episode_id = optional_id(request.POST.get("episode", ""))
    if episode_id is None:
        return HttpResponseBadRequest("episode: the id of one of your episodes.")
    episode = get_rw_episode_for_user(request, episode_id)
    form_new = NoteForm({"text": text}, sessions=episode.sessions.all())
    return _editor_page(request, episode, form_new, None, text)


@login_required
@require_POST
def note_keep(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_rw_note_for_user(request, note_id)
    form = KeepForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("keep: expected 'rule|start|end'.")
    rule, start, end = form.cleaned_data["keep"]
    text = form.cleaned_data["text"] or note.text
    if rule not in default_rules().ids or not 0 <= start < end <= len(text):
        return HttpResponseBadRequest("keep: unknown rule or a span outside the text.")
    with transaction.atomic():
        KeptWording.objects.get_or_create(note=note, rule=rule, text=text[start:end][:200])
        audit(request.user, "keep_wording", f"note:{note.pk}", request=request,
              detail={"rule": rule})  # fmt: skip
    if _is_htmx(request):
        return render(request, "notes/_findings.html", findings_context(text, note))
    messages.success(request, "Your wording is kept; the choice is recorded.")
    return redirect("notes:edit", note_id=note.pk)
