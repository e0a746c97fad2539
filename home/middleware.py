"""Refuse an upload that is too large before anything reads its body."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

# Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_ALLOWANCE = 64 * 1024


class UploadSizeLimitMiddleware:
    """Answer 413 to a multipart request whose Content-Length exceeds the largest accepted import.

    Django streams an uploaded file to a temporary file as soon as anything reads ``request.POST``
    (the CSRF check does, first), whatever its size; this looks only at the declared length, so a
    1 GB upload is refused without being read. Files under the limit are checked again by the forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            limit = settings.IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return upload_too_large(settings.IMPORT_MAX_BYTES)
        return self.get_response(request)


def upload_too_large(limit_bytes: int) -> HttpResponse:
    context = {"limit_mb": limit_bytes // (1024 * 1024)}
    return HttpResponse(render_to_string("413.html", context), status=413)
