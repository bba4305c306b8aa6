"""The `holdspace` command: a thin Typer shell over the core library and the web app.

Each module in this package that defines ``register(app)`` adds its own commands, so
that a new command lives beside its kin without editing a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="holdspace",
    help="Holdspace: measurement-based care that looks at the therapeutic environment first.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        register = getattr(loaded, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    app()
