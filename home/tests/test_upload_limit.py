"""An upload whose declared length is over the import limit is refused before anything reads its body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from home.middleware import MULTIPART_ALLOWANCE, UploadSizeLimitMiddleware


def _view_must_not_run(request):
    pytest.fail("the view ran")


def _declaring(rf, length):
    request = rf.post("/customers/import/", {"file": SimpleUploadedFile("a.csv", b"Name\nAlpha\n")})
    request.META["CONTENT_LENGTH"] = str(length)
    return request


def test_it_answers_413_from_the_declared_length_without_reading_the_body(rf, settings):
    request = _declaring(rf, settings.IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE + 1)
    body = request.META["wsgi.input"]

    response = UploadSizeLimitMiddleware(_view_must_not_run)(request)

    assert response.status_code == 413
    assert f"Files up to {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB can be uploaded" in response.content.decode()
    assert body.read_started is False


def test_it_lets_an_upload_within_the_limit_through(rf, settings):
    request = _declaring(rf, settings.IMPORT_MAX_BYTES)

    response = UploadSizeLimitMiddleware(lambda request: "the view's answer")(request)

    assert response == "the view's answer"
