"""`holdspace cards`: validate and list the review card library (bundled plus local)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

# Named here, not imported, so `holdspace --help` does not load the card library;
# tests/core/test_cli_startup.py checks it is the name holdspace.reviews.cards reads.
LOCAL_CARDS_ENV = "HOLDSPACE_LOCAL_CARDS"

LocalOption = typer.Option(
    None,
    "--local",
    envvar=LOCAL_CARDS_ENV,
    show_envvar=False,
    help=f"Folder of the clinic's own cards (default: ${LOCAL_CARDS_ENV}).",
)


def cards(local: Path | None = LocalOption) -> None:
    """Check the review cards (schema and sources) and list them in review order."""
    from holdspace.reviews import CardError, load_cards

    try:
        found = load_cards(local_dir=local)
    except CardError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from exc
    table = Table("card", "signal", "layer", "title", "sources", "from")
    for card in found:
        table.add_row(
            card.id, card.signal, card.layer, card.title, str(len(card.sources)), card.origin
        )
    Console().print(table)
    typer.echo(f"{len(found)} cards, all valid.")


def register(app: typer.Typer) -> None:
    app.command()(cards)
