"""`holdspace instruments …` and `holdspace score …`: browse the library and score answers.

Thin: parse arguments, call holdspace.instruments, print. Every error is one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from holdspace.cli._lazy import lazy_module

if TYPE_CHECKING:
    from holdspace.instruments import Instrument, ScoreResult

lib = lazy_module("holdspace.instruments")

MISSING_WORDS = {"", "-", "none", "missing", "null"}

LocalOption = typer.Option(
    None,
    "--local",
    help="Folder of local definitions (default: $HOLDSPACE_LOCAL_INSTRUMENTS).",
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
IdArgument = typer.Argument(..., metavar="ID", help="Instrument id, e.g. phq9.")
PathArgument = typer.Argument(..., help="A definition file or a folder of them.")
AnswersArgument = typer.Argument(
    None, metavar="ANSWER...", help="Answers in item order; 'skip' = skipped, '-' = missing."
)

instruments_app = typer.Typer(
    help="The instrument library: list, show and check definitions.",
    no_args_is_help=False,
    invoke_without_command=True,
)


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def _warn_local(local: Path | None) -> None:
    # A malformed local file never stops the bundled instruments; say so on stderr.
    for problem in lib.local_problems(local):
        typer.echo(f"Warning: skipped local definition: {problem}", err=True)


def _rc_text(ins: Instrument) -> str:
    rc = ins.reliable_change
    return "none published" if rc.threshold is None else f"{rc.threshold:g}"


def _summary(ins: Instrument) -> dict[str, Any]:
    return {
        "id": ins.id,
        "name": ins.name,
        "version": ins.version,
        "kind": ins.kind,
        "direction": ins.direction,
        "items": len(ins.items),
        "total_min": ins.total_min,
        "total_max": ins.total_max,
        "licence_status": ins.licence.status,
        "licence_statement": ins.licence.statement,
        "text_available": ins.text_available,
        "reliable_change": ins.reliable_change.threshold,
        "reliable_change_source": ins.reliable_change.source,
        "caseness": ins.caseness.threshold if ins.caseness else None,
        "risk_items": ins.risk_items,
        "unverified": ins.unverified,
        "source_file": ins.source_file,
    }


@instruments_app.callback()
def list_instruments(
    ctx: typer.Context,
    as_json: bool = JsonOption,
    local: Path | None = LocalOption,
) -> None:
    """List every instrument (bundled and local) with its licence status."""
    if ctx.invoked_subcommand is not None:
        return
    _warn_local(local)
    found = lib.all_instruments(local)
    if as_json:
        typer.echo(json.dumps([_summary(ins) for ins in found], indent=2, ensure_ascii=False))
        return
    table = Table(title="Instrument library")
    for column in ("ID", "Name", "Kind", "Licence", "Text", "Reliable change", "Unverified"):
        table.add_column(column, overflow="fold")  # fold, never cut a licence status
    for ins in found:
        table.add_row(
            ins.id,
            ins.name,
            ins.kind,
            ins.licence.status,
            "shipped" if ins.text_available else "local text needed",
            _rc_text(ins),
            ", ".join(ins.unverified) or "-",
        )
    Console().print(table)


@instruments_app.command("show")
def show(
    instrument_id: str = IdArgument,
    as_json: bool = JsonOption,
    local: Path | None = LocalOption,
) -> None:
    """Show one instrument: licence, items, options, bands and rules with their sources."""
    try:
        ins = lib.get_instrument(instrument_id, local)
    except lib.InstrumentError as exc:
        _fail(str(exc))
    if as_json:
        detail = _summary(ins) | {
            "citation": ins.citation,
            "recall_period": ins.recall_period,
            "items": [
                {
                    "id": item.id,
                    "text": item.text,
                    "short_label": item.short_label,
                    "loinc": item.loinc,
                    "options": [[o.value, o.label] for o in item.options],
                }
                for item in ins.items
            ],
            "bands": [[b.label, b.min, b.max] for b in ins.bands],
        }
        typer.echo(json.dumps(detail, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"[bold]{ins.name}[/bold] ({ins.id}, version {ins.version}, {ins.kind})")
    console.print(f"Citation: {ins.citation}")
    console.print(f"Licence: {ins.licence.status} — {ins.licence.statement}")
    console.print(
        f"Recall period: {ins.recall_period}; score range {ins.total_min:g}–{ins.total_max:g}"
    )
    table = Table("Item", "Text or label", "Options")
    for item in ins.items:
        options = ", ".join(f"{o.value}={o.label}" for o in item.options)
        table.add_row(item.id, item.text or f"[{item.short_label}]", options)
    console.print(table)
    for band in ins.bands:
        console.print(f"Band {band.min:g}–{band.max:g}: {band.label}")
    rc = ins.reliable_change
    console.print(f"Reliable change: {_rc_text(ins)} ({rc.source})")
    if ins.unverified:
        console.print(f"Unverified in the reference: {', '.join(ins.unverified)}")


@instruments_app.command("check")
def check(path: Path = PathArgument) -> None:
    """Validate local definition file(s); exit 1 with one line per problem."""
    if path.is_dir():
        problems = lib.load_library(path).problems
        for problem in problems:
            typer.echo(f"Error: {problem}", err=True)
        if problems:
            raise typer.Exit(1)
        typer.echo(f"OK: {path}")
        return
    if not path.is_file():
        _fail(f"{path}: no such file; allowed: a .yaml file or a folder")
    try:
        ins = lib.load_definition(path)
    except lib.InstrumentError as exc:
        _fail(str(exc))
    typer.echo(f"OK: {path.name} defines {ins.id} ({len(ins.items)} items)")


@instruments_app.command("from-fhir")
def from_fhir(
    path: Annotated[Path, typer.Argument(help="A FHIR Questionnaire (JSON).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the draft here (default: stdout)."),
    ] = None,
) -> None:
    """Draft a local definition from a FHIR Questionnaire; lists what must be filled in."""
    from holdspace.interop import FhirImportError, draft_definition

    try:
        raw = path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot read it ({exc.strerror})")
    try:
        draft = draft_definition(raw)
    except FhirImportError as exc:
        _fail("; ".join(exc.problems))
    if out is None:
        typer.echo(draft.yaml_text, nl=False)
    else:
        if out.exists():
            _fail(f"{out}: already exists; nothing was written (choose another --out)")
        out.write_text(draft.yaml_text, encoding="utf-8")
        typer.echo(f"Draft written to {out}.", err=True)
    for line in draft.passed_over:
        typer.echo(f"Passed over: {line}", err=True)
    typer.echo("Fill in before use (then run `holdspace instruments check` on it):", err=True)
    for line in draft.to_fill:
        typer.echo(f"  - {line}", err=True)


@instruments_app.command("table")
def table_command(local: Path | None = LocalOption) -> None:
    """Print the Markdown instrument table used in docs/instruments.md and the README."""
    typer.echo(lib.markdown_table(lib.all_instruments(local)))


def _parse(raw: str) -> int | str | None:
    word = raw.strip().lower()
    if word == lib.SKIP:
        return word
    if word in MISSING_WORDS:
        return None
    try:
        return int(word)
    except ValueError:
        return raw  # the engine names the item and the allowed values


def _print_result(result: ScoreResult) -> None:
    console = Console()
    total = "no total" if result.total is None else f"{result.total:g}"
    console.print(f"[bold]{result.instrument}[/bold] total: {total}  band: {result.band or '-'}")
    for flag in result.flags:
        console.print(f"[bold red]RISK[/bold red] {flag.item} = {flag.value}: {flag.message}")
    for key, sub in result.subscales.items():
        shown = "-" if sub.total is None else f"{sub.total:g}"
        console.print(f"  {sub.name or key}: {shown} {sub.band or ''}")
    for algorithm in result.algorithms.values():
        console.print(f"  {algorithm.name}: {algorithm.met}")
    for line in result.explanation:
        console.print(f"  · {line}", highlight=False)


def score_command(
    instrument_id: str = IdArgument,
    answers: list[str] = AnswersArgument,
    as_json: bool = JsonOption,
    local: Path | None = LocalOption,
) -> None:
    """Score one administration and explain the result."""
    try:
        ins = lib.get_instrument(instrument_id, local)
        result = lib.score(ins, [_parse(a) for a in answers or []])
    except lib.InstrumentError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_result(result)


def register(app: typer.Typer) -> None:
    app.add_typer(instruments_app, name="instruments")
    app.command("score")(score_command)
