"""The steps of a safety plan (Stanley & Brown 2012), as data with their sources.

Pure data and a loader: the web app stores each plan's versions, this module says which
steps a plan has, in which order, what each asks, and which ones the client edits alone
(the rest are made together with the clinician in session).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

STEPS_FILE = Path(__file__).with_name("steps.yaml")
# The longest text one step may hold: a plan is read in a hard moment, so it stays short.
STEP_TEXT_MAX = 2000


class SafetyPlanDataError(ValueError):
    """The steps file is malformed; names the step and the field."""


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    supports: str


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    prompt: str
    client_edits: bool  # False: written together with the clinician in session
    crisis_lines: bool  # the clinic's crisis resources are listed under this step
    source: Source


@dataclass(frozen=True)
class PlanSteps:
    steps: tuple[Step, ...]
    sources: tuple[Source, ...]

    def ids(self) -> list[str]:
        return [s.id for s in self.steps]


@cache
def plan_steps() -> PlanSteps:
    return load_steps(STEPS_FILE)


def load_steps(path: Path) -> PlanSteps:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = {}
    for raw in data.get("sources", []):
        for field in ("id", "citation", "supports"):
            if not raw.get(field):
                raise SafetyPlanDataError(f"{path}: a source needs {field!r}")
        sources[raw["id"]] = Source(raw["id"], raw["citation"].strip(), raw["supports"].strip())
    steps = []
    for raw in data.get("steps", []):
        where = f"{path}: step {raw.get('id', '?')}"
        for field in ("id", "title", "prompt", "source"):
            if not raw.get(field):
                raise SafetyPlanDataError(f"{where} needs {field!r}")
        if raw["source"] not in sources:
            raise SafetyPlanDataError(f"{where}: source {raw['source']!r} is not listed")
        if not isinstance(raw.get("client_edits"), bool):
            raise SafetyPlanDataError(f"{where}: client_edits must be true or false")
        steps.append(
            Step(
                id=raw["id"],
                title=raw["title"],
                prompt=raw["prompt"].strip(),
                client_edits=raw["client_edits"],
                crisis_lines=bool(raw.get("crisis_lines", False)),
                source=sources[raw["source"]],
            )
        )
    if len({s.id for s in steps}) != len(steps):
        raise SafetyPlanDataError(f"{path}: two steps share an id")
    return PlanSteps(tuple(steps), tuple(sources.values()))
