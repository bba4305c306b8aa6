"""`holdspace demo`: the app on SQLite with a synthetic caseload, in one command."""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

import typer

from holdspace.cli.web import migrate, run_server, setup_django

DemoDataOption = typer.Option(
    None, "--data", help="Data folder to keep the demo in (default: a new temporary one)."
)
HostOption = typer.Option("127.0.0.1", help="Address to listen on.")
PortOption = typer.Option(8000, help="Port to listen on.")
ClientsOption = typer.Option(10, min=8, max=2000, help="How many synthetic clients.")
NoServeOption = typer.Option(False, "--no-serve", help="Build the demo, then stop.")


def demo(
    data: Path | None = DemoDataOption,
    host: str = HostOption,
    port: int = PortOption,
    clients: int = ClientsOption,
    no_serve: bool = NoServeOption,
) -> None:
    """Build a synthetic demo caseload (no real people), print the logins and serve."""
    folder = data if data is not None else Path(tempfile.mkdtemp(prefix="holdspace-demo-"))
    setup_django(folder)
    migrate()
    from django.utils import timezone

    from holdspace.web.clients.seed import build_demo
    from holdspace.web.showcase import build_showcase, demo_admin, share_space_link

    started = time.perf_counter()
    password = secrets.token_urlsafe(12)
    clinician, supervisor, built = build_demo(
        today=timezone.localdate(), password=password, clients=clients
    )
    admin = demo_admin(password)
    from holdspace.demo import demo_trajectory_model
    from holdspace.web.clients.models import FittedTrajectoryModel
    from holdspace.web.clients.services import install_trajectory_model

    if not FittedTrajectoryModel.objects.exists():
        # Fitted on synthetic episodes so the client pages show the expected band; a real
        # service fits its own with `holdspace trajectories fit` and installs it. Before the
        # showcase, so the review it opens sees the same signals as the client page.
        install_trajectory_model(
            demo_trajectory_model(fitted_on=timezone.localdate()), source="demo"
        )
    showcase = build_showcase(clinician, supervisor, today=timezone.localdate())
    typer.echo(f"Data folder: {folder}")
    typer.echo("Demo caseload built (synthetic clients)." if built else "Demo caseload kept.")
    typer.echo(f"  clinician:  {clinician.username}  password: {password}")
    typer.echo(f"  supervisor: {supervisor.username}  password: {password}")
    typer.echo(f"  admin:      {admin.username}  password: {password}  (users and audit log)")
    typer.echo(
        f"Showcase client {showcase.episode.client.code}: patterns, a review, an adaptation, "
        f"notes, goals and check-ins at /episodes/{showcase.episode.pk}/ "
        f"and /reviews/{showcase.review.pk}/"
    )
    token = share_space_link(showcase, clinician)
    typer.echo(
        f"The showcase client's own space (phone-sized; a PIN is chosen on first visit): "
        f"http://{host}:{port}/s/{token}/"
    )
    typer.echo("Expected-trajectory model: synthetic, in the database.")
    typer.echo(f"Built in {time.perf_counter() - started:.1f} s.")
    if not no_serve:
        run_server(host, port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
