"""The product's own words pass the documentation linter (DESIGN.md: "The linter runs over
the product's own templates and messages in the test suite").

Scanned, by glob so that new files are covered without editing this test:
  - every template under holdspace/web/templates/** and holdspace/web/*/templates/**
    (template tags, comments and HTML markup blanked out, visible attributes kept);
  - string values in every YAML/JSON data file under holdspace/ (signal messages, review
    cards, instrument text, ...);
  - string literals (not docstrings) in holdspace/web/**/views.py, forms.py and the CLI.
Excluded: holdspace/language/** (the lexicon quotes the words on purpose). A line can opt out
with an inline directive (`holdspace-lint: ignore <rule>`, see docs/language.md).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import yaml

from holdspace.language import Finding, lint, parse_config

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "holdspace"
EXCLUDED = (PACKAGE / "language",)
# Scare quotes are about a client's words. In data files and Python source quotation marks
# are syntax, and in the product's own pages they name a button or label ("Not today"): a
# mention (reference §2 R3), which the engine cannot tell from a client's words. So that one
# rule is off here; every other rule applies.
SOURCE_CONFIG = parse_config({"disable": ["scare-quotes"]})

_TEMPLATE_CODE = re.compile(
    r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<!--.*?-->|<script\b.*?</script>|<style\b.*?</style>|<[^>]*>",
    re.DOTALL,
)
_VISIBLE_ATTR = re.compile(r"\b(?:title|alt|placeholder|aria-label)=\"([^\"]*)\"")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _strip_code(match: re.Match[str]) -> str:
    chunk = match.group(0)
    if "holdspace-lint" in chunk:
        return chunk  # keep inline directives
    if not chunk.startswith("<") or chunk.startswith(("<!--", "<script", "<style")):
        return _blank(chunk)
    # An HTML tag: keep only the attribute values a person sees or hears.
    kept = list(_blank(chunk))
    for attr in _VISIBLE_ATTR.finditer(chunk):
        value = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: _blank(m.group(0)), attr.group(1))
        kept[attr.start(1) : attr.end(1)] = value
    return "".join(kept)


def template_prose(text: str) -> str:
    """The words a template shows, at their original line and column."""
    return _TEMPLATE_CODE.sub(_strip_code, text)


def _scalar_spans(node: yaml.Node) -> Iterator[tuple[int, int]]:
    if isinstance(node, yaml.ScalarNode):
        yield node.start_mark.index, node.end_mark.index
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalar_spans(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:  # keys are identifiers, not prose
            yield from _scalar_spans(value)


def data_spans(text: str) -> list[tuple[int, int]]:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    return list(_scalar_spans(root)) if root is not None else []


def python_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of string literals that are not docstrings."""
    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.add(value.lineno)
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.STRING and tok.start[0] not in docstrings:
            spans.append(
                (starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1])
            )
    return spans


def _inside(finding: Finding, spans: Iterable[tuple[int, int]]) -> bool:
    return any(lo <= finding.start and finding.end <= hi for lo, hi in spans)


def _files(patterns: Iterable[str]) -> list[Path]:
    found = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    return sorted(p for p in found if not any(ex in p.parents for ex in EXCLUDED))


def template_files() -> list[Path]:
    return _files(["web/templates/**/*", "web/*/templates/**/*"])


def data_files() -> list[Path]:
    return _files(["**/*.yaml", "**/*.yml", "**/*.json"])


def python_files() -> list[Path]:
    return _files(["web/**/views.py", "web/**/forms.py", "cli/*.py"])


def warnings_in(path: Path) -> list[Finding]:
    text = path.read_text(encoding="utf-8")
    if path in template_files() or "templates" in path.parts:
        findings = lint(template_prose(text), SOURCE_CONFIG)
    elif path.suffix in (".yaml", ".yml", ".json"):
        spans = data_spans(text)
        findings = tuple(f for f in lint(text, SOURCE_CONFIG) if _inside(f, spans))
    else:
        spans = python_spans(text)
        findings = tuple(f for f in lint(text, SOURCE_CONFIG) if _inside(f, spans))
    return [f for f in findings if f.level == "warn"]


def _report(path: Path, findings: list[Finding]) -> list[str]:
    rel = path.relative_to(ROOT)
    return [f"{rel}:{f.line}:{f.column}: {f.rule}: “{f.text}” ({f.why})" for f in findings]


def test_the_globs_find_the_product_text() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in template_files() + data_files()}
    assert "web/templates/base.html" in names
    assert "web/templates/notes/_findings.html" in names
    assert any(p.name == "views.py" for p in python_files())


@pytest.mark.parametrize(
    ("kind", "files"),
    [("templates", template_files), ("data files", data_files), ("python", python_files)],
)
def test_product_text_has_no_labelling_language(kind: str, files) -> None:  # type: ignore[no-untyped-def]
    problems = [line for path in files() for line in _report(path, warnings_in(path))]
    assert not problems, f"labelling language in {kind}:\n" + "\n".join(problems)


def test_the_scanner_sees_words_in_each_kind_of_file(tmp_path: Path) -> None:
    html = '{% if x %}<p title="A non-compliant client">The client refused.</p>{% endif %}\n'
    assert [f.rule for f in lint(template_prose(html))] == ["non-compliant", "refused"]
    assert lint(template_prose('<a href="/refused/">Home</a> {{ refused }}')) == ()

    data = "refused: ok\nmessage: Client is non-compliant\n"
    spans = data_spans(data)
    assert [f.rule for f in lint(data, SOURCE_CONFIG) if _inside(f, spans)] == ["non-compliant"]

    source = '"""The client refused."""\nMESSAGE = "She claims it"  # refused\n'
    spans = python_spans(source)
    assert [f.rule for f in lint(source, SOURCE_CONFIG) if _inside(f, spans)] == ["claims"]
