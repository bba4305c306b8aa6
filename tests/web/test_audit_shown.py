"""Admins see no clinical content in the audit log (issue 11, item 8): the detail column
keeps ids, counts and actions; every detail key the code writes is classified."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from holdspace.web.audit.log import record as audit
from holdspace.web.audit.shown import ADMIN_KEYS, CLINICAL_KEYS
from tests.web.personas import World, signed_in

ROOT = Path(__file__).resolve().parents[2]
DETAIL = re.compile(r"detail\s*=\s*\{([^}]*)\}")
KEY = re.compile(r"\"([a-z_]+)\"\s*:")


def _keys_written() -> set[str]:
    keys: set[str] = set()
    for path in (ROOT / "holdspace").rglob("*.py"):
        for block in DETAIL.findall(path.read_text()):
            keys |= set(KEY.findall(block))
    return keys


def test_every_detail_key_written_is_classified() -> None:
    written = _keys_written()
    assert "rules" in written and "page" in written  # the scan sees the code
    assert written - ADMIN_KEYS - CLINICAL_KEYS == set()
    assert ADMIN_KEYS.isdisjoint(CLINICAL_KEYS)


@pytest.mark.django_db
def test_the_admin_sees_ids_and_actions_not_what_the_record_says(world: World) -> None:
    audit(
        world.alice, "update", "checkin_link:7", detail={"instrument": "pcl5", "status": "declined"}
    )
    audit(world.alice, "update", "note:3", detail={"rules": ["manipulative"], "count": 1})

    text = signed_in(world.ada).get(reverse("audit:events")).content.decode()

    assert "checkin_link:7" in text and "note:3" in text and "count=1" in text
    for clinical in ("pcl5", "declined", "manipulative"):
        assert clinical not in text
    assert text.count("clinical detail not shown") == 2
