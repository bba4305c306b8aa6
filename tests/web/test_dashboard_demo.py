"""`holdspace demo --no-serve` builds the demo caseload in a data folder, from empty."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _demo(data: Path) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.pop("HOLDSPACE_DATA", None)
    done = subprocess.run(
        [sys.executable, "-c", "from holdspace.cli import main; main()", "demo", "--no-serve",
         "--data", str(data)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_builds_a_caseload_and_prints_working_logins(tmp_path: Path) -> None:
    out = _demo(tmp_path)

    assert "demo-clinician" in out and "demo-supervisor" in out
    db = sqlite3.connect(tmp_path / "holdspace.sqlite3")
    assert db.execute("select count(*) from clients_client").fetchone() == (10,)
    assert db.execute("select count(*) from clients_administration where has_risk").fetchone()[0]
    supervised = db.execute(
        "select count(*) from accounts_user_supervisors s join accounts_user c "
        "on c.id = s.from_user_id where c.username = 'demo-clinician'"
    ).fetchone()
    assert supervised == (1,)

    again = _demo(tmp_path)  # a second run keeps the caseload and resets the password

    assert "Demo caseload kept." in again
    assert db.execute("select count(*) from clients_client").fetchone() == (10,)
