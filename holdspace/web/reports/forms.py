from __future__ import annotations

from django import forms

from holdspace.web.wording.forms import CheckedText


class GoalForm(CheckedText, forms.Form):
    checked = ("text",)

    text = forms.CharField(
        max_length=300,
        strip=True,
        error_messages={"required": "Write the goal (up to 300 characters)."},
    )
