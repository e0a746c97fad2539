from django import forms

from .models import EventType


class EventTypeForm(forms.ModelForm):
    class Meta:
        model = EventType
        fields = ["name", "key", "description"]
        help_texts = {
            "key": "What senders and rubric criteria call it: lower-case letters, digits, - and _. "
            "Changing it breaks senders and criteria that use the old key.",
        }

    def clean_key(self):
        return self.cleaned_data["key"].strip().lower()
