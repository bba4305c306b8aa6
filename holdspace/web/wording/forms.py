"""CheckedText: a form mixin that lints the free-text fields it names, like session notes.

    class AdaptationForm(CheckedText, forms.Form):
        checked = ("description",)

The template renders each such field with `{% checked_field form.description %}` (one include,
wording/_field.html): the field, and its language suggestions, live with htmx
(POST wording:check as the clinician types) and from the server on every render without it.
A warning's "Keep my wording" is a checkbox named `<field>_keep`, submitted with the form;
`clean()` moves the choices out of cleaned_data into `form.kept`, and the view calls
`form.save_wording(obj, user, request)` once the record is saved. Saving is never blocked.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse

from holdspace.web.wording.checks import Kept, parse_tokens, record_kept, unkept_warnings

KEEP_SUFFIX = "_keep"


class KeepChoices(forms.MultipleHiddenInput):
    """Reads the "Keep my wording" checkboxes; renders nothing (wording/_findings.html does)."""

    def render(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        return ""


class KeepField(forms.Field):
    """The "Keep my wording" choices for one field: "rule|words" values."""

    widget = KeepChoices

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v)[:260] for v in values]


class CheckedText:
    checked: ClassVar[tuple[str, ...]] = ()
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    kept: dict[str, Kept]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = {}
        self.wire_checked()

    def wire_checked(self) -> None:
        """Add the keep field and the live-check attributes (again after adding fields)."""
        for name in self.checked:
            if name in self.fields and name + KEEP_SUFFIX not in self.fields:
                self.fields[name + KEEP_SUFFIX] = KeepField(required=False)
                self.fields[name].widget.attrs.update(_live_attrs(self, name))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name in self.checked:
            self.kept[name] = parse_tokens(data.pop(name + KEEP_SUFFIX, None) or [])
        return data

    def save_wording(
        self, obj: Model, user: Any, request: HttpRequest, fields: dict[str, str] | None = None
    ) -> None:
        """Record the kept wordings of the saved record (form field -> model field in
        `fields` where the names differ) and say what is still worth a look."""
        open_labels: list[str] = []
        for name in self.checked:
            attr = (fields or {}).get(name, name)
            kept = self.kept.get(name, frozenset())
            record_kept(obj, attr, kept, user, request=request)
            text = str(getattr(obj, attr, "") or "")
            open_labels += [f"“{f.text}”" for f in unkept_warnings(text, kept)]
        if open_labels:
            messages.info(
                request,
                "Saved. Language suggestions for "
                + ", ".join(dict.fromkeys(open_labels))
                + ": you may change the wording or keep it.",
            )


def _live_attrs(form: Any, name: str) -> dict[str, str]:
    # A request from inside a form sends the whole form (htmx), so the ticked
    # "Keep my wording" boxes travel with the text.
    html_name = form.add_prefix(name)
    field_id = f"id_{html_name}"
    return {
        "hx-post": reverse("wording:check"),
        "hx-trigger": "input changed delay:500ms",
        "hx-target": f"#{field_id}-findings",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "hx-vals": f'{{"field": "{html_name}"}}',
        "aria-describedby": f"{field_id}-findings",
    }
