"""The agreed profile on one printable page, and as a Markdown download: the same content."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from teams.access import ANY_ROLE, role_required

from . import selectors
from .exports import profile_markdown
from .models import Profile


def _agreed(profile: Profile) -> dict:
    return {
        "profile": profile,
        "sections": [section for section in selectors.profile_sections(profile, agreed_only=True) if section.items],
        "exemplars": list(selectors.profile_exemplars(profile, agreed_only=True)),
    }


@role_required(*ANY_ROLE)
@require_GET
def profile_print(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    return render(request, "profiles/profile_print.html", _agreed(profile) | {"today": timezone.localdate()})


@role_required(*ANY_ROLE)
@require_GET
def profile_export_markdown(request, profile_id):
    profile = get_object_or_404(Profile, pk=profile_id)
    text = profile_markdown(**_agreed(profile), today=timezone.localdate())
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"{slugify(profile.name) or 'profile'}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
