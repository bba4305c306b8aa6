"""One way to read numbers and text from a request.

Numbers: ASCII digits only (``"²"``, ``"٣"`` and ``"--1"`` are refused, where Python's
``int()`` and ``str.isdigit()`` would accept some of them), at most
``holdspace.limits.MAX_DIGITS`` long, within the field's bounds. Errors name the field and
what is allowed. Text: NUL and the other control characters are removed before storage
(tab and line breaks stay), so a client's words with a stray NUL still save on
PostgreSQL, which refuses NUL in text and JSON.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import models
from django.db.models.signals import pre_save

from holdspace.limits import MAX_DIGITS, MAX_ID

_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(ValueError):
    """A value a person typed that is not allowed; the message names the field."""


def parse_int(raw: object, *, field: str, minimum: int, maximum: int) -> int:
    """`raw` as an integer within [minimum, maximum], or InputError naming `field`."""
    text = str(raw).strip() if raw is not None else ""
    allowed = f"a whole number from {minimum:,} to {maximum:,}"
    if not _INTEGER.fullmatch(text):
        raise InputError(f"{field}: {allowed} (digits 0-9 only)")
    value = int(text)
    if not minimum <= value <= maximum:
        raise InputError(f"{field}: {allowed}")
    return value


def optional_id(raw: object) -> int | None:
    """A record id from a query string or a hidden field, or None when it is not one."""
    try:
        return parse_int(raw, field="id", minimum=1, maximum=MAX_ID)
    except InputError:
        return None


def clean_text(value: str) -> str:
    """`value` without NUL and other control characters (tab and line breaks stay)."""
    return _CONTROL.sub("", value)


def clean_json(value: Any) -> Any:
    """`clean_text` applied to every string (keys too) inside decoded JSON."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    return value


class BoundedIntegerField(forms.IntegerField):
    """An IntegerField that reads ASCII digits only, with both bounds required."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        allowed = f"Enter a whole number from {min_value:,} to {max_value:,}"
        messages = {
            "invalid": f"{allowed} (digits 0-9 only).",
            "min_value": f"{allowed}.",
            "max_value": f"{allowed}.",
        }
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


# Apps whose rows are written by code only, never from typed input: the audit chain hashes
# its fields before saving, so they must reach the database exactly as hashed.
_UNGUARDED_APPS = frozenset({"audit"})


def clean_before_save(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    """pre_save: remove control characters from every text and JSON field of a row.

    The one place that guarantees it for every path into the database (forms, the
    check-in, the client's space, imports); views clean what they pass to `update()`."""
    if sender._meta.app_label in _UNGUARDED_APPS:
        return
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
            setattr(instance, field.attname, clean_text(value))
        elif isinstance(field, models.JSONField) and value is not None:
            setattr(instance, field.attname, clean_json(value))


def connect_text_guard() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("holdspace.web.") and config.label not in _UNGUARDED_APPS:
            for model in config.get_models():
                pre_save.connect(clean_before_save, sender=model, dispatch_uid=f"text:{model}")
