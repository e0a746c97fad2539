from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from teams.models import Role, User

from .models import AssignmentRule


def _reps():
    return User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("username")


class RuleForm(forms.ModelForm):
    reps = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="They take the rule's leads in turns; away or inactive reps are skipped.",
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "position",
            "country",
            "region",
            "industry",
            "min_employees",
            "max_employees",
            "reps",
            "weekly_cap",
            "sla_hours",
            "is_active",
        ]
        labels = {"min_employees": "Smallest size (employees)", "max_employees": "Largest size (employees)"}
        help_texts = {
            "country": "Blank: any country.",
            "region": "Blank: any region.",
            "industry": "Blank: any industry.",
        }

    def __init__(self, *args, submit: str = "Save rule", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reps"].queryset = _reps()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", submit))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_employees"), cleaned.get("max_employees")
        if low is not None and high is not None and low > high:
            self.add_error("max_employees", "The largest size must be at least the smallest.")
        for name in ("weekly_cap", "sla_hours"):
            if cleaned.get(name) == 0:
                self.add_error(name, "Give a number above 0, or leave it blank.")
        for name in ("country", "region", "industry", "name"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned


class AwayForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label=None)
    until = forms.DateField(
        required=False,
        label="Away until (included)",
        help_text="Blank: until you mark the rep back.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.ADMIN:
            self.fields["rep"].queryset = _reps()
            self.fields["rep"].required = True
        else:
            del self.fields["rep"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Mark away"))
