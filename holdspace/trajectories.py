"""Expected trajectories fitted on a service's own completed episodes, and a cross-validated
comparison of the two not-on-track methods (docs/signals.md, "Not on track").

Model: linear quantile regression of the score at a session on the intake score and the log of
the session number (with their interaction), ``y ~ 1 + intake + log(s) + intake * log(s)``,
fitted at the 25th, 50th and 75th percentiles (the expected band) and at the boundary
quantile (default the 90th for higher-is-worse scales: "worse than nine in ten clients who
started here"). This is the shape of the expected-treatment-response curves used by the OQ
system, OpenFIT and the Trier Treatment Navigator (reference §2.1-2.3); the exact published
boundary specifications were not retrieved, so the quantile is a documented, configurable
choice (rules.yaml, ``not_on_track.expected_trajectory``).

Everything is numpy arrays over rows sorted by episode then session: ``episode`` (integer
codes 0..E-1, rows of one episode adjacent), ``session`` and ``total``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Direction = Literal["higher_is_worse", "higher_is_better"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BAND = (0.25, 0.5, 0.75)


def _design(intake: FloatArray, session: FloatArray) -> FloatArray:
    log_s = np.log(np.maximum(session, 1.0))
    return np.column_stack([np.ones_like(intake), intake, log_s, intake * log_s])


def quantile_regression(x: FloatArray, y: FloatArray, q: float) -> FloatArray:
    """Koenker–Bassett quantile regression as a linear programme (HiGHS via scipy)."""
    from scipy import sparse
    from scipy.optimize import linprog

    n, p = x.shape
    eye = sparse.identity(n, format="csr")
    a_eq = sparse.hstack([sparse.csr_matrix(x), eye, -eye], format="csr")
    cost = np.concatenate([np.zeros(p), np.full(n, q), np.full(n, 1.0 - q)])
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    result = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    if not result.success:
        raise ValueError(f"quantile regression did not converge: {result.message}")
    return np.asarray(result.x[:p], dtype=np.float64)


@dataclass(frozen=True)
class TrajectoryModel:
    instrument_id: str
    direction: Direction
    n_episodes: int
    n_rows: int
    boundary_quantile: float
    coefficients: dict[str, tuple[float, ...]]  # "0.25", "0.5", "0.75", "boundary"
    total_min: float
    total_max: float
    fitted_on: str = ""  # ISO date of the fit: a saved model says how old it is

    @property
    def quantiles(self) -> dict[str, float]:
        """Coefficient key -> the quantile it was fitted at (the boundary's is mirrored on a
        higher-is-better scale)."""
        out = {k: float(k) for k in self.coefficients if k != "boundary"}
        q = self.boundary_quantile
        out["boundary"] = q if self.direction == "higher_is_worse" else 1.0 - q
        return out

    def predict(self, key: str, intake: FloatArray, session: FloatArray) -> FloatArray:
        """The fitted quantile `key` at each (intake, session), kept inside the scale."""
        values = _design(intake, session) @ np.array(self.coefficients[key])
        return np.asarray(np.clip(values, self.total_min, self.total_max), dtype=np.float64)

    def _predict(self, key: str, intake: float, session: int) -> float:
        return float(self.predict(key, np.array([float(intake)]), np.array([float(session)]))[0])

    def expected(self, intake: float, session: int) -> float:
        return self._predict("0.5", intake, session)

    def band(self, intake: float, session: int) -> tuple[float, float]:
        return self._predict("0.25", intake, session), self._predict("0.75", intake, session)

    def boundary(self, intake: float, session: int) -> float:
        return self._predict("boundary", intake, session)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument_id": self.instrument_id,
            "direction": self.direction,
            "n_episodes": self.n_episodes,
            "n_rows": self.n_rows,
            "boundary_quantile": self.boundary_quantile,
            "coefficients": {k: list(v) for k, v in self.coefficients.items()},
            "total_min": self.total_min,
            "total_max": self.total_max,
            "formula": "total ~ 1 + intake + log(session) + intake:log(session)",
            "quantiles": self.quantiles,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrajectoryModel:
        """Raises ValueError naming the first missing or malformed field."""
        if not isinstance(data, dict):
            raise ValueError("a trajectory model must be a JSON object")

        def field(name: str, convert: Any) -> Any:
            if name not in data:
                raise ValueError(f"trajectory model: field {name!r} is missing")
            try:
                return convert(data[name])
            except (TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"trajectory model: field {name!r} is not valid ({exc})") from None

        def coefficients(raw: dict[str, Any]) -> dict[str, tuple[float, ...]]:
            out = {str(k): tuple(float(c) for c in v) for k, v in raw.items()}
            # The signal's sentence reads the median and the chart the band: all four needed.
            needed = {*(str(q) for q in BAND), "boundary"}
            if not needed <= set(out) or any(len(v) != 4 for v in out.values()):
                raise ValueError(f"needs {', '.join(sorted(needed))}, four numbers each")
            return out

        def direction(raw: str) -> Direction:
            if raw not in ("higher_is_worse", "higher_is_better"):
                raise ValueError("allowed: higher_is_worse, higher_is_better")
            return raw  # type: ignore[return-value]  # checked just above

        return cls(
            instrument_id=field("instrument_id", str),
            direction=field("direction", direction),
            n_episodes=field("n_episodes", int),
            n_rows=field("n_rows", int),
            boundary_quantile=field("boundary_quantile", float),
            coefficients=field("coefficients", coefficients),
            total_min=field("total_min", float),
            total_max=field("total_max", float),
            fitted_on=str(data.get("fitted_on", "")),
        )


def save_model(model: TrajectoryModel, path: Path) -> None:
    """Write the fitted model as JSON (coefficients, quantiles, training size, fit date)."""
    path.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")


def load_model(path: Path) -> TrajectoryModel:
    """Read a model written by :func:`save_model`; ValueError names the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    try:
        return TrajectoryModel.from_dict(data)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


