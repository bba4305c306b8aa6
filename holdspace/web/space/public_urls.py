"""URLs of the client's own space; no sign-in: the shared link opens a visit."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.space import public_views as v

app_name = "space"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("pin/", v.pin, name="pin"),
    path("leave/", v.leave, name="leave"),
    path("progress/", v.progress, name="progress"),
    path("goals/", v.goals, name="goals"),
    path("goals/mark/", v.goal_mark, name="goal_mark"),
    path("words/", v.words, name="words"),
    path("words/share/", v.words_share, name="words_share"),
    path("plan/", v.plan, name="plan"),
    path("plan/change/", v.plan_edit, name="plan_edit"),
    path("plan/pdf/", v.plan_pdf, name="plan_pdf"),
    path("choices/", v.choices, name="choices"),
    path("grounding/", v.grounding, name="grounding"),
    # Last: a token is 43 characters, never one of the words above.
    path("<str:token>/", v.enter, name="enter"),
]
