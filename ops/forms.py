"""Form helpers every app's views share (the bottom of the stack: any app may use them)."""

from django import forms
from django.core.exceptions import ValidationError


def service_errors_add(form: forms.Form, error: ValidationError) -> None:
    """A service's messages on the form's fields where it has them, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)
