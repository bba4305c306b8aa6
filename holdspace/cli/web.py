"""Commands that run the web app: serve, demo, createuser."""

from __future__ import annotations

import os
from pathlib import Path

import typer

DataOption = typer.Option(
    None, "--data", help="Data folder (default: $HOLDSPACE_DATA, else ./holdspace-data)."
)


def setup_django(data: Path | None = None) -> None:
    """Point Django at the data folder and load the app; safe to call twice."""
    if data is not None:
        os.environ["HOLDSPACE_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "holdspace.web.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def run_server(host: str, port: int) -> None:
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from waitress import serve as waitress_serve

    from holdspace.web.wsgi import application

    hosts = set(settings.ALLOWED_HOSTS)
    hosts.add(host)
    settings.ALLOWED_HOSTS = sorted(hosts)
    typer.echo(f"Holdspace is running at http://{host}:{port}/  (Ctrl+C stops it)")
    waitress_serve(StaticFilesHandler(application), host=host, port=port, threads=8, _quiet=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data: Path | None = DataOption,
) -> None:
    """Apply migrations on first run and serve the web app."""
    setup_django(data)
    migrate()
    explain_first_run()
    run_server(host, port)


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
    setup_django(data)
    from axes.utils import reset

    cleared = reset(username=username)
    typer.echo(f"Cleared {cleared} paused sign-in record(s) for {username!r}.")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(createuser)
    app.command()(unlock)
