"""One input-parsing path: numbers are ASCII digits within bounds, text loses control
characters before storage, and none of it gives a 500 (holdspace/web/inputs.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.cache import cache
from django.test import Client as WebClient

from holdspace.limits import MAX_DIGITS, MAX_SESSION_NUMBER
from holdspace.web.checkins.models import CheckinLink
from holdspace.web.inputs import BoundedIntegerField, InputError, clean_json, clean_text, parse_int
from tests.web.test_checkin_support import answers_form, make_link, make_world

pytestmark = pytest.mark.django_db

HOSTILE_NUMBERS = ["²", "٣", "--1", "1e3", "0x10", " ", "1_000", "9" * 5000, "-", "+1", "١٢"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_parse_int_refuses_anything_but_ascii_digits_naming_the_field(raw: str) -> None:
    with pytest.raises(InputError, match=r"^count: a whole number from 1 to 10"):
        parse_int(raw, field="count", minimum=1, maximum=10)


def test_parse_int_reads_ascii_digits_and_checks_both_bounds() -> None:
    assert parse_int(" 7 ", field="n", minimum=1, maximum=10) == 7
    assert parse_int("-3", field="n", minimum=-5, maximum=0) == -3
    with pytest.raises(InputError, match="from 1 to 10"):
        parse_int("11", field="n", minimum=1, maximum=10)
    with pytest.raises(InputError):
        parse_int("1" * (MAX_DIGITS + 1), field="n", minimum=0, maximum=10**30)


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_the_bounded_form_field_gives_a_form_error_not_an_exception(raw: str) -> None:
    class F(forms.Form):
        n = BoundedIntegerField(min_value=1, max_value=MAX_SESSION_NUMBER)

    form = F({"n": raw})

    assert not form.is_valid()
    assert "whole number from 1 to 1,000" in form.errors["n"][0]


def test_clean_text_removes_controls_but_keeps_tabs_line_breaks_and_words() -> None:
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f\tg\r\nh ²€") == "abcdef\tg\r\nh ²€"
    assert clean_json({"k\x00": ["v\x00", 1, {"x": "\x01y"}]}) == {"k": ["v", 1, {"x": "y"}]}


# --- the public check-in -------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "--1", "9" * 5000, "٣", "\x00", "1.0", "<b>1</b>"])
def test_a_hostile_answer_on_the_check_in_is_a_clear_400(raw: str) -> None:
    _, token = make_link(make_world())
    form = answers_form("phq9", [0] * 9)
    form["item-phq9_1"] = raw

    response = WebClient().post(f"/c/{token}/", form)

    assert response.status_code == 400
    assert "item phq9_1:" in response.content.decode()
    assert "choose one of 0, 1, 2, 3 or" in response.content.decode()


def test_the_clients_words_with_a_nul_are_saved_without_it() -> None:
    """PostgreSQL refuses NUL in text: the words must still save, on every database."""
    _, token = make_link(make_world())
    web = WebClient()
    web.post(f"/c/{token}/", answers_form("phq9", [0] * 9))
    web.post(f"/c/{token}/", answers_form("gad7", [0] * 7))

    sent = web.post(
        f"/c/{token}/",
        {"step": "send", "instrument": "", "nonce": "s\x00", "note": "hard\x00 week\x07"},
    )

    assert sent.status_code == 200
    assert CheckinLink.objects.get().client_note == "hard week"
