"""The crisis-resources data file: shape, cited sources, documented, overridable."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as WebClient

from holdspace.web.checkins import crisis

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checkin.md"


def test_every_bundled_service_names_its_source_and_a_secure_link() -> None:
    regions = crisis.load_regions()

    assert {"GB", "US", "INT"} <= set(regions)
    for region in regions.values():
        assert region.services, region.key
        for service in region.services:
            assert service.source and service.how, service.name
            assert service.url.startswith("https://"), service.name
            assert service.tel == "" or service.tel.isdigit(), service.name


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        # Samaritans' own page: free on 116 123; NHS England: 111, mental health option.
        ("GB", {"999", "111", "116123"}),
        # 988lifeline.org: call or text 988.
        ("US", {"911", "988"}),
    ],
)
def test_the_published_numbers_are_there(region: str, expected: set[str]) -> None:
    numbers = {s.tel for s in crisis.load_regions()[region].services}

    assert expected <= numbers


def test_every_region_and_service_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")

    for region in crisis.load_regions().values():
        assert f"| {region.key} | {region.name} |" in docs, region.key


def test_the_clinic_region_comes_first_then_international(settings) -> None:
    settings.HOLDSPACE_CRISIS_REGION = "US"

    assert [r.key for r in crisis.resources_for()] == ["US", "INT"]


def test_an_unknown_region_names_the_setting_and_the_choices(
    settings,
) -> None:
    settings.HOLDSPACE_CRISIS_REGION = "XX"

    with pytest.raises(ImproperlyConfigured, match="HOLDSPACE_CRISIS_REGION='XX'.*GB"):
        crisis.resources_for()


def test_a_clinic_file_replaces_a_region(tmp_path: Path, settings) -> None:
    local = {
        "regions": {
            "GB": {
                "name": "Our clinic",
                "services": [
                    {
                        "name": "Clinic duty line",
                        "how": "Call 01632 960000, 9am to 5pm.",
                        "tel": "01632960000",
                        "url": "https://clinic.example.org/help",
                        "source": "Clinic policy, 2026",
                    }
                ],
            }
        }
    }
    path = tmp_path / "crisis.yaml"
    path.write_text(yaml.safe_dump(local))
    settings.HOLDSPACE_CRISIS_RESOURCES = str(path)

    first = crisis.resources_for()[0]

    assert first.name == "Our clinic"
    assert first.services[0].name == "Clinic duty line"
    assert "US" in crisis.load_regions()  # the other bundled regions stay


def test_a_clinic_file_with_a_missing_field_says_which(tmp_path: Path, settings) -> None:
    path = tmp_path / "crisis.yaml"
    path.write_text(yaml.safe_dump({"regions": {"GB": {"services": [{"name": "X", "how": "Y"}]}}}))
    settings.HOLDSPACE_CRISIS_RESOURCES = str(path)

    with pytest.raises(
        ImproperlyConfigured, match=r"regions\.GB\.services: a service needs source"
    ):
        crisis.load_regions()


def test_the_help_page_needs_no_link_and_switches_region() -> None:
    response = WebClient().get("/c/help/?region=US")

    assert response.status_code == 200
    body = response.content.decode()
    assert "988" in body
    assert 'href="?region=GB"' in body


def test_a_broken_clinic_file_is_reported_at_start_up_but_never_hides_the_help(
    tmp_path: Path, settings
) -> None:
    from holdspace.web.checkins.apps import crisis_resources_check

    path = tmp_path / "crisis.yaml"
    path.write_text("regions: [not, a, mapping]")
    settings.HOLDSPACE_CRISIS_RESOURCES = str(path)

    problems = crisis_resources_check()
    page = WebClient().get("/c/help/")

    assert [p.id for p in problems] == ["checkins.E001"]
    assert "needs a 'regions' mapping" in problems[0].msg
    assert page.status_code == 200
    assert "116 123" in page.content.decode()


def test_the_bundled_file_passes_the_start_up_check() -> None:
    from holdspace.web.checkins.apps import crisis_resources_check

    assert crisis_resources_check() == []


def test_every_check_in_setting_is_documented() -> None:
    import re

    source = (Path(crisis.__file__).parents[1] / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(HOLDSPACE_(?:CHECKIN|CRISIS)_[A-Z_]+)"', source))
    docs = DOCS.read_text(encoding="utf-8")
    configuration = (DOCS.parent / "configuration.md").read_text(encoding="utf-8")

    assert len(names) == 6
    for name in names:
        assert f"| `{name}` |" in docs, name
        assert f"| `{name}` |" in configuration, name
