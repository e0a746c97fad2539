from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .models import Webhook
from .services.webhooks import webhook_url_clean


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=Webhook._meta.get_field("url").max_length,
        help_text="Your CRM's endpoint, for example https://crm.example.com/hooks/icp. Each request is signed.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active: send this rubric's newly qualified leads",
        help_text="Leads that qualify while it is off are not sent later.",
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", "Save webhook"))

    def clean_url(self):
        return webhook_url_clean(self.cleaned_data["url"])
