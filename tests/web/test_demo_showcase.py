"""`holdspace demo --no-serve` shows the whole product: after it runs, the showcase client
has patterns, a review with marks, a plan and a supervisor's comment, an adaptation with
enough later scores to compare, notes (one with kept wording), goals and check-ins, and
the demo users' pages render them."""

from __future__ import annotations

import html
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from holdspace import demo

pytestmark = pytest.mark.slow

# Run in a child process against the demo's own data folder (the test process's Django is
# bound to the test database): each demo user's pages, as (status, html).
_PAGES = r"""
import json, sys
from pathlib import Path
from holdspace.cli.web import setup_django
setup_django(Path(sys.argv[1]))
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from holdspace.web.accounts.models import User
from holdspace.web.reviews.models import StuckPointReview
setup_test_environment()  # lets the test client's host in
review = StuckPointReview.objects.select_related("episode").get()
episode = review.episode
pages = {
    "clinician": {
        "episode": reverse("clients:episode_detail", args=[episode.pk]),
        "review": reverse("reviews:review_detail", args=[review.pk]),
        "reviews": reverse("reviews:episode_reviews", args=[episode.pk]),
        "report": reverse("reports:client_report", args=[episode.client_id]),
        "clinician_report": reverse("reports:clinician_report", args=[episode.client_id]),
        "notes": reverse("notes:list", args=[episode.pk]),
        "checkins": reverse("checkins:episode", args=[episode.pk]),
    },
    "supervisor": {
        "episode": reverse("clients:episode_detail", args=[episode.pk]),
        "review": reverse("reviews:review_detail", args=[review.pk]),
    },
    "admin": {
        "users": reverse("users"),
        "audit": reverse("audit:events"),
        "episode": reverse("clients:episode_detail", args=[episode.pk]),
    },
}
out = {}
for who, urls in pages.items():
    client = Client()
    client.force_login(User.objects.get(username=f"demo-{who}"))
    for name, url in urls.items():
        response = client.get(url)
        out[f"{who}:{name}"] = [response.status_code, response.content.decode()]
print(json.dumps(out))
"""


def _env() -> dict[str, str]:
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HOLDSPACE_DATA")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=_env(), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _demo(data: Path) -> str:
    main = "from holdspace.cli import main; main()"
    return _run("-c", main, "demo", "--no-serve", "--data", str(data))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("demo")
    return data, _demo(data)


@pytest.fixture(scope="module")
def pages(built: tuple[Path, str]) -> dict[str, tuple[int, str]]:
    out: dict[str, Any] = json.loads(_run("-c", _PAGES, str(built[0])))
    return {k: (int(v[0]), str(v[1])) for k, v in out.items()}


def _one(db: sqlite3.Connection, sql: str, *args: object) -> Any:
    return db.execute(sql, args).fetchone()[0]


def test_demo_prints_an_admin_login_and_its_build_time(built: tuple[Path, str]) -> None:
    _, out = built
    assert f"admin:      {demo.DEMO_ADMIN}" in out
    assert "Built in " in out
    db = sqlite3.connect(built[0] / "holdspace.sqlite3")
    assert _one(db, "select role from accounts_user where username = ?", demo.DEMO_ADMIN) == (
        "admin"
    )


def test_the_showcase_client_has_every_part(built: tuple[Path, str]) -> None:
    db = sqlite3.connect(built[0] / "holdspace.sqlite3")
    episode = _one(
        db,
        "select e.id from clients_episode e join clients_client c on c.id = e.client_id "
        "where c.code = ?",
        demo.story_code(demo.SHOWCASE_STORY),
    )
    patterns = db.execute(
        "select name, looks_like, protects, helps_soften, strengths "
        "from reviews_protectivepattern where episode_id = ?",
        (episode,),
    ).fetchall()
    assert {p[0] for p in patterns} == {p.name for p in demo.SHOWCASE_PATTERNS}
    assert all(all(p[1:]) for p in patterns)  # the PTMF prompts are filled in
    assert (
        _one(
            db,
            "select count(*) from reviews_patternsighting s join reviews_protectivepattern p "
            "on p.id = s.pattern_id where p.episode_id = ? and s.session_id is not null",
            episode,
        )
        == 1
    )

    review, trigger, signals, plan = db.execute(
        "select id, trigger, signals, plan from reviews_stuckpointreview where episode_id = ?",
        (episode,),
    ).fetchone()
    assert trigger == "signal"
    assert "not_on_track" in {s["kind"] for s in json.loads(signals)}
    assert plan == demo.SHOWCASE_PLAN
    marks = dict(
        db.execute(
            "select card_id, mark from reviews_reviewhypothesis where review_id = ?", (review,)
        ).fetchall()
    )
    assert marks == demo.SHOWCASE_MARKS
    comment_role = _one(
        db,
        "select u.role from reviews_reviewcomment c join accounts_user u on u.id = c.author_id "
        "where c.review_id = ?",
        review,
    )
    assert comment_role == "supervisor"

    start, linked = db.execute(
        "select starts_on_session, review_id from reviews_adaptation where episode_id = ?",
        (episode,),
    ).fetchone()
    assert linked == review
    scored_after = _one(
        db,
        "select count(distinct s.number) from clients_administration a join clients_session s "
        "on s.id = a.session_id where s.episode_id = ? and a.instrument_id = 'phq9' "
        "and s.number >= ?",
        episode,
        start,
    )
    assert scored_after >= 3  # holdspace.reviews.DEFAULT_MIN_SESSIONS_AFTER

    assert _one(db, "select count(*) from notes_sessionnote where episode_id = ?", episode) == (
        len(demo.SHOWCASE_NOTES)
    )
    kept = db.execute(
        "select k.rule from notes_keptwording k join notes_sessionnote n on n.id = k.note_id "
        "where n.episode_id = ?",
        (episode,),
    ).fetchall()
    assert kept == [("resistant",)]

    links = db.execute(
        "select kind, used_at is not null, client_note from checkins_checkinlink "
        "where episode_id = ? order by id",
        (episode,),
    ).fetchall()
    assert links == [("before", 1, demo.SHOWCASE_CLIENT_WORDS), ("after", 0, "")]
    assert _one(
        db,
        "select count(*) from clients_administration where episode_id = ? and source = 'checkin'",
        episode,
    )
    goals = db.execute("select text from reports_goal where episode_id = ?", (episode,))
    assert [g[0] for g in goals] == list(demo.SHOWCASE_GOALS)


