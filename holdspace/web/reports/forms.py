from __future__ import annotations

from django import forms


class GoalForm(forms.Form):
    text = forms.CharField(
        max_length=300,
        strip=True,
        error_messages={"required": "Write the goal (up to 300 characters)."},
    )
