"""Load the synthetic caseload from `holdspace.demo` into the database.

`load_caseload` goes through the services (scored, audited), as a real clinician's
entries would; `bulk_caseload` scores with the core too but inserts in bulk, for the
benchmarks and the query-count tests that need hundreds of clients quickly.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from holdspace.demo import DemoClient, demo_caseload
from holdspace.instruments import score
from holdspace.web.accounts.models import User
from holdspace.web.clients import services
from holdspace.web.clients.models import (
    Administration,
    AdministrationSource,
    Client,
    Episode,
    PlanItem,
    Session,
)


def _at(date: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(10, 0)))


def _plan_lines() -> list[services.PlanLine]:
    return [line for line in services.DEFAULT_PLAN if services.instrument_known(line.instrument_id)]


def load_caseload(clinician: User, clients: list[DemoClient]) -> list[Episode]:
    episodes = []
    for demo in clients:
        with transaction.atomic():
            client = services.add_client(clinician, demo.code)
            episode = services.open_episode(
                client, clinician, opened_on=demo.opened_on, plan=_plan_lines()
            )
            for s in demo.sessions:
                session = services.add_session(episode, clinician, date=s.date, status=s.status)
                for m in s.measures:
                    services.record_administration(
                        episode,
                        m.instrument_id,
                        list(m.answers),
                        source=AdministrationSource.IN_SESSION,
                        session=session,
                        entered_by=clinician,
                        completed_at=_at(s.date),
                    )
        episodes.append(episode)
    return episodes


def bulk_caseload(clinician: User, n: int, *, today: dt.date, prefix: str = "B") -> None:
    """n synthetic clients for `clinician`, inserted in bulk (no audit: test data only)."""
    demo = demo_caseload(today, clients=n)
    clients = Client.objects.bulk_create(
        Client(code=f"{prefix}-{clinician.pk}-{d.code}", clinician=clinician) for d in demo
    )
    episodes = Episode.objects.bulk_create(
        Episode(client=c, clinician=clinician, opened_on=d.opened_on)
        for c, d in zip(clients, demo, strict=True)
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            episode=e,
            instrument_id=line.instrument_id,
            every_n_sessions=line.every_n_sessions,
            from_session=line.from_session,
            after_session=line.after_session,
        )
        for e in episodes
        for line in _plan_lines()
    )
    sessions = Session.objects.bulk_create(
        Session(episode=e, number=s.number, date=s.date, status=s.status)
        for e, d in zip(episodes, demo, strict=True)
        for s in d.sessions
    )
    by_key = {(s.episode_id, s.number): s for s in sessions}
    rows = []
    for e, d in zip(episodes, demo, strict=True):
        for s in d.sessions:
            for m in s.measures:
                result = score(m.instrument_id, list(m.answers))
                rows.append(
                    Administration(
                        episode=e, session=by_key[(e.pk, s.number)],
                        instrument_id=result.instrument, instrument_version=result.version,
                        answers=list(m.answers), total=result.total, band=result.band or "",
                        result=result.to_dict(), has_risk=result.has_risk,
                        source=AdministrationSource.IN_SESSION, completed_at=_at(s.date),
                    )
                )  # fmt: skip
    Administration.objects.bulk_create(rows, batch_size=500)


DEMO_CLINICIAN = "demo-clinician"
DEMO_SUPERVISOR = "demo-supervisor"


def build_demo(*, today: dt.date, password: str, clients: int = 10) -> tuple[User, User, bool]:
    """The demo accounts and caseload; returns (clinician, supervisor, built_now).

    Run again on the same data folder, it keeps the caseload and only resets the
    passwords, so the printed logins always work.
    """
    clinician, new = User.objects.get_or_create(
        username=DEMO_CLINICIAN, defaults={"role": "clinician"}
    )
    supervisor, _ = User.objects.get_or_create(
        username=DEMO_SUPERVISOR, defaults={"role": "supervisor"}
    )
    for user in (clinician, supervisor):
        user.set_password(password)
        user.save(update_fields=["password"])
    clinician.supervisors.add(supervisor)
    if new or not clinician.clients.exists():
        load_caseload(clinician, demo_caseload(today, clients=clients))
        return clinician, supervisor, True
    return clinician, supervisor, False
