"""`holdspace audit verify`: check that the audit log has not been altered."""

from __future__ import annotations

from pathlib import Path

import typer

from holdspace.cli.web import DataOption, setup_django

audit_app = typer.Typer(help="Check the audit log.", no_args_is_help=True)

AnchorOption = typer.Option(
    None,
    "--anchor",
    metavar="COUNT:HASH",
    help="A count and last hash printed by an earlier verify: check that row still matches.",
)


@audit_app.command()
def verify(data: Path | None = DataOption, anchor: str | None = AnchorOption) -> None:
    """Recompute the hash chain; exit 1 naming the first row that does not match."""
    setup_django(data, prepare=False)  # reads only: never creates a folder or a key
    from django.db import DatabaseError

    from holdspace.web.audit.log import verify_chain

    try:
        result = verify_chain()
    except DatabaseError as exc:
        message = f"Error: cannot read the audit log ({exc}). Has `holdspace serve` run?"
        typer.echo(message, err=True)
        raise typer.Exit(2) from exc
    if not result.ok:
        where = f"row seq={result.broken_seq}"
        if result.broken_id is not None:
            where += f" (id={result.broken_id})"
        typer.echo(
            f"Audit log BROKEN at {where}: {result.reason}. "
            f"{result.count} events before it are intact.",
            err=True,
        )
        raise typer.Exit(1)
    if anchor is not None:
        _check_anchor(anchor)
    typer.echo(f"Audit log intact: {result.count} events, chain unbroken.")
    # Kept elsewhere (e.g. a backup log), these show a later wholesale rewrite: --anchor.
    typer.echo(f"Anchor: {result.count}:{result.last_hash}")


def _check_anchor(anchor: str) -> None:
    from holdspace.web.audit.models import AuditEvent

    seq_text, _, expected = anchor.partition(":")
    if not seq_text.isdigit() or len(expected) != 64:
        raise typer.BadParameter("use COUNT:HASH as printed by verify", param_hint="--anchor")
    row = AuditEvent.objects.filter(seq=int(seq_text)).first()
    if row is None or row.hash != expected:
        typer.echo(
            f"Audit log REWRITTEN: row seq={seq_text} no longer has the hash recorded earlier.",
            err=True,
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