@dataclass(frozen=True)
class Rows:
    """Scored rows of one instrument, sorted by episode then session."""

    episode: IntArray
    session: IntArray
    total: FloatArray

    @property
    def n_episodes(self) -> int:
        return int(self.episode.max()) + 1 if self.episode.size else 0

    def starts(self) -> IntArray:
        """Index of each episode's first row."""
        change = np.flatnonzero(np.diff(self.episode)) + 1
        return np.concatenate([[0], change]).astype(np.int64)

    def subset(self, episodes: IntArray) -> Rows:
        keep = np.isin(self.episode, episodes)
        codes = np.unique(self.episode[keep], return_inverse=True)[1].astype(np.int64)
        return Rows(codes, self.session[keep], self.total[keep])


def _intake_and_position(rows: Rows) -> tuple[FloatArray, IntArray, IntArray]:
    starts = rows.starts()
    counts = np.diff(np.concatenate([starts, [rows.episode.size]]))
    intake = np.repeat(rows.total[starts], counts)
    position = np.arange(rows.episode.size) - np.repeat(starts, counts)
    return intake, position.astype(np.int64), np.repeat(counts, counts).astype(np.int64)


def fit(
    rows: Rows,
    *,
    instrument_id: str,
    direction: Direction,
    total_range: tuple[float, float],
    boundary_quantile: float = 0.9,
    max_rows: int = 5_000,
    seed: int = 0,
    band: bool = True,
    fitted_on: date | None = None,
) -> TrajectoryModel:
    """Fit the band and the boundary on completed episodes (two or more scored sessions).

    ``band=False`` fits the boundary only (enough for flagging; used by :func:`evaluate`)."""
    intake, position, count = _intake_and_position(rows)
    use = (position > 0) & (count >= 2)
    idx = np.flatnonzero(use)
    if idx.size > max_rows:  # a seeded sample keeps the LP small; 4 coefficients are stable
        idx = np.sort(np.random.default_rng(seed).choice(idx, size=max_rows, replace=False))
    if idx.size < 10:
        raise ValueError("too few completed episodes to fit an expected trajectory")
    x = _design(intake[idx], rows.session[idx].astype(np.float64))
    y = rows.total[idx]
    q_boundary = boundary_quantile if direction == "higher_is_worse" else 1.0 - boundary_quantile
    quantiles = BAND if band else ()
    coefficients = {str(q): tuple(quantile_regression(x, y, q).tolist()) for q in quantiles}
    coefficients["boundary"] = tuple(quantile_regression(x, y, q_boundary).tolist())
    return TrajectoryModel(
        instrument_id=instrument_id,
        direction=direction,
        n_episodes=int(np.unique(rows.episode[(count >= 2)]).size),
        n_rows=int(idx.size),
        boundary_quantile=boundary_quantile,
        coefficients=coefficients,
        total_min=float(total_range[0]),
        total_max=float(total_range[1]),
        fitted_on=(fitted_on or date.today()).isoformat(),
    )


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    reliable_change: float
    caseness: float | None
    direction: Direction
    by_session: int


def _worse(delta: FloatArray, direction: Direction) -> FloatArray:
    """Change toward worse (positive = worse) from a raw change last - first."""
    return delta if direction == "higher_is_worse" else -delta


def outcomes(rows: Rows, rule: Rule) -> dict[str, npt.NDArray[np.bool_]]:
    """Per episode: deteriorated / unimproved / recovered / improved (Jacobson–Truax)."""
    starts = rows.starts()
    ends = np.concatenate([starts[1:], [rows.episode.size]]) - 1
    first, last = rows.total[starts], rows.total[ends]
    worse = _worse(last - first, rule.direction)
    deteriorated = worse >= rule.reliable_change
    improved = -worse >= rule.reliable_change
    if rule.caseness is None:
        recovered = np.zeros_like(improved)
    else:  # at or beyond the caseness cut-off at first, on the healthy side at last
        at_first = _worse(first - rule.caseness, rule.direction) >= 0
        recovered = improved & at_first & (_worse(last - rule.caseness, rule.direction) < 0)
    return {
        "deteriorated": deteriorated,
        "unimproved": ~deteriorated & ~improved,
        "recovered": recovered,
        "improved": improved & ~recovered,
    }


