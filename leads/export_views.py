"""Downloads of the lead list: the list's query string in, every lead it shows out (not one page)."""

from collections.abc import Iterator

from django.utils.text import slugify
from django.views.decorators.http import require_GET

from customers.exports import streamed_download
from teams.access import role_required
from teams.models import Role

from . import exports
from .forms import LeadFilterForm
from .models import LeadListVisit
from .selectors import lead_list, rubric_scale


def _exported(request) -> tuple[str, Iterator[tuple]]:
    """The file's name and rows. Parsed exactly as the list page parses it (a bad parameter falls back to
    its default there too); "new" counts from the person's last visit, read here but not recorded."""
    form = LeadFilterForm(request.GET or None, user=request.user)
    rubric = form.chosen_rubric()
    if rubric is None:
        return "leads", iter(())
    visit = LeadListVisit.objects.filter(user=request.user, rubric=rubric).first()
    scale = rubric_scale(rubric)
    leads = lead_list(
        user=request.user,
        rubric=rubric,
        filters=form.filters(new_since=visit.new_since if visit else None),
        scale=scale,
    )
    name = "leads-" + slugify(f"{rubric.profile.name} {rubric.name}")
    return name, exports.lead_export_rows(leads, scale=scale)


@role_required(Role.ADMIN, Role.SALES_REP)
@require_GET
def lead_export_csv(request):
    name, rows = _exported(request)
    return streamed_download(exports.lead_csv_chunks(rows), name=name, extension="csv")


@role_required(Role.ADMIN, Role.SALES_REP)
@require_GET
def lead_export_xlsx(request):
    name, rows = _exported(request)
    return streamed_download(exports.lead_xlsx_chunks(rows), name=name, extension="xlsx")
