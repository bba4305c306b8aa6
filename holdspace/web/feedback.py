"""How a view passes a service's answer on: errors beside their field, or a one-line message.

Shared by the apps so that a refused change reads the same everywhere: the field it
concerns and what is allowed (the services' ValidationError text), never a bare "error".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

P = ParamSpec("P")


def add_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def first_error(form: Form) -> str:
    """The form's first error as "field: message", for a message after a redirect."""
    for name, errors in form.errors.items():
        return f"{name}: {errors[0]}"
    return "Please check the form."


def tell(
    request: HttpRequest,
    success: str,
    change: Callable[P, object],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> None:
    """Call a service: `change(*args, **kwargs)`; then say `success`, or what the service
    refused and why (its ValidationError). Positional-only, so `request=` reaches the service."""
    try:
        change(*args, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
