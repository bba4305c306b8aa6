"""The CLI starts without the heavy modules: they load when a command needs them.

Timing lives in benchmarks/cli_startup.py; this test checks the cause (what is imported),
which does not depend on how busy the machine is.
"""

from __future__ import annotations

import json
import subprocess
import sys

from holdspace.cli import reviews as reviews_cli
from holdspace.reviews import cards

HEAVY = ("jsonschema", "yaml", "django", "numpy", "scipy", "duckdb", "holdspace.instruments")


PROBE = """
import importlib.util, json, sys
{code}
lazy = importlib.util._LazyModule
print(json.dumps([k for k, m in sys.modules.items() if not isinstance(m, lazy)]))
"""


def _imported_by(code: str) -> set[str]:
    """Modules really loaded (a lazy module not yet touched does not count)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_loading_the_cli_imports_none_of_the_heavy_modules() -> None:
    loaded = _imported_by("import holdspace.cli")
    assert "holdspace.cli.instruments" in loaded  # the probe sees the CLI's own modules
    heavy = sorted(m for m in loaded if m.startswith(HEAVY))
    assert heavy == [], f"imported when the CLI loads: {heavy}"


def test_a_command_still_loads_what_it_needs() -> None:
    loaded = _imported_by(
        "from typer.testing import CliRunner\nfrom holdspace.cli import app\n"
        "assert CliRunner().invoke(app, ['score', 'phq9', *'000000000']).exit_code == 0"
    )
    assert {"holdspace.instruments", "jsonschema"} <= loaded


def test_the_cards_command_names_the_variable_the_library_reads() -> None:
    assert reviews_cli.LOCAL_CARDS_ENV == cards.LOCAL_CARDS_ENV