def first_flags(rows: Rows, rule: Rule, model: TrajectoryModel | None) -> dict[str, FloatArray]:
    """Session of the first flag per episode (inf = never) for each method, using only
    sessions before the episode's last score (a flag at the end is too late to help)."""
    intake, position, count = _intake_and_position(rows)
    eligible = (position > 0) & (position < count - 1)
    session = rows.session.astype(np.float64)
    worse = _worse(rows.total - intake, rule.direction)
    # Mirrors holdspace.signals.rules._default_rule: "no reliable improvement" counts only while
    # the score is still in the clinical range (the OQ "white" state is not an alert).
    in_range = (
        np.ones(rows.total.shape, dtype=bool)
        if rule.caseness is None
        else _worse(rows.total - rule.caseness, rule.direction) >= 0
    )
    default = (worse >= rule.reliable_change) | (
        (session >= rule.by_session) & ~(-worse >= rule.reliable_change) & in_range
    )
    flags = {"default_rule": default & eligible}
    if model is not None:
        boundary = model.predict("boundary", intake, session)
        beyond = _worse(rows.total - boundary, rule.direction) > 0
        flags["expected_trajectory"] = beyond & eligible
    out: dict[str, FloatArray] = {}
    for name, flag in flags.items():
        first = np.full(rows.n_episodes, np.inf)
        np.minimum.at(first, rows.episode[flag], session[flag])
        out[name] = first
    return out


@dataclass(frozen=True)
class MethodReport:
    method: str
    episodes: int
    ended_unhelped: int  # deteriorated or unimproved at the end
    flagged_unhelped: int
    ended_deteriorated: int
    flagged_deteriorated: int
    median_first_flag_session: float | None  # among flagged unhelped episodes
    ended_recovered: int
    flagged_recovered: int

    def to_dict(self) -> dict[str, Any]:
        def share(k: int, n: int) -> float | None:
            return None if n == 0 else round(k / n, 4)

        return {
            "method": self.method,
            "episodes": self.episodes,
            "ended_deteriorated_or_unimproved": self.ended_unhelped,
            "flagged_of_those": self.flagged_unhelped,
            "sensitivity": share(self.flagged_unhelped, self.ended_unhelped),
            "ended_deteriorated": self.ended_deteriorated,
            "flagged_deteriorated": self.flagged_deteriorated,
            "median_first_flag_session": self.median_first_flag_session,
            "ended_recovered": self.ended_recovered,
            "flagged_recovered": self.flagged_recovered,
            "false_alarm_rate_recovered": share(self.flagged_recovered, self.ended_recovered),
        }


def evaluate(
    rows: Rows,
    rule: Rule,
    *,
    instrument_id: str,
    total_range: tuple[float, float],
    folds: int = 5,
    seed: int = 0,
    boundary_quantile: float = 0.9,
    min_episodes: int = 200,
    max_rows: int = 5_000,
) -> dict[str, Any]:
    """K-fold cross-validation by episode: fit on the other folds, flag the held-out fold."""
    n = rows.n_episodes
    order = np.random.default_rng(seed).permutation(n)
    first_flag = {"default_rule": np.full(n, np.inf), "expected_trajectory": np.full(n, np.inf)}
    model_used = 0
    for k in range(folds):
        test = np.sort(order[k::folds])
        train = np.setdiff1d(np.arange(n), test)
        model = None
        if train.size >= min_episodes:
            model = fit(
                rows.subset(train),
                instrument_id=instrument_id,
                direction=rule.direction,
                total_range=total_range,
                boundary_quantile=boundary_quantile,
                max_rows=max_rows,
                seed=seed,
                band=False,
            )
            model_used += 1
        flags = first_flags(rows.subset(test), rule, model)
        for name, values in flags.items():
            first_flag[name][test] = values
    ends = outcomes(rows, rule)
    unhelped = ends["deteriorated"] | ends["unimproved"]
    reports = []
    methods = ["default_rule"] + (["expected_trajectory"] if model_used == folds else [])
    for name in methods:
        flagged = np.isfinite(first_flag[name])
        sessions = first_flag[name][flagged & unhelped]
        reports.append(
            MethodReport(
                method=name,
                episodes=n,
                ended_unhelped=int(unhelped.sum()),
                flagged_unhelped=int((flagged & unhelped).sum()),
                ended_deteriorated=int(ends["deteriorated"].sum()),
                flagged_deteriorated=int((flagged & ends["deteriorated"]).sum()),
                median_first_flag_session=float(np.median(sessions)) if sessions.size else None,
                ended_recovered=int(ends["recovered"].sum()),
                flagged_recovered=int((flagged & ends["recovered"]).sum()),
            ).to_dict()
        )
    return {
        "instrument_id": instrument_id,
        "folds": folds,
        "episodes": n,
        "expected_trajectory_used": model_used == folds,
        "min_episodes": min_episodes,
        "methods": reports,
    }
