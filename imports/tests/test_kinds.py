"""A kind of import is its columns, its row parser and its writer: a tiny planted kind (permission groups from a
file of names) gets the upload page, the check, the import, the rejected rows and the resend without more."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.cleaning import RowError, column_key, is_unknown
from imports.kinds import Batch, Counts, ImportKind, Writer, import_kind_register, import_kind_unregister
from imports.models import ImportJob, ImportStatus
from imports.services import (
    ImportConflict,
    import_check,
    import_check_now,
    import_commit,
    import_commit_now,
    import_start,
    import_upload,
)
from imports.tasks import imports_resend
from teams.models import Role

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = b"Group name\nEditors\n\nReviewers\nN/A\nEditors\n"


class GroupRows:
    def __init__(self, job, headers, style):
        self.position = headers.index(next(h for h, target in job.mapping.items() if target == "name"))
        self.seen: dict[str, int] = {}

    def __call__(self, chunk):
        batch = Batch()
        for line, cells in chunk:
            try:
                name = cells[self.position].strip()
                if is_unknown(name):
                    raise RowError("no name")
                if self.seen.setdefault(name, line) != line:
                    raise RowError(f"“{name}” is already on line {self.seen[name]}")
            except RowError as error:
                batch.rejections.append([line, str(error)])
            else:
                batch.rows.append(name)
        return batch


class GroupWriter(Writer):
    def __init__(self, dry_run):
        self.dry_run = dry_run

    def write(self, rows):
        known = set(Group.objects.filter(name__in=rows).values_list("name", flat=True))
        if not self.dry_run:
            Group.objects.bulk_create([Group(name=name) for name in rows if name not in known])
        return Counts(created=len(set(rows) - known), unchanged=len(known))


class GroupImport(ImportKind):
    name = "planted-groups"
    label = "groups"
    title = "Import groups"
    back_url = done_url = "home"
    back_label = done_label = "Home"

    def columns(self, headers):
        columns = {header: "name" for header in headers if column_key(header) == "group name"}
        if not columns:
            raise ValidationError("The file needs a “Group name” column.")
        return columns

    def parser(self, *, job, headers, style):
        return GroupRows(job, headers, style)

    def writer(self, *, job, dry_run):
        return GroupWriter(dry_run)


@pytest.fixture(autouse=True)
def planted_kind():
    import_kind_register(GroupImport())
    yield
    import_kind_unregister(GroupImport.name)


def _checked(content: bytes = GOOD_AND_BAD) -> ImportJob:
    job = import_upload(kind=GroupImport.name, file=ContentFile(content), name="groups.csv", user=None)
    return import_check(job=job)


def test_it_walks_an_admin_through_the_shared_pages_for_a_planted_kind(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.ADMIN)
    assert "Import groups" in client.get(reverse("imports:upload", args=[GroupImport.name])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the check runs in the worker (here in-process)
        response = client.post(
            reverse("imports:upload", args=[GroupImport.name]),
            {"file": SimpleUploadedFile("groups.csv", GOOD_AND_BAD)},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[job.pk])
    assert (job.kind, job.status) == (GroupImport.name, ImportStatus.ANALYSED)
    page = client.get(response.url).content.decode()
    assert "Import 2 rows, skip 2 rejected" in page
    assert "“Editors” is already on line 2" in page
    assert not Group.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:run", args=[job.pk]), {"skip_invalid": "1"})
    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportStatus.DONE
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert sorted(Group.objects.values_list("name", flat=True)) == ["Editors", "Reviewers"]


def test_it_imports_nothing_when_rows_are_rejected_and_skipping_them_was_not_chosen():
    job = _checked()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, skip_invalid=False)

    job = import_commit(job=job)

    assert job.status == ImportStatus.FAILED
    assert "2 rows cannot be imported and skipping them was not chosen: nothing was imported." in job.error
    assert not Group.objects.exists()


def test_it_refuses_to_start_with_rejected_rows_unless_told_to_skip_them():
    job = _checked()

    with pytest.raises(ValidationError, match="2 rows cannot be imported"):
        import_start(job=job, skip_invalid=False, user=None)

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.ANALYSED


def test_the_second_import_of_a_file_changes_nothing():
    for _ in range(2):
        job = _checked(b"Group name\nEditors\n")
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
        job = import_commit(job=job)

    assert job.result == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert Group.objects.count() == 1


def test_a_file_without_the_kinds_columns_is_refused_on_upload_and_nothing_is_kept(client_as):
    client = client_as(Role.ADMIN)

    response = client.post(
        reverse("imports:upload", args=[GroupImport.name]), {"file": SimpleUploadedFile("g.csv", b"Name\nEditors\n")}
    )

    assert response.status_code == 400
    assert "The file needs a “Group name” column." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_check_left_without_a_worker_is_sent_again():
    job = import_upload(kind=GroupImport.name, file=ContentFile(GOOD_AND_BAD), name="groups.csv", user=None)
    assert job.status == ImportStatus.ANALYSING  # its task went nowhere (no commit in this test)

    imports_resend(False)

    assert ImportJob.objects.get(pk=job.pk).analysis == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_it_refuses_an_upload_from_anyone_but_an_admin_and_keeps_nothing(client_as, role):
    client = client_as(role)

    response = client.post(
        reverse("imports:upload", args=[GroupImport.name]), {"file": SimpleUploadedFile("groups.csv", GOOD_AND_BAD)}
    )

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_not_found(client_as):
    assert client_as(Role.ADMIN).get(reverse("imports:upload", args=["nothing-such"])).status_code == 404


def test_an_apps_import_address_does_not_show_an_import_of_another_kind(client_as):
    job = _checked()
    client = client_as(Role.ADMIN)

    assert client.get(reverse("customers:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("feedback:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200


def test_the_command_lines_check_and_import_refuse_a_job_in_the_wrong_state():
    job = _checked()
    job = import_commit_now(job=job, skip_invalid=True)
    assert job.status == ImportStatus.DONE

    with pytest.raises(ImportConflict):
        import_check_now(job=job)
    with pytest.raises(ImportConflict):
        import_commit_now(job=job, skip_invalid=True)
    assert Group.objects.count() == 2
