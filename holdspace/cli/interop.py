"""Share and keep: `holdspace export`, `import`, `backup`, `backup verify` and `restore`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from holdspace.cli.web import DataOption, setup_django

PASSPHRASE_ENV = "HOLDSPACE_BACKUP_PASSPHRASE"
PassphraseFileOption = typer.Option(
    None,
    "--passphrase-file",
    help=f"Read the passphrase from this file (else ${PASSPHRASE_ENV}, else a prompt).",
)

backup_app = typer.Typer(
    help="Make an encrypted backup of the database (or verify one).",
    invoke_without_command=True,
)


def read_passphrase(passphrase_file: Path | None, *, confirm: bool) -> str:
    """--passphrase-file, then the environment, then a hidden prompt."""
    if passphrase_file is not None:
        try:
            return passphrase_file.read_text().rstrip("\r\n")
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot read {passphrase_file}: {exc.strerror}", param_hint="--passphrase-file"
            ) from exc
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    answer: str = typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)
    return answer


def database_from_settings() -> Any:
    """The configured database as the backup module's plain description."""
    from django.conf import settings

    from holdspace.backup import PostgresDatabase, SqliteDatabase

    conf = settings.DATABASES["default"]
    engine = str(conf["ENGINE"])
    if engine.endswith("sqlite3"):
        return SqliteDatabase(Path(str(conf["NAME"])))
    if "postgresql" in engine:
        return PostgresDatabase(
            dbname=str(conf["NAME"]),
            user=str(conf.get("USER") or ""),
            password=str(conf.get("PASSWORD") or ""),
            host=str(conf.get("HOST") or ""),
            port=str(conf.get("PORT") or ""),
        )
    raise typer.BadParameter(f"database engine {engine} is not supported for backups")


def _secret_key_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "secret_key"


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(1) from exc


@backup_app.callback()
def backup(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Backup file to write (default: holdspace-<time>.hsbackup)."
        ),
    ] = None,
    passphrase_file: Path | None = PassphraseFileOption,
    data: Path | None = DataOption,
) -> None:
    """Write a consistent, encrypted snapshot of the database with a manifest of checksums."""
    if ctx.invoked_subcommand is not None:
        return
    from holdspace.backup import BackupError, create_backup

    setup_django(data, prepare=False)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = out or Path(f"holdspace-{stamp}.hsbackup")
    passphrase = read_passphrase(passphrase_file, confirm=True)
    try:
        manifest = create_backup(
            database_from_settings(), target, passphrase, secret_key_file=_secret_key_file()
        )
    except BackupError as exc:
        _fail(exc)
        return
    rows = sum(t.rows for t in manifest.tables.values())
    typer.echo(f"Backup written to {target}: {len(manifest.tables)} tables, {rows} rows.")
    typer.echo("Keep the passphrase safe: without it the backup cannot be opened.")


@backup_app.command("verify")
def backup_verify(
    file: Annotated[Path, typer.Argument(help="The backup file to check.")],
    passphrase_file: Path | None = PassphraseFileOption,
) -> None:
    """Decrypt in a private temporary folder and check every checksum; change nothing."""
    from holdspace.backup import BackupError, verify_backup

    passphrase = read_passphrase(passphrase_file, confirm=False)
    try:
        manifest = verify_backup(file, passphrase)
    except BackupError as exc:
        _fail(exc)
        return
    rows = sum(t.rows for t in manifest.tables.values())
    typer.echo(
        f"Backup intact: {manifest.engine}, made {manifest.created_at}, "
        f"{len(manifest.tables)} tables, {rows} rows, every checksum matches."
    )


def restore(
    file: Annotated[Path, typer.Argument(help="The backup file to restore.")],
    passphrase_file: Path | None = PassphraseFileOption,
    data: Path | None = DataOption,
) -> None:
    """Restore a backup into an empty data folder (or an empty PostgreSQL database)."""
    from holdspace.backup import BackupError, restore_backup
    from holdspace.web.datafolder import private_umask

    # Nothing is written (no folder, no new secret key) unless the backup checks out.
    private_umask()
    setup_django(data, prepare=False)
    passphrase = read_passphrase(passphrase_file, confirm=False)
    try:
        manifest = restore_backup(
            file, passphrase, database_from_settings(), secret_key_file=_secret_key_file()
        )
    except BackupError as exc:
        _fail(exc)
        return
    rows = sum(t.rows for t in manifest.tables.values())
    typer.echo(f"Restored {len(manifest.tables)} tables, {rows} rows; every table matches.")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)


def _client_and_episodes(client_code: str | None, episode_id: int | None) -> tuple[Any, Any]:
    from holdspace.web.clients.models import Client, Episode

    episodes = Episode.objects.all()
    if episode_id is not None:
        episodes = episodes.filter(pk=episode_id)
        if not episodes.exists():
            raise typer.BadParameter(f"no episode with id {episode_id}", param_hint="--episode")
    client = None
    if client_code is not None:
        client = Client.objects.filter(code=client_code).first()
        if client is None:
            raise typer.BadParameter(f"no client with code {client_code!r}", param_hint="--client")
        episodes = episodes.filter(client=client)
    elif episode_id is not None:
        client = episodes.get().client
    return client, episodes


