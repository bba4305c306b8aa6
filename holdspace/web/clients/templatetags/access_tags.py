"""The access rule in templates: `{% if episode|writable_by:user %}`, never the rule retyped."""

from __future__ import annotations

from django import template

from holdspace.web import access
from holdspace.web.accounts.models import User
from holdspace.web.clients.models import Client, Episode

register = template.Library()


@register.filter
def writable_by(record: Client | Episode, user: User) -> bool:
    return isinstance(user, User) and access.can_write(user, record)
