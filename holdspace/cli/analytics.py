"""Commands: analyze (service metrics), synth (synthetic data), trajectories fit / install /
evaluate."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

# Files above this size get a progress bar on stderr.
PROGRESS_BYTES = 20_000_000
DataArg = Annotated[Path, typer.Argument(help="CSV or Parquet file in long format.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _with_progress(con: Any, sql: str) -> Any:
    """Run one statement in a thread while a progress bar follows DuckDB's own estimate."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    box: dict[str, Any] = {}
    # DuckDB tracks progress only with its own bar enabled; ours draws it instead.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")

    def work() -> None:
        try:
            box["result"] = con.execute(sql)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    with Progress(
        TextColumn("reading"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=True,
        console=_stderr_console(),
    ) as bar:
        task = bar.add_task("analyze", total=100)
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
            percent = con.query_progress()
            if percent is not None and percent >= 0:
                bar.update(task, completed=percent)
        bar.update(task, completed=100)
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _print_summary(summary: dict[str, Any], path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from holdspace.analytics.metrics import METRICS

    console = Console()
    console.print(
        f"[bold]{path.name}[/bold]: {summary['episodes']} episodes from {summary['valid_rows']} "
        f"rows ({summary['bad_rows']} skipped)"
    )
    table = Table("metric", "count", "of", "rate", "95% CI (Wilson)")
    for metric in METRICS:
        r = summary[metric]
        rate = "—" if r["rate"] is None else f"{100 * r['rate']:.1f}%"
        ci = "—" if r["ci95"] is None else f"{100 * r['ci95'][0]:.1f}–{100 * r['ci95'][1]:.1f}%"
        table.add_row(metric.replace("_", " "), str(r["count"]), str(r["denominator"]), rate, ci)
    console.print(table)
    clinicians = summary["by_clinician"]
    console.print(f"{len(clinicians)} clinician(s); per-clinician figures are in the JSON output.")
    for bad in summary["bad_row_examples"][:10]:
        typer.echo(f"skipped line {bad['line']}: {bad['reason']}", err=True)


def analyze_command(
    data: DataArg,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write episodes.parquet and summary.json here.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad row.")] = False,
    deterioration: Annotated[
        str, typer.Option("--deterioration", help="Reliable deterioration rule: symmetric or any.")
    ] = "symmetric",
) -> None:
    """Service metrics (NHS Talking Therapies definitions) for a long-format data file."""
    from holdspace.analytics import DataFileError, analyze
    from holdspace.change import TalkingTherapiesConfig

    if deterioration not in ("symmetric", "any"):
        raise _fail("--deterioration must be 'symmetric' or 'any'")
    config = TalkingTherapiesConfig(deterioration_rule=deterioration)  # type: ignore[arg-type]
    big = data.is_file() and data.stat().st_size > PROGRESS_BYTES
    try:
        result = analyze(
            data, config=config, out=out, strict=strict, run=_with_progress if big else None
        )
    except DataFileError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"{data}: {exc.strerror}") from None
    if as_json:
        typer.echo(json.dumps(result.summary))
    else:
        _print_summary(result.summary, data)
        for written in result.outputs:
            typer.echo(f"wrote {written}")


def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
    episodes: Annotated[int, typer.Option("--episodes", min=1, help="How many episodes.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 0,
) -> None:
    """Write a seeded synthetic caseload (no real people) in the analyze input format."""
    from holdspace.synth import write_file

    started = time.perf_counter()
    try:
        rows = write_file(out, episodes, seed=seed)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(
        f"wrote {rows} rows for {episodes} episodes to {out} in "
        f"{time.perf_counter() - started:.1f}s",
        err=True,
    )


trajectories_app = typer.Typer(
    help="Expected trajectories from the service's own completed episodes.", no_args_is_help=True
)

InstrumentOpt = Annotated[str, typer.Option("--instrument", help="Outcome instrument to model.")]
MaxEpisodesOpt = Annotated[
    int, typer.Option("--max-episodes", help="Use a seeded sample of at most this many episodes.")
]


def _rows_and_rule(data: Path, instrument: str, max_episodes: int, by_session: int | None) -> Any:
    from holdspace.analytics import DataFileError
    from holdspace.analytics.analyze import scored_rows
    from holdspace.change import instrument_thresholds
    from holdspace.instruments import InstrumentError
    from holdspace.signals import SignalConfig
    from holdspace.trajectories import Rows, Rule

    try:
        info = instrument_thresholds(instrument)
    except InstrumentError as exc:
        raise _fail(str(exc)) from None
    if info.reliable_change is None:
        raise _fail(f"{instrument} has no reliable-change threshold in its definition")
    try:
        rows = Rows(*scored_rows(data, instrument, max_episodes=max_episodes))
    except DataFileError as exc:
        raise _fail(str(exc)) from None
    if rows.n_episodes == 0:
        raise _fail(f"{data.name}: no {instrument} scores")
    config = SignalConfig()
    rule = Rule(
        reliable_change=info.reliable_change,
        caseness=info.caseness,
        direction=info.direction,
        by_session=by_session
        or int(config.value("not_on_track.no_reliable_improvement", "by_session")),
    )
    return rows, rule, info, config


@trajectories_app.command("fit")
def trajectories_fit(
    data: DataArg,
    instrument: InstrumentOpt = "phq9",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the fitted model as JSON.")
    ] = None,
    max_episodes: MaxEpisodesOpt = 20000,
) -> None:
    """Fit the expected band and failure boundary on completed episodes; --out saves it as
    JSON, which `holdspace trajectories install` puts in the web app's database."""
    from holdspace.trajectories import fit, save_model

    rows, rule, info, config = _rows_and_rule(data, instrument, max_episodes, None)
    quantile = config.value("not_on_track.expected_trajectory", "boundary_quantile")
    try:
        model = fit(
            rows,
            instrument_id=instrument,
            direction=rule.direction,
            total_range=(info.total_min, info.total_max),
            boundary_quantile=quantile,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    minimum = int(config.value("not_on_track.expected_trajectory", "min_episodes"))
    typer.echo(
        f"{instrument}: fitted on {model.n_episodes} completed episodes "
        f"({model.n_rows} scores); used for signals from {minimum} episodes: "
        f"{'yes' if model.n_episodes >= minimum else 'not yet'}"
    )
    typer.echo("intake  session  expected  band (25-75%)  review line")
    for intake in (10, 15, 20):
        for session in (4, 8, 12):
            low, high = model.band(intake, session)
            typer.echo(
                f"{intake:6d}  {session:7d}  {model.expected(intake, session):8.1f}  "
                f"{low:5.1f}-{high:5.1f}    {model.boundary(intake, session):8.1f}"
            )
    if out is not None:
        try:
            save_model(model, out)
        except OSError as exc:
            raise _fail(f"--out {out}: {exc.strerror}") from None
        typer.echo(f"wrote {out}")


@trajectories_app.command("install")
def trajectories_install(
    model_file: Annotated[
        Path, typer.Argument(help="A model written by `holdspace trajectories fit --out`.")
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Data folder (default: $HOLDSPACE_DATA, else ./holdspace-data)."
        ),
    ] = None,
) -> None:
    """Store a fitted model in the web app's database, replacing the one for its instrument;
    every process on that database uses it from its next page."""
    from holdspace.cli.web import setup_django
    from holdspace.trajectories import load_model

    try:
        model = load_model(model_file)
    except OSError as exc:
        raise _fail(f"{model_file}: {exc.strerror}") from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    setup_django(data, prepare=False)
    from holdspace.web.clients.services import install_trajectory_model

    replaced = install_trajectory_model(model, source=model_file.name)
    typer.echo(
        f"{'replaced' if replaced else 'installed'} the {model.instrument_id} model "
        f"({model.n_episodes} completed episodes, fitted {model.fitted_on or 'on an unknown date'})"
    )


@trajectories_app.command("evaluate")
def trajectories_evaluate(
    data: DataArg,
    instrument: InstrumentOpt = "phq9",
    folds: Annotated[
        int, typer.Option("--folds", min=2, help="Cross-validation folds (by episode).")
    ] = 5,
    by_session: Annotated[
        int | None, typer.Option("--by-session", help="The default rule's N.")
    ] = None,
    max_episodes: MaxEpisodesOpt = 20000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Cross-validated: how early and how often each not-on-track method flags episodes that
    end deteriorated or unimproved, and how often it flags episodes that end recovered."""
    from holdspace.trajectories import evaluate

    rows, rule, info, config = _rows_and_rule(data, instrument, max_episodes, by_session)
    report = evaluate(
        rows,
        rule,
        instrument_id=instrument,
        total_range=(info.total_min, info.total_max),
        folds=folds,
        boundary_quantile=config.value("not_on_track.expected_trajectory", "boundary_quantile"),
        min_episodes=int(config.value("not_on_track.expected_trajectory", "min_episodes")),
    )
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(
        f"{instrument}: {report['episodes']} episodes, {folds}-fold cross-validation "
        f"(default rule N = {rule.by_session})"
    )
    if not report["expected_trajectory_used"]:
        typer.echo("expected-trajectory model: not enough completed episodes to fit yet")
    for m in report["methods"]:
        sens = m["sensitivity"]
        fa = m["false_alarm_rate_recovered"]
        typer.echo(
            f"  {m['method']:20s} flags {m['flagged_of_those']}/"
            f"{m['ended_deteriorated_or_unimproved']} episodes that ended deteriorated or "
            f"unimproved ({'—' if sens is None else f'{100 * sens:.0f}%'}), median first flag "
            f"at session {m['median_first_flag_session']}; flags {m['flagged_recovered']}/"
            f"{m['ended_recovered']} that ended recovered "
            f"({'—' if fa is None else f'{100 * fa:.0f}%'})"
        )


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)
    app.command("synth")(synth_command)
    app.add_typer(trajectories_app, name="trajectories")
