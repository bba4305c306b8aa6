"""Commands that run the web app: serve, demo, createuser."""

from __future__ import annotations

import os
from pathlib import Path

import typer

DataOption = typer.Option(
    None, "--data", help="Data folder (default: $HOLDSPACE_DATA, else ./holdspace-data)."
)


def data_folder(data: Path | None) -> Path:
    return Path(data or os.getenv("HOLDSPACE_DATA") or "holdspace-data").resolve()


def setup_django(data: Path | None = None, *, prepare: bool = True) -> None:
    """Point Django at the data folder and load the app; safe to call twice.

    `prepare` makes the folder private and creates the secret key when missing
    (holdspace/web/datafolder.py); commands that must write nothing pass False.
    """
    from holdspace.web import datafolder

    if data is not None:
        os.environ["HOLDSPACE_DATA"] = str(data)
    if prepare:
        datafolder.prepare(data_folder(data))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "holdspace.web.settings")
    import django

    django.setup()


def migrate() -> None:
    """Apply migrations and make the shared cache's table (both are no-ops when done)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run_server(host: str, port: int, workers: int = 1) -> None:
    from django.conf import settings

    from holdspace.web import serving

    collect_static()
    hosts = set(settings.ALLOWED_HOSTS)
    hosts.add(host)
    settings.ALLOWED_HOSTS = sorted(hosts)
    processes = f"{workers} processes" if workers > 1 else "one process"
    typer.echo(
        f"Holdspace is running at http://{serving.bind_address(host, port)}/ "
        f"({processes}; Ctrl+C stops it)"
    )
    serving.run(host, port, workers)


WorkersOption = typer.Option(
    None,
    "--workers",
    min=1,
    max=64,
    help="Server processes (default: $HOLDSPACE_WORKERS, else 1). More than one runs gunicorn.",
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int | None = WorkersOption,
    data: Path | None = DataOption,
) -> None:
    """Apply migrations on first run and serve the web app."""
    setup_django(data)
    migrate()
    explain_first_run()
    from django.conf import settings

    run_server(host, port, workers or settings.HOLDSPACE_WORKERS)


def migrate_command(data: Path | None = DataOption) -> None:
    """Apply database migrations (run after an upgrade, before starting the new version)."""
    setup_django(data)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=0)


def explain_first_run() -> None:
    """With no accounts yet, say how to make the first one (the sign-in page says it too)."""
    from django.contrib.auth import get_user_model

    from holdspace.web.accounts.views import FIRST_ADMIN_COMMAND, FIRST_RUN_COMMAND

    if get_user_model().objects.exists():
        return
    typer.echo("No accounts yet. Create the first one in another terminal:")
    typer.echo(f"    {FIRST_RUN_COMMAND}")
    typer.echo(f"and, to manage accounts and read the audit log: {FIRST_ADMIN_COMMAND}")


def createuser(
    username: str = typer.Argument(..., help="The sign-in name."),
    role: str = typer.Option("clinician", help="clinician, supervisor or admin."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    require_totp: bool = typer.Option(
        False, "--require-totp", help="The account must set up two-factor sign-in first."
    ),
    data: Path | None = DataOption,
) -> None:
    """Create an account (the first run starts here)."""
    setup_django(data)
    migrate()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from holdspace.web.accounts.models import Role

    if role not in Role.values:
        raise typer.BadParameter(
            f"role must be one of {', '.join(Role.values)}", param_hint="--role"
        )
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        typer.echo(f"Error: a user named {username!r} already exists.", err=True)
        raise typer.Exit(1)
    try:
        validate_password(password)
    except ValidationError as exc:
        typer.echo("Error: password: " + " ".join(exc.messages), err=True)
        raise typer.Exit(1) from exc
    user_model.objects.create_user(
        username=username, password=password, role=role, require_totp=require_totp
    )
    typer.echo(f"Created {role} {username!r}. Sign in at /account/login/ (holdspace serve).")


def unlock(
    username: str = typer.Argument(..., help="The account whose sign-in is paused."),
    data: Path | None = DataOption,
) -> None:
    """Lift a sign-in pause after repeated failed attempts."""
    setup_django(data, prepare=False)
    from axes.utils import reset

    cleared = reset(username=username)
    typer.echo(f"Cleared {cleared} paused sign-in record(s) for {username!r}.")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("migrate")(migrate_command)
    app.command()(createuser)
    app.command()(unlock)
