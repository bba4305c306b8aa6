"""Crisis resources shown to a client: a bundled data file, overridable per clinic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BUNDLED = Path(__file__).with_name("crisis_resources.yaml")
_SERVICE_FIELDS = ("name", "how", "source")


@dataclass(frozen=True)
class Service:
    name: str
    how: str  # what to do, in plain words: "Call 116 123, free, any time"
    tel: str  # digits for a tap-to-call link, or ""
    url: str
    source: str  # where this was checked


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    services: tuple[Service, ...]


def _service(raw: dict[str, Any], where: str) -> Service:
    missing = [f for f in _SERVICE_FIELDS if not raw.get(f)]
    if missing:
        raise ImproperlyConfigured(f"{where}: a service needs {', '.join(missing)}")
    return Service(
        name=str(raw["name"]),
        how=str(raw["how"]),
        tel=str(raw.get("tel", "")),
        url=str(raw.get("url", "")),
        source=str(raw["source"]),
    )


def _regions(path: Path) -> dict[str, Region]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"crisis resources file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise ImproperlyConfigured(f"{path}: needs a 'regions' mapping (see docs/checkin.md)")
    regions = {}
    for key, raw in data["regions"].items():
        where = f"{path} regions.{key}"
        if not isinstance(raw, dict) or not isinstance(raw.get("services"), list):
            raise ImproperlyConfigured(f"{where}: needs 'name' and a list of 'services'")
        services = tuple(_service(s, f"{where}.services") for s in raw["services"])
        regions[str(key)] = Region(str(key), str(raw.get("name", key)), services)
    return regions


def load_regions() -> dict[str, Region]:
    """The bundled regions, with a clinic's file replacing whole regions by key."""
    regions = _regions(BUNDLED)
    if settings.HOLDSPACE_CRISIS_RESOURCES:
        regions.update(_regions(Path(settings.HOLDSPACE_CRISIS_RESOURCES)))
    return regions


def resources_for(region: str | None = None) -> list[Region]:
    """The clinic's region first, then the international list."""
    regions = load_regions()
    wanted = region or settings.HOLDSPACE_CRISIS_REGION
    if wanted not in regions:
        raise ImproperlyConfigured(
            f"HOLDSPACE_CRISIS_REGION={wanted!r} is not in the crisis resources; "
            f"use one of {', '.join(sorted(regions))}"
        )
    order = [wanted] + (["INT"] if wanted != "INT" and "INT" in regions else [])
    return [regions[k] for k in order]


def resources_or_fallback(region: str | None = None) -> list[Region]:
    """For the safety screens: never fail. A broken clinic file falls back to the bundled
    list (the system check `crisis_resources_check` reports the problem at start-up)."""
    try:
        return resources_for(region)
    except ImproperlyConfigured:
        bundled = _regions(BUNDLED)
        return [bundled[k] for k in ("GB", "US", "INT") if k in bundled]
