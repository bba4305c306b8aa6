"""Progress reports: page, PDF (checked with pypdf, page 1 kept as an image), archive, goals."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from holdspace.instruments import all_instruments
from holdspace.language import lint
from holdspace.web.access import visible_episodes
from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients import services
from holdspace.web.reports.archive import README
from holdspace.web.reports.build import reading_note, report_context, story
from holdspace.web.reports.models import Goal
from tests.web.personas import World

pytestmark = pytest.mark.django_db

OWN_WORDS = "Walking the dog in the mornings has helped a bit"
GOAL = "Sleep through the night most nights"
LABELS = (
    "resistant",
    "non-compliant",
    "noncompliant",
    "failed",
    "manipulative",
    "unmotivated",
    "drop-out",
    "dropout",
)


@pytest.fixture
def world() -> World:
    world = World.create()
    phq9 = ([3, 3, 2, 2, 2, 1, 2, 1, 0], [2, 2, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0, 0])
    for number, answers in enumerate(phq9, start=1):
        day = dt.date(2026, 1, 5) + dt.timedelta(weeks=number)
        session = services.add_session(world.episode, world.alice, date=day)
        when = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        services.record_administration(
            world.episode, "phq9", answers, source="in_session", session=session, completed_at=when
        )
        services.record_administration(
            world.episode,
            "gad7",
            [1, 1, 1, 1, 0, 0, 0],
            source="checkin",
            session=session,
            completed_at=when,
        )
    CheckinLink.objects.create(
        token_hash="x" * 64,
        episode=world.episode,
        session=session,
        display_name="A.",
        created_by=world.alice,
        expires_at=when + dt.timedelta(days=2),
        used_at=when,
        client_note=OWN_WORDS,
    )
    Goal.objects.create(episode=world.episode, text=GOAL, added_by=world.alice)
    return world


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    return str(response.content.decode())


def test_the_client_report_is_plain_and_warm(world) -> None:
    url = reverse("reports:client_report", kwargs={"client_id": world.client.pk})

    html = page_text(signed_in(world.alice).get(url))

    assert "Your progress report" in html
    assert "Mood" in html and "Worry and anxiety" in html
    # PHQ-9 16 -> 4: a change of 12, beyond the reliable change of 6 (psychometrics.md §1).
    assert "a change of 12 points towards things being easier" in html
    assert OWN_WORDS in html and GOAL in html
    assert "What the numbers mean, and what they do not" in html
    assert "<svg" in html
    assert "Signals" not in html
    assert not [w for w in LABELS if w in html.lower()]


def test_the_clinician_version_adds_signals_and_reviews(world) -> None:
    url = reverse("reports:clinician_report", kwargs={"client_id": world.client.pk})

    html = page_text(signed_in(world.alice).get(url))

    assert "clinician version" in html
    assert "<h3>Signals</h3>" in html
    assert "Stuck-point reviews and adaptations" in html
    assert "reliable-change threshold" in html  # the chart's rule, with its source


def test_the_page_and_the_pdf_draw_the_same_chart(world) -> None:
    url = reverse("reports:client_report", kwargs={"client_id": world.client.pk})
    html = page_text(signed_in(world.alice).get(url))

    pdf_html = render_to_string(
        "reports/report_pdf.html",
        report_context(world.client, visible_episodes(world.alice), clinician=False),
    )

    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2
    assert svgs == re.findall(r"<svg.*?</svg>", pdf_html, re.S)


def test_the_pdf_holds_the_report_text(world, artifacts_dir) -> None:
    url = reverse("reports:client_pdf", kwargs={"client_id": world.client.pk})

    response = signed_in(world.alice).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "your progress report" in text.lower()  # the kicker is set in capitals
    for expected in ("For ALICE-01", "Mood", GOAL, OWN_WORDS, "What the numbers mean"):
        assert expected in text, expected
    assert not [w for w in LABELS if w in text.lower()]
    keep_first_page(response.content, artifacts_dir / "progress-report-client")


def test_the_clinician_pdf_renders(world, artifacts_dir) -> None:
    url = reverse("reports:clinician_pdf", kwargs={"client_id": world.client.pk})

    response = signed_in(world.sam).get(url)

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "clinician version" in " ".join(text.split()).lower()
    keep_first_page(response.content, artifacts_dir / "progress-report-clinician")


def keep_first_page(pdf: bytes, stem) -> None:
    """Page 1 as a PNG test artefact (pdftoppm from poppler-utils)."""
    assert shutil.which("pdftoppm"), "pdftoppm is needed (apt-get install poppler-utils)"
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(stem),
        ],
        check=True,
    )
    image = stem.with_suffix(".png")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_archive_holds_a_readable_full_record(world) -> None:
    url = reverse("reports:archive", kwargs={"client_id": world.client.pk})

    response = signed_in(world.alice).get(url)

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "progress-report.pdf",
        "record.fhir.json",
        "scores.csv",
    ]
    assert "This folder holds everything recorded" in archive.read("README.txt").decode()
    bundle = Bundle.model_validate_json(archive.read("record.fhir.json"))
    kinds = [e.resource.get_resource_type() for e in bundle.entry or [] if e.resource]
    assert kinds.count("QuestionnaireResponse") == 6
    csv_lines = archive.read("scores.csv").decode().splitlines()
    assert csv_lines[0] == (
        "episode_id,client_id,clinician_id,session_number,date,instrument,total,no_total"
    )
    assert len(csv_lines) == 7
    assert PdfReader(io.BytesIO(archive.read("progress-report.pdf"))).pages


def test_only_the_clients_own_clinician_downloads_the_archive(world) -> None:
    url = reverse("reports:archive", kwargs={"client_id": world.client.pk})

    assert signed_in(world.sam).get(url).status_code == 404


def test_goals_are_added_and_removed_by_the_clinician(world) -> None:
    add = reverse("reports:goal_add", kwargs={"episode_id": world.episode.pk})
    browser = signed_in(world.alice)

    browser.post(add, {"text": "  Feel safe enough to go to the shop  "})
    empty = browser.post(add, {"text": ""}, follow=True)

    assert list(Goal.objects.filter(episode=world.episode).values_list("text", flat=True)) == [
        GOAL,
        "Feel safe enough to go to the shop",
    ]
    assert "Write the goal (up to 300 characters)." in empty.content.decode()
    goal = Goal.objects.get(text=GOAL)
    remove = reverse(
        "reports:goal_remove", kwargs={"episode_id": world.episode.pk, "goal_id": goal.pk}
    )
    assert signed_in(world.sam).post(remove).status_code == 404
    browser.post(remove)
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_the_fhir_in_the_archive_matches_the_api(world) -> None:
    api = reverse("api:client_bundle", kwargs={"client_id": world.client.pk})
    zipped = reverse("reports:archive", kwargs={"client_id": world.client.pk})
    browser = signed_in(world.alice)

    from_api = json.loads(browser.get(api).content)
    from_zip = json.loads(
        zipfile.ZipFile(io.BytesIO(browser.get(zipped).content)).read("record.fhir.json")
    )

    assert [e["fullUrl"] for e in from_api["entry"]] == [e["fullUrl"] for e in from_zip["entry"]]


def all_stories() -> list[str]:
    """Every sentence the report can say about change, for every bundled instrument."""
    from holdspace.web.clients.presenters import Chart, Row

    def chart(instrument, totals):
        rows = [Row(n, f"{n} Jan 2026", t, "", "") for n, t in enumerate(totals, 1)]
        return Chart(instrument=instrument, svg="", rows=rows, rc_note="")

    found = []
    for instrument in all_instruments():
        low, high = instrument.total_min, instrument.total_max
        for totals in ([], [low], [low, high], [high, low], [low, low]):
            found.append(story(instrument, chart(instrument, totals)))
        found.append(reading_note(instrument))
    return found


def test_every_bundled_instrument_has_an_everyday_name() -> None:
    missing = [i.id for i in all_instruments() if i.plain_name == i.name]

    assert missing == []


def test_the_reports_own_words_pass_the_language_linter() -> None:
    texts = [*all_stories(), *(i.plain_name for i in all_instruments()), README]

    # Same bar as tests/web/test_product_language.py: warnings fail, hints ("info") do not.
    findings = [(f.rule, text) for text in texts for f in lint(text) if f.level == "warn"]

    assert findings == []


def test_an_archive_that_cannot_be_packed_says_why(world) -> None:
    from holdspace.web.clients.models import Administration

    Administration.objects.filter(instrument_id="gad7").update(instrument_id="local_removed")
    url = reverse("reports:archive", kwargs={"client_id": world.client.pk})

    response = signed_in(world.alice).get(url, follow=True)

    assert (
        "The record could not be packed: instrument &#x27;local_removed&#x27; is not installed"
        in (response.content.decode())
    )
