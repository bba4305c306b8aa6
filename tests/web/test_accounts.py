"""Roles and the admin's user pages; the first run; `holdspace createuser`."""

from __future__ import annotations

import re
import shlex

import pytest
from django.test import Client
from typer.testing import CliRunner

from holdspace.cli import app
from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
ADMIN_PAGES = ["/account/users/", "/account/users/new/", "/audit/"]


def make_user(username: str, role: str = Role.CLINICIAN, **extra) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ada() -> User:
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def admin_client(ada: User) -> Client:
    return signed_in(ada)


# Role gates ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR])
def test_only_admins_open_admin_pages(role: str, ada: User) -> None:
    client = signed_in(make_user("robin", role))

    for path in [*ADMIN_PAGES, f"/account/users/{ada.pk}/"]:
        assert client.get(path).status_code == 404, path


def test_admin_pages_need_sign_in() -> None:
    for path in ADMIN_PAGES:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_an_admin_lands_on_users_not_a_caseload(ada: User) -> None:
    response = Client().post("/account/login/", {"username": "ada", "password": PASSWORD})

    assert response["Location"] == "/account/users/"


def test_user_list_shows_accounts_and_no_clinical_content(admin_client: Client) -> None:
    from holdspace.web.clients.models import Client as ClientRecord

    robin = make_user("robin")
    ClientRecord.objects.create(code="ZX-4471", display_name="Sam Private", clinician=robin)

    html = admin_client.get("/account/users/").content.decode()

    assert "robin" in html and "Clinician" in html
    assert "ZX-4471" not in html and "Sam Private" not in html


# Admin actions ------------------------------------------------------------------------


def test_admin_creates_a_clinician_with_a_supervisor(admin_client: Client, ada: User) -> None:
    sky = make_user("sky", Role.SUPERVISOR)

    response = admin_client.post(
        "/account/users/new/",
        {
            "username": "robin",
            "role": Role.CLINICIAN,
            "password": "another-long-passphrase",
            "supervisors": [sky.pk],
            "require_totp": "on",
        },
    )

    assert response.status_code == 302
    robin = User.objects.get(username="robin")
    assert robin.role == Role.CLINICIAN and robin.require_totp
    assert list(robin.supervisors.all()) == [sky]
    assert robin.check_password("another-long-passphrase")
    event = AuditEvent.objects.get(action="create")
    assert event.actor == ada and event.target == f"user:{robin.pk}"


def test_bad_new_user_names_the_field_and_saves_nothing(admin_client: Client) -> None:
    response = admin_client.post(
        "/account/users/new/", {"username": "robin", "role": "wizard", "password": "short"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"role", "password"}
    assert not User.objects.filter(username="robin").exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def _edit(admin_client: Client, user: User, **changes):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "supervisors": [s.pk for s in user.supervisors.all()],
        **({"require_totp": "on"} if user.require_totp else {}),
        **({"is_active": "on"} if user.is_active else {}),
    }
    data.update(changes)
    return admin_client.post(f"/account/users/{user.pk}/", {k: v for k, v in data.items() if v})


def test_admin_assigns_a_supervisor_and_requires_totp(admin_client: Client) -> None:
    robin, sky = make_user("robin"), make_user("sky", Role.SUPERVISOR)

    response = _edit(admin_client, robin, supervisors=[sky.pk], require_totp="on")

    assert response.status_code == 302
    robin.refresh_from_db()
    assert robin.require_totp and list(robin.supervisors.all()) == [sky]
    assert list(sky.supervisees.all()) == [robin]
    event = AuditEvent.objects.get(action="update")
    assert event.detail == {"fields": ["require_totp", "supervisors"]}


def test_only_clinicians_have_supervisors(admin_client: Client) -> None:
    sky, lee = make_user("sky", Role.SUPERVISOR), make_user("lee", Role.SUPERVISOR)

    response = _edit(admin_client, lee, supervisors=[sky.pk])

    assert response.status_code == 200
    assert "supervisors" in response.context["form"].errors


def test_a_deactivated_user_cannot_sign_in(admin_client: Client) -> None:
    robin = make_user("robin")

    _edit(admin_client, robin, is_active="")

    robin.refresh_from_db()
    assert not robin.is_active
    response = Client().post("/account/login/", {"username": "robin", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session


def test_an_admin_cannot_remove_their_own_access(admin_client: Client, ada: User) -> None:
    response = _edit(admin_client, ada, role=Role.CLINICIAN)

    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.role == Role.ADMIN


# First run -------------------------------------------------------------------------------


def test_first_run_page_gives_the_exact_command_and_it_works() -> None:
    html = Client().get("/account/login/").content.decode()
    commands = re.findall(r"<code>(holdspace createuser[^<]*)</code>", html)
    assert len(commands) == 2

    args = shlex.split(commands[0])[1:]
    result = CliRunner().invoke(app, args, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    user = User.objects.get()
    assert user.role == Role.CLINICIAN and user.check_password(PASSWORD)
    assert "no accounts yet" not in Client().get("/account/login/").content.decode()


def test_createuser_refuses_a_weak_password_and_an_unknown_role() -> None:
    runner = CliRunner()

    weak = runner.invoke(app, ["createuser", "robin"], input="password\npassword\n")
    bad_role = runner.invoke(app, ["createuser", "robin", "--role", "wizard"], input="x\nx\n")

    assert weak.exit_code == 1 and "password" in weak.output
    assert bad_role.exit_code == 2 and "--role" in bad_role.output
    assert not User.objects.exists()


def test_createuser_can_require_totp() -> None:
    result = CliRunner().invoke(
        app, ["createuser", "ada", "--role", "admin", "--require-totp"], input=f"{PASSWORD}\n" * 2
    )

    assert result.exit_code == 0, result.output
    assert User.objects.get(username="ada").require_totp


def test_serve_explains_the_first_run(capsys: pytest.CaptureFixture[str]) -> None:
    from holdspace.cli.web import explain_first_run

    explain_first_run()
    before = capsys.readouterr().out
    make_user("robin")
    explain_first_run()
    after = capsys.readouterr().out

    assert "holdspace createuser YOUR-NAME --role clinician" in before
    assert after == ""
