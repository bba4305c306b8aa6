"""Output formats for findings: text, JSON and SARIF 2.1.0 (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from holdspace.language.model import Finding
from holdspace.language.rules import RuleSet, default_rules

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

PathFindings = Sequence[tuple[str, Sequence[Finding]]]


def as_text(results: PathFindings) -> str:
    """One row per finding: `path:line:col  level  message  rule-id`."""
    rows = [
        f"{path}:{f.line}:{f.column}  {f.level}  {f.message}  {f.rule}"
        for path, findings in results
        for f in findings
    ]
    warnings = sum(f.level == "warn" for _, fs in results for f in fs)
    infos = sum(f.level == "info" for _, fs in results for f in fs)
    rows.append(f"{warnings} warning(s), {infos} info")
    return "\n".join(rows) + "\n"


def as_json(results: PathFindings) -> str:
    return (
        json.dumps(
            [f.to_dict(path) for path, fs in results for f in fs], indent=2, ensure_ascii=False
        )
        + "\n"
    )


def as_sarif(results: PathFindings, rules: RuleSet | None = None) -> str:
    rules = rules or default_rules()
    used = sorted({f.rule for _, fs in results for f in fs})
    driver_rules = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.why},
            "properties": {"category": rule.category, "source": list(rule.source)},
        }
        for rule in (rules.rule(rule_id) for rule_id in used)
    ]
    sarif_results = [_sarif_result(path, f) for path, fs in results for f in fs]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "holdspace-lint", "rules": driver_rules}},
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _region(f: Finding) -> dict[str, int]:
    return {
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
    }


def _sarif_result(path: str, f: Finding) -> dict[str, Any]:
    location = {"uri": path}
    # Each replacement is a SARIF fix over its own span (it may take in an article).
    fixes = [
        {
            "description": {"text": r.text},
            "artifactChanges": [
                {
                    "artifactLocation": location,
                    "replacements": [
                        {
                            "deletedRegion": {"charOffset": r.start, "charLength": r.end - r.start},
                            "insertedContent": {"text": r.text},
                        }
                    ],
                }
            ],
        }
        for r in f.replacements
    ]
    return {
        "ruleId": f.rule,
        "level": "warning" if f.level == "warn" else "note",
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(f)}}],
        "fixes": fixes,
    }


def render(results: PathFindings, fmt: str) -> str:
    if fmt == "json":
        return as_json(results)
    if fmt == "sarif":
        return as_sarif(results)
    return as_text(results)
