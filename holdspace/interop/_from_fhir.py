"""A local instrument definition draft from a FHIR Questionnaire (`instruments from-fhir`).

What a Questionnaire carries is taken over: the title, the items (groups flattened, in
order), their LOINC codes, the panel and total codes, the answer options with their
`ordinalValue` (on `answerOption.extension`, the R4 convention, or on the coding). What
it cannot say is left empty so that `holdspace instruments check` refuses the draft
until a person fills it in from the instrument's published source: the scoring rule,
the score's direction, the bands, the licence and every source. Each of those is listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from holdspace.interop._fhir_common import LOINC, ORDINAL_VALUE
from holdspace.interop._records import FhirImportError
from holdspace.interop._safejson import load_json

Json = dict[str, Any]
_LOINC = re.compile(r"^[0-9]{1,7}-[0-9]$")
_LOINC_ANSWER = re.compile(r"^LA[0-9]{1,7}-[0-9]$")
_TOTAL_TYPES = ("decimal", "integer", "quantity")
# What every draft leaves for a person, whatever the Questionnaire says.
ALWAYS_TO_FILL = (
    "citation: the instrument's published reference",
    "licence.status and licence.source: the licence and where it is stated",
    "recall_period: the period the questions ask about",
    "direction: higher_is_worse or higher_is_better",
    "scoring.method (sum or mean), and scoring.items if some items are not scored",
    "scoring.missing.source: the published rule for unanswered items (or say none is published)",
    "bands: the published severity bands and their source (or an empty list with a source)",
    "reliable_change.source: the published reliable-change threshold, or where none is",
    "text_available: true (and text_source) only when the licence lets Holdspace show the "
    "wording; false removes the item texts",
)


@dataclass
class Draft:
    """The definition as YAML text, and what could not be inferred (one line each)."""

    yaml_text: str
    to_fill: list[str] = field(default_factory=list)
    passed_over: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "q_" + slug
    return slug[:20].rstrip("_")


def _codes(codings: Any) -> list[str]:
    out = []
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict) and coding.get("system") in (LOINC, None):
            code = coding.get("code")
            if isinstance(code, str) and _LOINC.match(code):
                out.append(code)
    return out


def _coding(option: Json) -> Json:
    found = option.get("valueCoding")
    return found if isinstance(found, dict) else {}


def _ordinal(option: Json) -> float | None:
    coding = _coding(option)
    for holder in (option, coding):
        for ext in holder.get("extension") or []:
            if isinstance(ext, dict) and ext.get("url") == ORDINAL_VALUE:
                value = ext.get("valueDecimal", ext.get("valueInteger"))
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return float(value)
    return None


def _walk(items: Any) -> list[Json]:
    found: list[Json] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            found.append(item)
            found += _walk(item.get("item"))
    return found


def _options(item: Json, link: str, to_fill: list[str]) -> list[Json] | None:
    options = [o for o in item.get("answerOption") or [] if isinstance(o, dict)]
    if not options:
        to_fill.append(
            f"item {link}: no answerOption (an answerValueSet is not read); add its options"
        )
        return None
    built = []
    guessed = False
    for index, option in enumerate(options):
        coding = _coding(option)
        label = coding.get("display") or coding.get("code") or option.get("valueString")
        ordinal = _ordinal(option)
        if ordinal is None:
            guessed = True
            ordinal = float(index)
        if not ordinal.is_integer():
            to_fill.append(f"item {link}: ordinalValue {ordinal:g} is not a whole number")
        entry: Json = {"value": int(ordinal), "label": str(label or f"option {index + 1}")}
        code = coding.get("code")
        system_ok = coding.get("system") in (LOINC, None)
        if system_ok and isinstance(code, str) and _LOINC_ANSWER.match(code):
            entry["loinc_answer"] = code
        built.append(entry)
    if guessed:
        to_fill.append(
            f"item {link}: no ordinalValue on its options; values 0, 1, 2… were given in "
            "order: check them against the published scoring"
        )
    return built


def draft_definition(raw: str | bytes) -> Draft:
    """The draft for one Questionnaire; FhirImportError when the file is not one."""
    data = load_json(raw)
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        kind = data.get("resourceType") if isinstance(data, dict) else None
        raise FhirImportError([f"resourceType: {kind!r}; give a FHIR Questionnaire"])
    to_fill = list(ALWAYS_TO_FILL)
    passed_over: list[str] = []
    title = str(data.get("title") or data.get("name") or data.get("id") or "Questionnaire")
    ident = _slug(str(data.get("name") or data.get("id") or title))
    panel = next(iter(_codes(data.get("code"))), None)
    option_sets: dict[str, list[Json]] = {}
    items: list[Json] = []
    total: str | None = None
    for node in _walk(data.get("item")):
        link = str(node.get("linkId") or "?")
        kind = node.get("type")
        codes = _codes(node.get("code"))
        text = str(node.get("text") or "").strip()
        if kind == "group":
            continue
        if kind == "display":
            continue
        if kind in _TOTAL_TYPES and codes:
            total = codes[0]
            passed_over.append(f"item {link}: the total score ({codes[0]}), read as loinc.total")
            continue
        if kind != "choice" and kind != "coding":
            passed_over.append(f"item {link}: type {kind!r} is not a scored choice item")
            continue
        options = _options(node, link, to_fill)
        if options is None:
            continue
        name = next((k for k, v in option_sets.items() if v == options), None)
        if name is None:
            name = f"options_{len(option_sets) + 1}"
            option_sets[name] = options
        entry: Json = {
            "id": f"{ident}_{len(items) + 1}"[:40],
            "text": text or None,
            "short_label": (text or link)[:80].ljust(2, "."),
            "options": name,
        }
        if codes:
            entry["loinc"] = codes[0]
        items.append(entry)
    if not items:
        raise FhirImportError(["item: the Questionnaire has no choice items to score"])
    # The first top-level display item with words is the usual instruction to the client.
    preamble = next(
        (
            str(i.get("text")).strip()
            for i in data.get("item") or []
            if isinstance(i, dict)
            and i.get("type") == "display"
            and str(i.get("text") or "").strip()
        ),
        None,
    )
    low = sum(min(o["value"] for o in option_sets[i["options"]]) for i in items)
    high = sum(max(o["value"] for o in option_sets[i["options"]]) for i in items)
    copyright_text = str(data.get("copyright") or "").strip()
    definition: Json = {
        "id": ident,
        "name": title,
        "version": str(data.get("version") or "0.1"),
        "citation": "",
        "licence": {
            "status": None,
            "statement": copyright_text or None,
            "source": "",
            "verified": False,
        },
        "recall_period": "",
        "preamble": preamble,
        "kind": "outcome",
        "direction": None,
        "text_available": None,
        "text_source": None,
        "loinc": {"panel": panel, "total": total, "source": f"the FHIR Questionnaire {title!r}"},
        "option_sets": option_sets,
        "items": items,
        "scoring": {
            "method": None,
            "total": {"min": low, "max": high},
            "missing": {"max_missing": 0, "method": "none", "source": "", "verified": False},
        },
        "bands": {"source": "", "verified": False, "ranges": []},
        "caseness": None,
        "reliable_change": {"threshold": None, "source": "", "verified": False},
        "risk_items": [],
    }
    if not copyright_text:
        to_fill.append("licence.statement: the Questionnaire has no copyright text")
    if panel is None:
        to_fill.append("loinc.panel: the Questionnaire has no LOINC code")
    if total is None:
        to_fill.append("loinc.total: no total-score item with a LOINC code")
    to_fill.append(f"scoring.total: {low}–{high} assumes every item is summed; correct it if not")
    header = "\n".join(
        ["# Draft made by `holdspace instruments from-fhir`. Fill in before use:"]
        + [f"#  - {line}" for line in to_fill]
        + ["# Then run `holdspace instruments check` on this file."]
    )
    body = yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)
    return Draft(header + "\n" + body, to_fill, passed_over)
