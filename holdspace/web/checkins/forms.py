from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from holdspace.web.checkins.models import LinkKind
from holdspace.web.clients.models import Episode, Session

# django-stubs makes the field generic; at run time Django's class is not subscriptable.
if TYPE_CHECKING:
    _SessionField = forms.ModelChoiceField[Session]
else:
    _SessionField = forms.ModelChoiceField


class SessionChoiceField(_SessionField):
    def label_from_instance(self, obj: Session) -> str:
        return f"Session {obj.number} ({obj.date:%d %b %Y})"


class NewLinkForm(forms.Form):
    session = SessionChoiceField(queryset=Session.objects.none(), label="Session", empty_label=None)
    kind = forms.ChoiceField(choices=LinkKind.choices, label="Which questions")
    display_name = forms.CharField(
        max_length=40,
        required=False,
        label="Name shown to the client",
        help_text="A first name or the client's code; nothing else about them is shown.",
    )
    email = forms.EmailField(
        required=False,
        label="Email the link to (optional)",
        help_text="Only when this practice has set up email; the address is not stored.",
    )

    def __init__(self, episode: Episode, *args: Any, email_enabled: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = episode.sessions.order_by("-number")
        if not email_enabled:
            del self.fields["email"]
