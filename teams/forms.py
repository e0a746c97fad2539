from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import UsernameField

from .models import ApiToken, Role, Team, User


class PersonFormMixin:
    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("Someone already uses this email address.")
        return email

    def clean(self):
        cleaned = super().clean()
        role, team = cleaned.get("role"), cleaned.get("team")
        if role in (Role.MEMBER, Role.SALES_REP) and team is None:
            self.add_error("team", "Members and sales reps belong to a team.")
        elif role == Role.SALES_REP and team and team.slug != Team.SALES:
            self.add_error("team", "A sales rep belongs to the Sales team.")
        return cleaned


class PersonInviteForm(PersonFormMixin, forms.ModelForm):
    email = forms.EmailField(help_text="The invitation to choose a password goes here.")

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "team", "role"]
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))


class PersonEditForm(PersonFormMixin, forms.ModelForm):
    email = forms.EmailField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "team", "role", "sees_team_leads", "is_active"]
        labels = {"is_active": "Active (can sign in)", "sees_team_leads": "Sees every rep's leads (sales reps)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save changes"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, for example “HubSpot sync”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "teams:api_token_create"
        self.helper.add_input(Submit("submit", "Create token"))
