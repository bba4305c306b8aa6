"""Template filters for the clinician's pages: {{ when|ago }}."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from holdspace.phrases import ago as _ago

register = template.Library()


@register.filter
def ago(when: dt.datetime | dt.date) -> str:
    """'today', 'yesterday', '7 days ago', in the server's time zone."""
    day = timezone.localdate(when) if isinstance(when, dt.datetime) else when
    return _ago(day, timezone.localdate())
