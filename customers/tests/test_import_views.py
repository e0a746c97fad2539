import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from customers.tests.support import DATA, reps
from imports.models import ImportJob, ImportStatus
from teams.models import Role

pytestmark = pytest.mark.django_db


def _upload(client, path=DATA / "hubspot_companies.csv", name=None):
    file = SimpleUploadedFile(name or path.name, path.read_bytes())
    return client.post(reverse("customers:imports"), {"file": file})


def _columns(response):
    """The mapping form's current choice for each column, as the page shows it."""
    return {column["header"]: column["field"].value() for column in response.context["columns"]}


def test_it_walks_an_admin_from_upload_to_imported_customers(
    client_as, make_person, django_capture_on_commit_callbacks
):
    client = client_as(Role.ADMIN)
    reps(make_person)

    response = _upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:mapping", args=[job.pk])

    page = client.get(response.url)
    assert page.status_code == 200
    assert _columns(page)["Record ID"] == "external_id"
    assert _columns(page)["State/Region"] == "extra:state"
    assert _columns(page)["Tier"] == ""
    assert "new column" in page.content.decode()
    posted = {f"column_{i}": value for i, value in enumerate(_columns(page).values())}
    posted["column_13"] = "keep-as-extra"  # Tier

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import_mapping", args=[job.pk]), posted)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.ANALYSED
    assert job.mapping["Tier"] == "extra:tier"

    page = client.get(reverse("customers:import_detail", args=[job.pk]))
    body = page.content.decode()
    assert "Import 5 rows, skip 5 rejected" in body
    assert "“twelve” is not a number" in body
    assert not Customer.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import_run", args=[job.pk]), {"skip_invalid": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Customer.objects.count() == 5
    assert Customer.objects.get(external_id="1001").extra["tier"] == "Gold"


def test_it_refuses_an_unreadable_upload_with_a_message_and_keeps_nothing(client_as):
    client = client_as(Role.ADMIN)

    response = client.post(
        reverse("customers:imports"), {"file": SimpleUploadedFile("accounts.xls", b"\xd0\xcf\x11\xe0")}
    )

    assert response.status_code == 400
    assert "Old Excel files (.xls) cannot be read" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_refuses_a_mapping_without_an_external_id_with_a_message(client_as):
    client = client_as(Role.ADMIN)
    _upload(client)
    job = ImportJob.objects.get()

    response = client.post(reverse("customers:import_mapping", args=[job.pk]), {"column_0": ""})

    assert response.status_code == 400
    assert "the company name or domain column" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def _checked(client, make_person, django_capture_on_commit_callbacks):
    reps(make_person)
    _upload(client)
    job = ImportJob.objects.get()
    page = client.get(reverse("customers:import_mapping", args=[job.pk]))
    posted = {f"column_{i}": value for i, value in enumerate(_columns(page).values())}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import_mapping", args=[job.pk]), posted)
    job.refresh_from_db()
    return job


def test_importing_rejected_rows_without_skipping_them_is_refused(
    client_as, make_person, django_capture_on_commit_callbacks
):
    client = client_as(Role.ADMIN)
    job = _checked(client, make_person, django_capture_on_commit_callbacks)

    response = client.post(reverse("customers:import_run", args=[job.pk]), {})

    assert response.status_code == 400
    assert "5 rows cannot be imported: choose to skip them" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.ANALYSED
    assert not Customer.objects.exists()


def test_a_double_submitted_import_runs_once_and_the_second_gets_a_409(
    client_as, make_person, django_capture_on_commit_callbacks
):
    client = client_as(Role.ADMIN)
    job = _checked(client, make_person, django_capture_on_commit_callbacks)
    url = reverse("customers:import_run", args=[job.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"skip_invalid": "1"})
    second = client.post(url, {"skip_invalid": "1"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "already started" in second.content.decode()
    assert Customer.objects.count() == 5


def test_a_stale_mapping_form_after_the_import_started_gets_a_409(
    client_as, make_person, django_capture_on_commit_callbacks
):
    client = client_as(Role.ADMIN)
    job = _checked(client, make_person, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)

    response = client.post(reverse("customers:import_mapping", args=[job.pk]), {"column_0": "external_id"})

    assert response.status_code == 409
    assert "already under way" in response.content.decode()


def test_the_progress_fragment_shows_rows_done_and_asks_for_a_reload_when_finished(client_as):
    client = client_as(Role.ADMIN)
    _upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, rows_total=2000)
    from imports.progress import progress_set

    progress_set(job, 500)
    running = client.get(reverse("customers:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, result={"created": 2000})
    finished = client.get(reverse("customers:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")

    assert 'value="25"' in running.content.decode()
    assert "500 of 2,000 rows" in running.content.decode()
    assert "HX-Refresh" not in running
    assert finished["HX-Refresh"] == "true"


def test_cancelling_a_checked_import_deletes_its_file(client_as, make_person, django_capture_on_commit_callbacks):
    client = client_as(Role.ADMIN)
    job = _checked(client, make_person, django_capture_on_commit_callbacks)
    path = job.file.path

    response = client.post(reverse("customers:import_cancel", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    import os

    assert not os.path.exists(path)


@pytest.mark.parametrize(("role", "shown"), [(Role.ADMIN, True), (Role.SALES_REP, False), (Role.MEMBER, False)])
def test_the_customer_list_offers_the_import_to_admins_only(client_as, role, shown):
    response = client_as(role).get(reverse("customers:list"))

    assert (reverse("customers:imports") in response.content.decode()) is shown
