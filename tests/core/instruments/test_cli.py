"""`holdspace instruments` and `holdspace score`, driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from holdspace.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_instruments_lists_the_library_with_licence_status() -> None:
    code, out, _ = run("instruments")

    assert code == 0
    for word in ("phq9", "core10", "wsas", "cc_by_nd_4_0", "scoring_only"):
        assert word in out


def test_instruments_json_is_one_object_per_instrument() -> None:
    code, out, _ = run("instruments", "--json")

    rows = json.loads(out)
    assert code == 0
    assert len(rows) == 13
    wsas = next(row for row in rows if row["id"] == "wsas")
    assert wsas["licence_status"] == "scoring_only" and wsas["text_available"] is False


def test_show_prints_items_and_sources() -> None:
    code, out, _ = run("instruments", "show", "phq9")

    assert code == 0
    assert "Little interest or pleasure" in out and "Kroenke" in out


def test_show_json_includes_items() -> None:
    code, out, _ = run("instruments", "show", "core10", "--json")

    detail = json.loads(out)
    assert code == 0 and len(detail["items"]) == 10 and detail["risk_items"] == ["core10_6"]


def test_score_json_has_the_contract_keys() -> None:
    code, out, _ = run("score", "phq9", "2", "2", "2", "2", "2", "0", "0", "0", "1", "--json")

    result = json.loads(out)
    assert code == 0
    for key in ("instrument", "version", "total", "band", "flags", "subscales", "algorithms",
                "explanation"):  # fmt: skip
        assert key in result
    assert (result["total"], result["band"]) == (11, "moderate")
    assert result["flags"][0]["item"] == "phq9_9"
    assert result["algorithms"]["mdd"]["met"] is True


def test_score_accepts_skip_and_missing_words() -> None:
    code, out, _ = run("score", "core10", "1", "3", "3", "1", "1", "0", "1", "1", "2", "skip",
                       "--json")  # fmt: skip

    result = json.loads(out)
    assert code == 0
    assert result["total"] == 10 and result["skipped"] == ["core10_10"] and result["prorated"]
    code, out, _ = run("score", "gad2", "-", "3", "--json")
    assert json.loads(out)["missing"] == ["gad2_1"]


def test_score_prints_a_readable_summary() -> None:
    code, out, _ = run("score", "gad7", "1", "1", "1", "1", "1", "1", "1")

    assert code == 0 and "total: 7" in out and "mild" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "phq9", "1", "2"], "item phq9_3: no answer given"),
        (["score", "phq9", "1", "1", "1", "1", "1", "1", "1", "1", "4"],
         "item phq9_9: 4 is not an allowed answer; allowed: 0, 1, 2, 3"),
        (["score", "phq9", "x", "1", "1", "1", "1", "1", "1", "1", "1"],
         "item phq9_1: 'x' is not an allowed answer"),
        (["score", "ors", "1"], "unknown instrument 'ors'; known instruments:"),
        (["instruments", "show", "srs"], "unknown instrument 'srs'"),
    ],
)  # fmt: skip
def test_bad_input_exits_non_zero_with_one_clear_line(args: list[str], expected: str) -> None:
    code, out, err = run(*args)

    assert code == 1
    assert err.count("\n") == 1 and err.startswith("Error: ")
    assert expected in err
    assert "Traceback" not in out + err


def test_check_reports_a_malformed_definition_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"id": "bad", "name": "Bad"}), encoding="utf-8")

    code, _, err = run("instruments", "check", str(path))

    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("Error: bad.yaml: field (top level): ")
    assert "is a required property" in err


def test_check_accepts_a_valid_definition() -> None:
    bundled = Path(__file__).resolve().parents[3] / "holdspace/instruments/definitions/gad7.yaml"

    code, out, _ = run("instruments", "check", str(bundled))

    assert code == 0 and "defines gad7" in out


def test_a_malformed_local_file_warns_but_the_library_still_lists(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")

    code, out, err = run("instruments", "--local", str(tmp_path), "--json")
    check_code, _, check_err = run("instruments", "check", str(tmp_path))

    assert code == 0 and len(json.loads(out)) == 13
    assert "Warning: skipped local definition: broken.yaml" in err
    assert check_code == 1 and check_err.startswith("Error: broken.yaml")


def test_table_prints_the_docs_table() -> None:
    code, out, _ = run("instruments", "table")

    assert code == 0 and out.startswith("| id | name | licence |")
