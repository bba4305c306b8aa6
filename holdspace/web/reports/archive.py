"""A client's full record as one readable zip: PDF report, FHIR JSON, CSV and a README."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from django.db.models import QuerySet
from django.template.loader import render_to_string

from holdspace.interop import build_bundle, bundle_json, write_csv
from holdspace.web.api.records import client_records
from holdspace.web.clients.models import Client, Episode
from holdspace.web.reports.build import report_context
from holdspace.web.reports.pdf import render_pdf

README = """\
Your record from Holdspace
==========================

This folder holds everything recorded in Holdspace about your work with your
therapist, made on {made}. It is yours: you can keep it, read it, or give it to
someone you choose.

What is inside
--------------

progress-report.pdf
    Your progress report: charts of the questionnaires you filled in, what
    they mean and what they do not, your goals and your own words.

record.fhir.json
    The same questionnaires with every answer, in FHIR, a standard format
    that other health record systems can read. A question you chose to skip
    is marked asked-declined: you were asked and chose not to answer.

scores.csv
    One line per questionnaire with its date and total score, for a
    spreadsheet. A questionnaire with no total (a question skipped, or the
    whole one skipped today) has a line too, saying why in its no_total column.

About privacy
-------------

You are identified here only by your client code ({code}), not by name.
Keep this file somewhere safe, as you would any health record.
"""


def portability_zip(client: Client, episodes: QuerySet[Episode]) -> bytes:
    records = client_records(client, episodes)
    html = render_to_string(
        "reports/report_pdf.html", report_context(client, episodes, clinician=False)
    )
    csv_text = io.StringIO()
    write_csv(records, csv_text)
    now = datetime.now(UTC)
    readme = README.format(made=f"{now:%d %B %Y}", code=client.code)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr("progress-report.pdf", render_pdf(html))
        archive.writestr("record.fhir.json", bundle_json(build_bundle(client.code, records)))
        archive.writestr("scores.csv", csv_text.getvalue())
    return buffer.getvalue()