def test_the_demo_users_pages_show_the_showcase(pages: dict[str, tuple[int, str]]) -> None:
    ok = {name: page for name, (status, page) in pages.items() if status == 200}
    assert set(pages) - set(ok) == {"admin:episode"}
    assert pages["admin:episode"][0] == 404  # an admin sees no clinical content

    episode = ok["clinician:episode"]
    assert f"Pace: {html.escape(demo.SHOWCASE_ADAPTATION)}</li>" in episode  # not cut short
    assert html.escape(demo.SHOWCASE_CLIENT_WORDS) in episode
    for name in ("clinician:review", "supervisor:review", "clinician:reviews"):
        assert 'data-field="slope_after"' in ok[name], name  # the before/after comparison
    pattern = html.escape(demo.SHOWCASE_PATTERNS[0].name)
    for name in ("clinician:review", "supervisor:review"):
        assert html.escape(demo.SHOWCASE_PLAN) in ok[name], name
        assert pattern in ok[name], name  # seen in a session, so among the review's data
        assert html.escape(demo.SHOWCASE_COMMENT) in ok[name], name
    for name in ("clinician:report", "clinician:clinician_report"):
        assert all(html.escape(g) in ok[name] for g in demo.SHOWCASE_GOALS), name
        assert html.escape(demo.SHOWCASE_CLIENT_WORDS) in ok[name], name
    for card_id, mark in demo.SHOWCASE_MARKS.items():
        assert f'name="mark-{card_id}" value="{mark}" checked' in ok["clinician:review"]
    assert "Open until" in ok["clinician:checkins"]
    assert html.escape(demo.SHOWCASE_NOTES[-1].text) in ok["clinician:notes"]
    assert "demo-clinician" in ok["admin:users"]
    assert html.escape(demo.SHOWCASE_PLAN) not in ok["admin:audit"]


# Opens the space link the demo printed, as the client's phone would (child process, as
# above): the PIN page, then the home page once a PIN is chosen, then the safety plan.
_SPACE = r"""
import json, re, sys
from pathlib import Path
from holdspace.cli.web import setup_django
setup_django(Path(sys.argv[1]))
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
first = client.get(sys.argv[2], follow=True)
pages = {"first": [first.status_code, first.content.decode()]}
csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages["first"][1])
form = {"pin": "2580", "pin_again": "2580"}
if csrf:
    form["csrfmiddlewaretoken"] = csrf.group(1)
nonce = re.search(r'name="nonce" value="([^"]+)"', pages["first"][1])
if nonce:
    form["nonce"] = nonce.group(1)
home = client.post(first.request["PATH_INFO"], form, follow=True)
pages["home"] = [home.status_code, home.content.decode()]
plan = client.get("/s/plan/", follow=True)
pages["plan"] = [plan.status_code, plan.content.decode()]
print(json.dumps(pages))
"""


def test_the_demo_prints_a_space_link_that_opens(built: tuple[Path, str]) -> None:
    data, out = built
    found = [w for w in out.split() if "/s/" in w]
    assert len(found) == 1, out
    path = "/" + found[0].split("/", 3)[3]
    pages = json.loads(_run("-c", _SPACE, str(data), path))
    assert pages["first"][0] == 200
    assert 'name="pin"' in pages["first"][1]  # a PIN is chosen on the first visit
    assert pages["home"][0] == 200
    assert html.escape(demo.SHOWCASE_SPACE_NAME) in pages["home"][1]
    assert pages["plan"][0] == 200
    for text in demo.SHOWCASE_SAFETY_PLAN.values():
        assert html.escape(text) in pages["plan"][1]


def test_a_second_run_keeps_the_showcase(built: tuple[Path, str]) -> None:
    again = _demo(built[0])

    assert "Demo caseload kept." in again
    # a new space link each run; the one printed before has stopped
    assert [w for w in again.split() if "/s/" in w] != [w for w in built[1].split() if "/s/" in w]
    db = sqlite3.connect(built[0] / "holdspace.sqlite3")
    assert _one(db, "select count(*) from reviews_stuckpointreview") == 1
    assert _one(db, "select count(*) from checkins_checkinlink") == 2
    assert _one(db, "select count(*) from reports_goal") == len(demo.SHOWCASE_GOALS)
