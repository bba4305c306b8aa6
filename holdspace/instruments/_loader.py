"""Load instrument definitions: bundled YAML files plus an organisation's local folder.

Each file is checked against ``schema.json`` (jsonschema) and then against semantic rules
the schema cannot express (bands contiguous and covering the range, referenced items
exist, ...). A malformed local file is reported and skipped; it never stops the bundled
definitions from loading. A local file may also supply item text for a bundled
scoring-only instrument (see ``text_supplement_schema.json``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from holdspace.instruments._errors import DefinitionError, UnknownInstrumentError
from holdspace.instruments._model import (
    Algorithm,
    Band,
    Criterion,
    Cutoff,
    ImpliedAnswer,
    Instrument,
    Item,
    Licence,
    MissingRule,
    Option,
    ReliableChange,
    RiskItem,
    Subscale,
)

if TYPE_CHECKING:
    import jsonschema

HERE = Path(__file__).parent
BUNDLED_DIR = HERE / "definitions"
LOCAL_ENV = "HOLDSPACE_LOCAL_INSTRUMENTS"
NONE_PUBLISHED = "none published"


@dataclass(frozen=True)
class Library:
    """Every instrument that loaded, plus the problems found in local files."""

    instruments: dict[str, Instrument]
    problems: list[DefinitionError]


@functools.cache
def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return schema


def _field_path(parts: list[str | int] | Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _validate_schema(data: Any, schema_name: str, source: str) -> None:
    import jsonschema  # here, not at import: the CLI starts without it (docs/benchmarks.md)

    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        field = _field_path(list(error.absolute_path))
        raise DefinitionError(source, field, f"{error.message}{_allowed_hint(error)}")


def _allowed_hint(error: jsonschema.ValidationError) -> str:
    """Say what is allowed where jsonschema's own message does not."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "minLength":
        return f"; allowed: text of at least {error.validator_value} characters"
    if error.validator == "additionalProperties":
        return f"; allowed: {', '.join(sorted(schema.get('properties', {})))}"
    if error.validator == "pattern":
        return "; allowed: a value matching that pattern"
    if error.validator == "oneOf":
        return "; allowed: null or an object with threshold, source and verified"
    return ""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(path.name, "(file)", f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise DefinitionError(
            path.name, "(file)", f"is not valid YAML{line}; a mapping of fields is allowed"
        ) from exc


# --- building dataclasses from validated data -------------------------------------------


def _bands(block: dict[str, Any] | None) -> tuple[list[Band], str, bool]:
    if block is None:
        return [], "", True
    bands = [
        Band(b["label"], b["min"], b["max"], b.get("verified", block["verified"]))
        for b in block["ranges"]
    ]
    return bands, block["source"], block["verified"]


def _items(data: dict[str, Any], source: str) -> list[Item]:
    sets = data["option_sets"]
    items = []
    for number, raw in enumerate(data["items"], start=1):
        if raw["options"] not in sets:
            raise DefinitionError(
                source,
                f"items[{number - 1}].options",
                f"{raw['options']!r} is not an option set; allowed: {', '.join(sets)}",
            )
        options = [
            Option(o["value"], o["label"], o.get("loinc_answer")) for o in sets[raw["options"]]
        ]
        items.append(
            Item(raw["id"], number, raw.get("text"), raw["short_label"], raw.get("loinc"), options)
        )
    return items


def _subscale(raw: dict[str, Any]) -> Subscale:
    bands, bands_source, bands_verified = _bands(raw.get("bands"))
    return Subscale(
        id=raw["id"],
        name=raw["name"],
        items=list(raw["items"]),
        multiplier=raw.get("multiplier", 1),
        bands=bands,
        bands_source=bands_source,
        bands_verified=bands_verified,
        total_min=raw["total"]["min"],
        total_max=raw["total"]["max"],
    )


def _algorithm(raw: dict[str, Any]) -> Algorithm:
    return Algorithm(
        id=raw["id"],
        name=raw["name"],
        source=raw["source"],
        verified=raw["verified"],
        endorse_at=raw["endorse_at"],
        endorse_overrides=dict(raw.get("endorse_overrides", {})),
        criteria=[
            Criterion(c["name"], list(c["items"]), c["min_endorsed"], c.get("max_endorsed"))
            for c in raw.get("criteria", [])
        ],
        requires=list(raw.get("requires", [])),
        excludes=list(raw.get("excludes", [])),
        note=raw.get("note", ""),
        endorse=raw.get("endorse", "at_least"),
    )


def _build(data: dict[str, Any], source: str) -> Instrument:
    scoring = data["scoring"]
    items = _items(data, source)
    bands, bands_source, bands_verified = _bands(data["bands"])
    case = data["caseness"]
    rc = data["reliable_change"]
    miss = scoring["missing"]
    loinc = data.get("loinc", {})
    return Instrument(
        id=data["id"],
        name=data["name"],
        plain_name=data.get("plain_name", data["name"]),
        content_note=data.get("content_note", False),
        version=str(data["version"]),
        citation=data["citation"],
        licence=Licence(**data["licence"]),
        recall_period=data["recall_period"],
        preamble=data.get("preamble"),
        items=items,
        direction=data["direction"],
        kind=data["kind"],
        method=scoring["method"],
        multiplier=scoring.get("multiplier", 1),
        scored_items=list(scoring.get("items", [item.id for item in items])),
        reversed_items=list(scoring.get("reversed", [])),
        total_min=scoring["total"]["min"],
        total_max=scoring["total"]["max"],
        bands=bands,
        bands_source=bands_source,
        bands_verified=bands_verified,
        caseness=None
        if case is None
        else Cutoff(case["threshold"], case["source"], case["verified"], case.get("note", "")),
        reliable_change=ReliableChange(
            rc["threshold"], rc["source"], rc["verified"], rc.get("note", "")
        ),
        missing=MissingRule(
            miss["max_missing"],
            miss["method"],
            miss["source"],
            miss["verified"],
            list(miss.get("optional_items", [])),
        ),
        implied=[ImpliedAnswer(**i) for i in scoring.get("implied", [])],
        risk=[RiskItem(**r) for r in data.get("risk_items", [])],
        subscales=[_subscale(s) for s in data.get("subscales", [])],
        algorithms=[_algorithm(a) for a in data.get("algorithms", [])],
        loinc_panel=loinc.get("panel"),
        loinc_total=loinc.get("total"),
        text_available=data["text_available"],
        text_source=data.get("text_source"),
        notes=list(data.get("notes", [])),
        source_file=source,
        scoring_verified=scoring.get("verified", True),
        scoring_source=scoring.get("source", ""),
    )


# --- semantic checks ---------------------------------------------------------------------


def _item_range(instrument: Instrument, item_ids: list[str]) -> tuple[int, int]:
    """Smallest and largest possible sum of these items."""
    lo = sum(min(instrument.item(i).values) for i in item_ids)
    hi = sum(max(instrument.item(i).values) for i in item_ids)
    return lo, hi


def _check_range(
    source: str, field: str, declared: tuple[float, float], computed: tuple[float, float]
) -> None:
    if tuple(declared) != tuple(computed):
        raise DefinitionError(
            source,
            field,
            f"declares {declared[0]:g}–{declared[1]:g} but the items and multiplier give "
            f"{computed[0]:g}–{computed[1]:g}; allowed: the computed range",
        )


def _check_bands(source: str, field: str, bands: list[Band], lo: float, hi: float) -> None:
    """Bands are inclusive integer ranges, in order, with no gap or overlap, covering lo–hi."""
    if not bands:
        return
    if bands[0].min != lo or bands[-1].max != hi:
        raise DefinitionError(
            source,
            field,
            f"bands cover {bands[0].min:g}–{bands[-1].max:g}; allowed: exactly the score "
            f"range {lo:g}–{hi:g}",
        )
    for index, (prev, band) in enumerate(zip(bands, bands[1:], strict=False), start=1):
        if band.min > band.max:
            raise DefinitionError(source, f"{field}[{index}]", "min is above max")
        if band.min != prev.max + 1:
            raise DefinitionError(
                source,
                f"{field}[{index}].min",
                f"is {band.min:g} after a band ending at {prev.max:g}; allowed: {prev.max + 1:g}"
                " (contiguous, no gap or overlap)",
            )


def _check_refs(source: str, field: str, refs: list[str], known: list[str]) -> None:
    for index, ref in enumerate(refs):
        if ref not in known:
            raise DefinitionError(
                source,
                f"{field}[{index}]",
                f"{ref!r} is not an item of this instrument; allowed: {', '.join(known)}",
            )


def _check(ins: Instrument) -> None:
    src = ins.source_file
    ids = [item.id for item in ins.items]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DefinitionError(src, "items", f"item id {dup!r} appears twice; ids must be unique")
    for item in ins.items:
        if len(set(item.values)) != len(item.values):
            raise DefinitionError(src, f"option_sets (item {item.id})", "option values repeat")
        if ins.text_available and not item.text:
            raise DefinitionError(
                src, f"items[{item.number - 1}].text", "is empty but text_available is true"
            )
        if not ins.text_available and item.text:
            raise DefinitionError(
                src, f"items[{item.number - 1}].text", "allowed: none when text_available is false"
            )
    _check_refs(src, "scoring.items", ins.scored_items, ids)
    _check_refs(src, "scoring.reversed", ins.reversed_items, ins.scored_items)
    _check_refs(src, "scoring.missing.optional_items", ins.missing.optional_items, ids)
    _check_refs(src, "risk_items", ins.risk_items, ids)
    for index, imp in enumerate(ins.implied):
        _check_refs(src, f"scoring.implied[{index}]", [imp.if_item, imp.then_item], ids)
    lo, hi = _item_range(ins, ins.scored_items)
    computed = (
        (lo * ins.multiplier, hi * ins.multiplier)
        if ins.method == "sum"
        else (
            lo / len(ins.scored_items) * ins.multiplier,
            hi / len(ins.scored_items) * ins.multiplier,
        )
    )
    _check_range(src, "scoring.total", (ins.total_min, ins.total_max), computed)
    _check_bands(src, "bands.ranges", ins.bands, ins.total_min, ins.total_max)
    if ins.caseness is not None and not ins.total_min <= ins.caseness.threshold <= ins.total_max:
        raise DefinitionError(
            src, "caseness.threshold", f"allowed: within {ins.total_min:g}–{ins.total_max:g}"
        )
    if (ins.reliable_change.threshold is None) != ins.reliable_change.source.startswith(
        NONE_PUBLISHED
    ):
        raise DefinitionError(
            src,
            "reliable_change",
            f"allowed: a threshold with its source, or threshold null with source "
            f"{NONE_PUBLISHED!r}",
        )
    for index, risk in enumerate(ins.risk):
        if risk.min_value not in ins.item(risk.item).values:
            raise DefinitionError(
                src, f"risk_items[{index}].min_value", f"allowed: {ins.item(risk.item).values}"
            )
    for index, sub in enumerate(ins.subscales):
        field = f"subscales[{index}]"
        _check_refs(src, f"{field}.items", sub.items, ids)
        slo, shi = _item_range(ins, sub.items)
        _check_range(
            src,
            f"{field}.total",
            (sub.total_min, sub.total_max),
            (slo * sub.multiplier, shi * sub.multiplier),
        )
        _check_bands(src, f"{field}.bands.ranges", sub.bands, sub.total_min, sub.total_max)
    _check_algorithms(ins, ids)


def _check_algorithms(ins: Instrument, ids: list[str]) -> None:
    src = ins.source_file
    seen: list[str] = []
    for index, alg in enumerate(ins.algorithms):
        field = f"algorithms[{index}]"
        _check_refs(src, f"{field}.endorse_overrides", list(alg.endorse_overrides), ids)
        for cindex, crit in enumerate(alg.criteria):
            _check_refs(src, f"{field}.criteria[{cindex}].items", crit.items, ids)
            if crit.min_endorsed > len(crit.items):
                raise DefinitionError(
                    src,
                    f"{field}.criteria[{cindex}].min_endorsed",
                    f"allowed: at most {len(crit.items)} (the number of items)",
                )
        for key in ("requires", "excludes"):
            for ref in getattr(alg, key):
                if ref not in seen:
                    raise DefinitionError(
                        src,
                        f"{field}.{key}",
                        f"{ref!r} is not an earlier algorithm; "
                        f"allowed: {', '.join(seen) or 'none'}",
                    )
        seen.append(alg.id)


# --- public loading functions -----------------------------------------------------------


def load_definition(path: Path | str) -> Instrument:
    """Load and fully validate one definition file; raises DefinitionError."""
    path = Path(path)
    data = _read_yaml(path)
    _validate_schema(data, "schema.json", path.name)
    instrument = _build(data, path.name)
    _check(instrument)
    return instrument


@functools.cache
def _bundled() -> dict[str, Instrument]:
    found = [load_definition(path) for path in sorted(BUNDLED_DIR.glob("*.yaml"))]
    return {instrument.id: instrument for instrument in found}


def _supply_text(base: Instrument, data: dict[str, Any], source: str) -> Instrument:
    ids = [item.id for item in base.items]
    _check_refs(source, "items", list(data["items"]), ids)
    absent = [i for i in ids if i not in data["items"]]
    if absent:
        raise DefinitionError(
            source, "items", f"has no text for {', '.join(absent)}; allowed: text for every item"
        )
    items = [dataclasses.replace(item, text=data["items"][item.id]) for item in base.items]
    return dataclasses.replace(
        base,
        items=items,
        text_available=True,
        text_source=data["text_source"],
        preamble=data.get("preamble", base.preamble),
    )


def _load_local_file(path: Path, bundled: dict[str, Instrument]) -> Instrument:
    data = _read_yaml(path)
    if isinstance(data, dict) and "supplies_text_for" in data:
        _validate_schema(data, "text_supplement_schema.json", path.name)
        target = data["supplies_text_for"]
        # Only scoring-only instruments take local text: shipped wording (CORE-10 is
        # CC BY-ND) is never replaced piecemeal. A full local definition can still override.
        scoring_only = sorted(key for key, ins in bundled.items() if not ins.text_available)
        if target not in scoring_only:
            raise DefinitionError(
                path.name,
                "supplies_text_for",
                f"{target!r} is not a scoring-only bundled instrument; allowed: "
                f"{', '.join(scoring_only)}",
            )
        return _supply_text(bundled[target], data, path.name)
    return load_definition(path)


def _local_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@functools.lru_cache(maxsize=8)
def _load_local(folder: str, signature: tuple[tuple[str, int, int], ...]) -> Library:
    # ``signature`` is part of the cache key, so an edited file is read again.
    instruments = dict(_bundled())
    problems: list[DefinitionError] = []
    for name, _mtime, _size in signature:
        try:
            instrument = _load_local_file(Path(name), _bundled())
        except DefinitionError as exc:
            problems.append(exc)
            continue
        instruments[instrument.id] = instrument
    return Library(instruments, problems)


def local_folder(local_dir: Path | str | None = None) -> Path | None:
    """The local definitions folder: the argument, else $HOLDSPACE_LOCAL_INSTRUMENTS."""
    chosen = local_dir if local_dir is not None else os.environ.get(LOCAL_ENV) or None
    return Path(chosen) if chosen is not None else None


def load_library(local_dir: Path | str | None = None) -> Library:
    folder = local_folder(local_dir)
    if folder is None:
        return Library(dict(_bundled()), [])
    if not folder.is_dir():
        problem = DefinitionError(
            str(folder), "(folder)", "does not exist; allowed: a folder of .yaml files"
        )
        return Library(dict(_bundled()), [problem])
    return _load_local(str(folder.resolve()), _local_signature(folder))


def all_instruments(local_dir: Path | str | None = None) -> list[Instrument]:
    """Bundled plus local instruments, sorted by id."""
    library = load_library(local_dir)
    return [library.instruments[key] for key in sorted(library.instruments)]


def get_instrument(instrument_id: str, local_dir: Path | str | None = None) -> Instrument:
    library = load_library(local_dir)
    try:
        return library.instruments[instrument_id]
    except KeyError:
        raise UnknownInstrumentError(instrument_id, sorted(library.instruments)) from None


def local_problems(local_dir: Path | str | None = None) -> list[DefinitionError]:
    """Malformed local files (each names the file, the field and what is allowed)."""
    return load_library(local_dir).problems
