from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from leads.forms import LeadIdsField
from leads.models import SavedLeadView
from profiles.models import Profile
from teams.models import Role, User

from .selectors import (
    WON,
    BadSeed,
    LookalikeFilters,
    SeedAccounts,
    seed_accounts,
    seed_exemplars,
    seed_saved_view,
    seed_won,
)

MAX_SEED_IDS = 100
PER_PAGE = 25
API_LIMIT_MAX = 200
MAX_PAGES = 40
MAX_ID = 2**63 - 1


class LookalikeQueryForm(forms.Form):
    """A search, from the query string: on the page, the CSV export and the API alike.

    The seed is one of: ``seed`` (external ids, repeated, or ``won`` alone), ``profile`` (its exemplars) or
    ``seed_view`` (a saved lead view of the person's).
    """

    profile = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    seed_view = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    prospects = forms.BooleanField(required=False, label="Prospects only")
    unowned = forms.BooleanField(required=False, label="Not owned")
    unqualified = forms.BooleanField(required=False, label="Not already qualified")
    region = forms.CharField(required=False, max_length=100)
    industry = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGES)
    limit = forms.IntegerField(required=False, min_value=1, max_value=API_LIMIT_MAX)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.user = user
        self.seeds = [value.strip() for value in data.getlist("seed") if value.strip()] if data else []

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("profile", "seed_view") if cleaned.get(name)] + (["seed"] if self.seeds else [])
        if len(given) > 1:
            raise forms.ValidationError("Give one seed: seed, profile or seed_view, not several.")
        if not given:
            if not self.errors:
                raise forms.ValidationError(
                    "Say whom to look like: seed=<external id> (repeatable), seed=won, profile=<id> or seed_view=<id>."
                )
            return cleaned
        if any(len(seed) > 64 or not seed.isprintable() for seed in self.seeds):
            self.add_error(None, "A seed is an external id: at most 64 characters, none of them control characters.")
        if len(self.seeds) > MAX_SEED_IDS:
            self.add_error(None, f"At most {MAX_SEED_IDS} seed accounts by id; save them as a lead view instead.")
        return cleaned

    def seed(self) -> SeedAccounts:
        """The seed asked for; raises BadSeed with the reason when it names nothing usable."""
        data = self.cleaned_data
        if data.get("profile"):
            profile = Profile.objects.filter(pk=data["profile"]).first()
            if profile is None:
                raise BadSeed("No profile has this id.")
            return seed_exemplars(profile)
        if data.get("seed_view"):
            view = SavedLeadView.objects.filter(pk=data["seed_view"], user=self.user).first()
            if view is None or self.user.role not in (Role.ADMIN, Role.SALES_REP):
                raise BadSeed("You have no saved lead view with this id.")
            return seed_saved_view(view=view, user=self.user)
        if self.seeds == [WON]:
            return seed_won()
        if WON in self.seeds:
            raise BadSeed("seed=won stands alone: every won deal is the seed.")
        return seed_accounts(self.seeds)

    def filters(self) -> LookalikeFilters:
        data = self.cleaned_data
        return LookalikeFilters(
            prospects=data["prospects"],
            unowned=data["unowned"],
            unqualified=data["unqualified"],
            region=data["region"].strip(),
            industry=data["industry"].strip(),
        )

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def filter_query(self) -> dict:
        """The filters as query string parameters (for links to other pages of the same search)."""
        filters = self.filters()
        query = {name: "on" for name in ("prospects", "unowned", "unqualified") if getattr(filters, name)}
        query.update({name: getattr(filters, name) for name in ("region", "industry") if getattr(filters, name)})
        return query


class SavedSearchForm(forms.Form):
    """A search (its seed and filters, as the search page's query string) saved under a name as a lead view."""

    name = forms.CharField(max_length=SavedLeadView._meta.get_field("name").max_length, label="Save as a lead view")
    query = forms.CharField(max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Name"})

    def clean_query(self) -> str:
        """The search's seed and filters alone (no page or limit), once the seed is known to name accounts."""
        search = LookalikeQueryForm(QueryDict(self.cleaned_data["query"]), user=self.user)
        if not search.is_valid():
            raise forms.ValidationError([message for messages in search.errors.values() for message in messages])
        try:
            seed = search.seed()
        except BadSeed as error:
            raise forms.ValidationError(str(error)) from None
        return urlencode({**seed.query, **search.filter_query()}, doseq=True)


class AssignForm(forms.Form):
    """Accounts found, given to a rep (admins) or claimed (reps)."""

    customer = LeadIdsField(label="Accounts")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Send to a rep")
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = User.objects.filter(role=Role.SALES_REP, is_active=True)
        if user.role != Role.ADMIN:
            del self.fields["owner"]

    def clean_customer(self):
        values = self.cleaned_data["customer"]
        if not values:
            raise forms.ValidationError("Choose at least one account.")
        if len(values) > API_LIMIT_MAX:
            raise forms.ValidationError(f"At most {API_LIMIT_MAX} accounts at once.")
        return values

    def chosen_owner(self) -> User:
        return self.cleaned_data.get("owner") or self.user

    def back_url(self, default: str) -> str:
        back = self.cleaned_data.get("back") or ""
        return back if back.startswith("/lookalikes/") else default
