"""`holdspace lint`: formats, exit codes, config file and stdin."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from holdspace.cli import app

runner = CliRunner()


def _note(tmp_path: Path, text: str, name: str = "note.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_output_and_exit_1_on_warnings(tmp_path: Path) -> None:
    path = _note(tmp_path, "Seen today.\nHe refused the scan.\n")

    result = runner.invoke(app, ["lint", str(path)])

    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{path}:2:4  warn  “refused”: ")
    assert first.endswith("  refused")


def test_exit_0_when_only_info_or_nothing(tmp_path: Path) -> None:
    path = _note(tmp_path, "She declined the referral for now.\n")
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 0
    assert "info" in result.output


def test_json_output_fields(tmp_path: Path) -> None:
    path = _note(tmp_path, "He is an addict.")

    result = runner.invoke(app, ["lint", "--format", "json", str(path)])

    (finding,) = json.loads(result.output)
    expected_keys = {"path", "line", "column", "end_line", "end_column", "rule", "category",
                     "level", "text", "message", "suggestions"}  # fmt: skip
    assert expected_keys <= set(finding)
    assert (finding["line"], finding["column"], finding["end_column"]) == (1, 10, 16)
    assert finding["category"] == "substance"
    assert "a person with a substance use disorder" in finding["suggestions"]
    assert {"start": 6, "end": 15, "text": "a person with a substance use disorder"} in finding[
        "replacements"
    ]


def test_sarif_output(tmp_path: Path) -> None:
    path = _note(tmp_path, "She claims it hurts.")

    result = runner.invoke(app, ["lint", "-f", "sarif", str(path)])

    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "claims" and res["level"] == "warning"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (1, 5, 11)
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "claims"


def test_stdin() -> None:
    result = runner.invoke(app, ["lint", "-"], input="He is non-compliant.")
    assert result.exit_code == 1
    assert result.output.startswith("-:1:7  warn")


def test_folders_are_walked(tmp_path: Path) -> None:
    _note(tmp_path, "He refused.", "a.md")
    _note(tmp_path, "Fine.", "b.txt")
    result = runner.invoke(app, ["lint", "-f", "json", str(tmp_path)])
    assert [f["path"] for f in json.loads(result.output)] == [str(tmp_path / "a.md")]


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["lint", str(tmp_path / "nope.txt")])
    binary = runner.invoke(app, ["lint", str(_note(tmp_path, "", "x.txt"))])
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00bad")
    not_utf8 = runner.invoke(app, ["lint", str(tmp_path / "bin.txt")])
    bad_format = runner.invoke(app, ["lint", "--format", "xml", str(tmp_path)])

    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    assert binary.exit_code == 0
    assert not_utf8.exit_code == 2 and "not UTF-8" in not_utf8.output
    assert bad_format.exit_code == 2


def test_config_file_switches_rules_off(tmp_path: Path) -> None:
    path = _note(tmp_path, "He refused.")
    config = _note(tmp_path, "disable: [refused]\n", "lint.yaml")
    bad = _note(tmp_path, "disable: [nope]\n", "bad.yaml")

    ok = runner.invoke(app, ["lint", "--config", str(config), str(path)])
    broken = runner.invoke(app, ["lint", "--config", str(bad), str(path)])

    assert ok.exit_code == 0
    assert broken.exit_code == 2 and "unknown rule or category 'nope'" in broken.output
