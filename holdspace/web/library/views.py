"""The instrument library pages: what Holdspace can measure, under which licence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from holdspace.instruments import (
    UnknownInstrumentError,
    all_instruments,
    get_instrument,
    local_problems,
)


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    # Local problems name only the file and field, never client data, so they can be shown.
    ctx = {"instruments": all_instruments(), "problems": local_problems(), "page": "library"}
    return render(request, "library/list.html", ctx)


@login_required
def instrument_detail(request: HttpRequest, instrument_id: str) -> HttpResponse:
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    ctx = {"instrument": instrument, "page": "library"}
    return render(request, "library/detail.html", ctx)
