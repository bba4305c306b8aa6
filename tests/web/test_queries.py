"""The dashboard and the client page make the same number of queries for 10 or 500 clients."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from holdspace.web.clients.models import Episode
from holdspace.web.clients.seed import bulk_caseload
from tests.web.personas import make_user

pytestmark = pytest.mark.django_db


def _queries(user, url: str) -> int:
    c = Client()
    c.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["dashboard", "client"])
def test_query_count_does_not_grow_with_the_caseload(page: str) -> None:
    today = dt.date.today()
    counts = []
    for n in (10, 500):
        user = make_user(f"clin{n}")
        bulk_caseload(user, n, today=today)
        episode = Episode.objects.filter(clinician=user).order_by("pk").first()
        assert episode is not None
        if page == "dashboard":
            url = reverse("clients:dashboard")
        else:
            url = reverse("clients:episode_detail", args=[episode.pk])
        counts.append(_queries(user, url))

    assert counts[0] == counts[1], counts
    # A sanity cap; includes the audit write and the notes partial. Growth is what matters.
    assert counts[1] <= 40, counts