def export(
    fhir: Annotated[bool, typer.Option("--fhir", help="A FHIR R4B Bundle (JSON).")] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="CSV in `holdspace analyze`'s format.")
    ] = False,
    client: Annotated[str | None, typer.Option("--client", help="Client code.")] = None,
    episode: Annotated[int | None, typer.Option("--episode", help="Episode id.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")] = None,
    data: Path | None = DataOption,
) -> None:
    """Export one client's record as FHIR, or administrations as CSV (all clients by default)."""
    if fhir == csv:
        raise typer.BadParameter("choose exactly one of --fhir or --csv")
    if fhir and client is None and episode is None:
        raise typer.BadParameter("a FHIR Bundle is for one client: give --client or --episode")
    setup_django(data)
    import io

    from holdspace.interop import build_bundle, bundle_json, write_csv
    from holdspace.web.api.records import to_records
    from holdspace.web.audit.log import record as audit
    from holdspace.web.clients.models import Administration

    found, episodes = _client_and_episodes(client, episode)
    records = to_records(Administration.objects.filter(episode__in=episodes))
    target = f"client:{found.pk}" if found is not None else "service:all"
    audit(None, "export", target, detail={"format": "fhir" if fhir else "csv"})
    if fhir:
        _write(bundle_json(build_bundle(found.code, records)), out)
    else:
        buffer = io.StringIO()
        count = write_csv(records, buffer)
        _write(buffer.getvalue(), out)
        typer.echo(f"{count} rows", err=True)


def import_(
    file: Annotated[
        Path,
        typer.Argument(help="FHIR JSON: a Bundle, a QuestionnaireResponse or a total Observation."),
    ],
    fhir: Annotated[bool, typer.Option("--fhir", help="The file is FHIR JSON.")] = True,
    episode: Annotated[
        int | None, typer.Option("--episode", help="Episode id to import into.")
    ] = None,
    client: Annotated[
        str | None,
        typer.Option(
            "--client",
            help="Client code: import into the client's episode that spans the responses, "
            "creating the client and an episode when they do not exist.",
        ),
    ] = None,
    clinician: Annotated[
        str | None,
        typer.Option("--clinician", help="User name of the clinician a new client joins."),
    ] = None,
    allow_outside: Annotated[
        bool,
        typer.Option(
            "--allow-outside", help="Place responses dated outside the episode (with a warning)."
        ),
    ] = False,
    data: Path | None = DataOption,
) -> None:
    """Import what another system sent into an episode: all of it, or none."""
    if not fhir:
        raise typer.BadParameter("only FHIR import is supported (--fhir)")
    if (episode is None) == (client is None):
        raise typer.BadParameter("give exactly one of --episode ID or --client CODE")
    setup_django(data)
    from django.db import transaction

    from holdspace.interop import FhirImportError, read_fhir
    from holdspace.web.accounts.models import User
    from holdspace.web.api.records import episode_for_import, import_batch
    from holdspace.web.audit.log import record as audit

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="FILE") from exc
    owner = None
    if clinician is not None:
        owner = User.objects.filter(username=clinician).first()
        if owner is None:
            raise typer.BadParameter(f"no user {clinician!r}", param_hint="--clinician")
    created: list[str] = []
    try:
        batch = read_fhir(raw)
        with transaction.atomic():
            if client is not None:
                target, created = episode_for_import(client, batch, clinician=owner)
            else:
                _, episodes = _client_and_episodes(None, episode)
                target = episodes.get()
            report = import_batch(target, batch, by=None, allow_outside=allow_outside)
            audit(
                None,
                "import",
                f"episode:{target.pk}",
                detail={"count": len(report.stored), "already": len(report.already)},
            )
    except FhirImportError as exc:
        for problem in exc.problems:
            typer.echo(f"Error: {problem}", err=True)
        typer.echo("Nothing was imported.", err=True)
        raise typer.Exit(1) from exc
    for line in created:
        typer.echo(f"Created {line}.")
    for warning in report.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    for note in report.notes:
        typer.echo(f"Note: {note}")
    for line in report.skipped:
        typer.echo(f"Passed over: {line}")
    if report.already:
        typer.echo(f"{_administrations(len(report.already))} imported before; nothing new written.")
    typer.echo(f"Imported {_administrations(len(report.stored))} into episode {target.pk}.")


def _administrations(n: int) -> str:
    return f"{n} administration" if n == 1 else f"{n} administrations"


def register(app: typer.Typer) -> None:
    app.command()(export)
    app.command(name="import")(import_)
    app.add_typer(backup_app, name="backup")
    app.command()(restore)
