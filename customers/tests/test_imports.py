import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from customers.import_kind import mapping_check, mapping_suggest
from customers.models import ChangeSource, ColumnMapping, Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from customers.tests.support import DATA, check, reps, run, upload
from imports.models import ImportStatus
from imports.services import ImportConflict, import_map, import_start, import_upload

pytestmark = pytest.mark.django_db

HUBSPOT = DATA / "hubspot_companies.csv"
SALESFORCE = DATA / "salesforce_accounts.csv"


def _hubspot_base():
    CustomerFactory(external_id="1007", name="Eta Labs", employees=100, extra={})
    CustomerFactory(
        external_id="1008",
        name="Theta Foods",
        domain="theta.example",
        industry="Retail",
        country="United States",
        region="North America",
        city="Austin",
        employees=60,
        annual_revenue=2_000_000,
        lifecycle_stage="prospect",
        owner=None,
        crm_created_on=datetime.date(2022, 12, 1),
        closed_on=None,
        extra={"state": "Texas"},
    )


def _salesforce_base():
    CustomerFactory(external_id="001A000006", name="Litware Inc", employees=450)
    CustomerFactory(
        external_id="001A000007",
        name="Proseware",
        domain="proseware.example",
        industry="Software",
        country="Germany",
        city="Berlin",
        employees=75,
        annual_revenue=4_000_000,
        lifecycle_stage="prospect",
        owner=None,
        crm_created_on=datetime.date(2023, 1, 10),
        nps=None,
    )


def test_it_maps_hubspot_columns_and_leaves_unknown_ones_for_the_person():
    mapping = mapping_suggest(upload(HUBSPOT).headers)

    assert mapping["Record ID"] == "external_id"
    assert mapping["Company name"] == "name"
    assert mapping["Number of Employees"] == "employees"
    assert mapping["Country/Region"] == "country"
    assert mapping["State/Region"] == "extra:state"
    assert mapping["Company owner"] == "owner_id"
    assert mapping["Tier"] == ""


def test_it_checks_a_messy_hubspot_export_with_exact_counts_and_reasons(make_person):
    reps(make_person)
    _hubspot_base()

    job = check(upload(HUBSPOT))

    assert job.status == ImportStatus.ANALYSED
    assert job.analysis == {"created": 3, "updated": 1, "unchanged": 1, "rejected": 5}
    assert job.rows_total == 10, "blank lines and empty rows are not rows"
    assert job.rejections == [
        [7, "employees: “twelve” is not a number"],
        [8, "lifecycle stage: “Partner” is not one of churned, customer, lead, opportunity, prospect"],
        [9, "no external id (the CRM's record id is empty)"],
        [10, "external id “1001” already appears on line 2"],
        [11, "owner: “nobody@else.example” is not a sales rep in ICP Workshop (give their email or username)"],
    ]
    assert Customer.objects.count() == 2, "a check writes nothing"


def test_it_imports_the_valid_hubspot_rows_when_asked_to_skip_the_rest(make_person):
    riley, _ = reps(make_person)
    _hubspot_base()

    job = run(check(upload(HUBSPOT, user=riley)), skip_invalid=True)

    assert job.status == ImportStatus.DONE
    assert job.result == {"created": 3, "updated": 1, "unchanged": 1, "rejected": 5}
    acme = Customer.objects.get(external_id="1001")
    assert (acme.name, acme.domain, acme.employees, acme.annual_revenue) == (
        "Acme Analytics",
        "acme.example",
        250,
        1_200_000,
    )
    assert (acme.lifecycle_stage, acme.owner, acme.extra) == ("customer", riley, {"state": "California"})
    assert (acme.crm_created_on, acme.closed_on) == (datetime.date(2024, 3, 15), datetime.date(2024, 3, 20))
    beta = Customer.objects.get(external_id="1002")
    assert (beta.name, beta.employees, beta.annual_revenue, beta.lifecycle_stage) == (
        "Beta Health",
        1200,
        1_200_000,
        "lead",
    )
    gamma = Customer.objects.get(external_id="1003")
    assert (gamma.name, gamma.employees, gamma.annual_revenue, gamma.owner) == ("Gamma Logistics", None, None, riley)
    assert gamma.crm_created_on == datetime.date(2024, 3, 4)
    assert Customer.objects.get(external_id="1007").employees == 120
    assert not Customer.objects.filter(external_id__in=["1004", "1005", "1006"]).exists()
    change = CustomerChange.objects.get(external_id="1007")
    assert change.changes["employees"] == [100, 120]
    assert (change.source, change.source_ref, change.changed_by) == (ChangeSource.IMPORT, f"import {job.pk}", riley)


def test_it_checks_and_imports_a_european_salesforce_export(make_person):
    reps(make_person)
    _salesforce_base()

    job = check(upload(SALESFORCE))

    assert job.analysis == {"created": 2, "updated": 1, "unchanged": 1, "rejected": 3}
    stages = "churned, customer, lead, opportunity, prospect"
    assert job.rejections == [
        [4, f"lifecycle stage: “Channel Partner / Reseller” is not one of {stages}"],
        [5, "NPS (latest, 0-10): Ensure this value is less than or equal to 10."],
        [6, "created in the CRM: “13/13/2024” is not a date"],
    ]
    run(job, skip_invalid=True)
    northwind = Customer.objects.get(external_id="001A000001")
    assert (northwind.employees, northwind.annual_revenue, northwind.nps) == (1200, 1_500_000, 9)
    assert (northwind.owner.username, northwind.lifecycle_stage) == ("riley", "customer")
    assert northwind.crm_created_on == datetime.date(2024, 3, 15)
    contoso = Customer.objects.get(external_id="001A000002")
    assert (contoso.annual_revenue, contoso.crm_created_on) == (2_500_000, datetime.date(2024, 3, 4))
    litware = Customer.objects.get(external_id="001A000006")
    assert (litware.employees, litware.owner.username, litware.crm_created_on) == (
        500,
        "rowan",
        datetime.date(2022, 2, 1),
    )


def test_a_second_import_of_the_same_file_changes_nothing(make_person):
    reps(make_person)
    run(check(upload(HUBSPOT)), skip_invalid=True)
    stamps = dict(Customer.objects.values_list("external_id", "updated_at"))
    changes = CustomerChange.objects.count()

    again = run(check(upload(HUBSPOT)), skip_invalid=True)

    assert again.result == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 5}
    assert dict(Customer.objects.values_list("external_id", "updated_at")) == stamps
    assert CustomerChange.objects.count() == changes


def test_a_file_with_a_broken_row_imports_nothing_unless_skipping_was_chosen(make_person):
    reps(make_person)
    _hubspot_base()
    before = list(Customer.objects.order_by("pk").values())
    job = check(upload(HUBSPOT))

    with pytest.raises(ValidationError, match="5 rows cannot be imported: choose to skip them"):
        import_start(job=job, skip_invalid=False, user=None)
    job = run(job, skip_invalid=False)

    assert job.status == ImportStatus.FAILED
    assert "nothing was imported" in job.error
    assert job.result["rejected"] == 5
    assert list(Customer.objects.order_by("pk").values()) == before
    assert not CustomerChange.objects.exists()


def test_an_import_starts_only_once(make_person, django_capture_on_commit_callbacks):
    reps(make_person)
    job = check(upload(SALESFORCE))

    with django_capture_on_commit_callbacks(execute=True):
        import_start(job=job, skip_invalid=True, user=None)
    with pytest.raises(ImportConflict, match="already started"):
        import_start(job=job, skip_invalid=True, user=None)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Customer.objects.filter(external_id__startswith="001A").count() == 4


def test_a_second_delivery_of_a_finished_import_does_nothing(make_person):
    reps(make_person)
    job = run(check(upload(SALESFORCE)), skip_invalid=True)
    changes = CustomerChange.objects.count()

    from imports.services import import_commit

    again = import_commit(job=job)

    assert again.status == ImportStatus.DONE
    assert CustomerChange.objects.count() == changes


def test_it_imports_an_excel_workbook_with_typed_cells(make_person, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Account ID", "Account Name", "Employees", "Annual Revenue", "Created Date", "Case study"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["X-1", "Excel Co", 320, 1_250_000.0, datetime.datetime(2024, 5, 17, 9, 30), True])
    sheet.append(["X-2", "Sheet Ltd", "1,500", "$2M", "05/17/2024", "no"])
    path = tmp_path / "accounts.xlsx"
    workbook.save(path)

    job = run(check(upload(path)), skip_invalid=False)

    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    excel = Customer.objects.get(external_id="X-1")
    assert (excel.employees, excel.annual_revenue, excel.crm_created_on, excel.has_case_study) == (
        320,
        1_250_000,
        datetime.date(2024, 5, 17),
        True,
    )
    sheet_ltd = Customer.objects.get(external_id="X-2")
    assert (sheet_ltd.employees, sheet_ltd.annual_revenue, sheet_ltd.has_case_study) == (1500, 2_000_000, False)


def test_a_column_mapped_to_an_extra_attribute_is_kept_and_remembered(make_person):
    reps(make_person)
    admin = make_person("admin")
    job = upload(HUBSPOT, user=admin)
    mapping = {**job.mapping, "Tier": "extra:tier"}

    import_map(job=job, mapping=mapping, user=admin)
    job.refresh_from_db()
    job = run(check(job), skip_invalid=True)

    assert Customer.objects.get(external_id="1001").extra == {"state": "California", "tier": "Gold"}
    assert ColumnMapping.objects.get(column="tier").target == "extra:tier"
    assert upload(HUBSPOT).mapping["Tier"] == "extra:tier"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Record ID": "", "Company name": "", "Company Domain Name": ""}, "the company name or domain column"),
        ({"Company name": "external_id"}, "Each field can come from one column only: external_id"),
        ({"Tier": "favourite_colour"}, "“favourite_colour” is not a customer field"),
        ({"Tier": "extra:"}, "an extra attribute needs a short name"),
    ],
)
def test_it_refuses_a_mapping_that_cannot_work(mapping, message):
    job = upload(HUBSPOT)

    with pytest.raises(ValidationError, match=message):
        mapping_check({**job.mapping, **mapping}, job.headers)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("accounts.xls", b"\xd0\xcf\x11\xe0", "Old Excel files"),
        ("accounts.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("empty.csv", b"\n\n", "The file is empty"),
        ("binary.csv", b"\x00\x01\x02PK", "binary data"),
        ("twice.csv", b"Name,name,Name\n1,2,3\n", "Columns appear twice in the header: Name"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_plain_reason(name, content, message):
    with pytest.raises(ValidationError, match=message):
        import_upload(kind="customers", file=ContentFile(content), name=name, user=None)


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 100

    with pytest.raises(ValidationError, match="larger than 0 MB"):
        import_upload(
            kind="customers", file=ContentFile(b"Record ID,Name\n" + b"1,x\n" * 50), name="big.csv", user=None
        )


def test_a_new_customer_without_a_name_is_rejected_but_an_update_needs_none(tmp_path):
    CustomerFactory(external_id="K-1", name="Known", employees=5)
    path = tmp_path / "engagement.csv"
    path.write_text("Record ID,Number of Employees\nK-1,7\nNEW-1,9\n")

    job = run(check(upload(path)), skip_invalid=True)

    assert job.result == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1}
    assert job.rejections == [[3, "a new customer needs a company name"]]
    assert Customer.objects.get(external_id="K-1").employees == 7


def test_a_row_with_more_cells_than_the_header_is_rejected(tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text("Record ID,Company name\nA,Alpha\nB,Beta,oops\nC,Gamma,\n")

    job = check(upload(path))

    assert job.analysis["rejected"] == 1
    assert job.rejections == [[3, "3 cells, but the header has 2 columns"]]


def test_negative_revenue_employees_and_counts_are_refused_with_their_line(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(
        "Record ID,Company name,Annual revenue,Employees,Website visits 30d\n"
        "A-1,Alpha,5000,10,3\n"
        "A-2,Beta,-5000,10,3\n"
        "A-3,Gamma,5000,-10,3\n"
        "A-4,Delta,5000,10,-3\n"
    )

    job = check(upload(path))

    assert job.analysis["created"] == 1
    assert [line for line, _ in job.rejections] == [3, 4, 5]
    assert job.rejections[0][1] == "annual revenue: It cannot be negative."
    assert job.rejections[1][1].startswith("employees: Ensure this value is greater than or equal to 0")
    assert job.rejections[2][1].startswith("website visits 30d: Ensure this value is greater than or equal to 0")


def test_the_api_refuses_a_negative_revenue_too(make_person):
    from rest_framework.test import APIClient

    from teams.models import Role
    from teams.services import api_token_create

    _, key = api_token_create(user=make_person(Role.ADMIN), name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(
        "/api/customers/", {"external_id": "N-1", "name": "Neg", "annual_revenue": -5000}, format="json"
    )

    assert response.status_code == 400
    assert "annual_revenue" in response.json()
    assert not Customer.objects.filter(external_id="N-1").exists()


def test_a_file_without_regions_gets_its_countries_regions_and_job_titles_are_contact_titles(tmp_path):
    path = tmp_path / "by-hand.csv"
    path.write_text(
        "Record ID,Company name,Country,Job Title\n"
        "R-1,Alpha,germany,VP Sales\n"
        "R-2,Beta, United  States ,CTO\n"
        "R-3,Gamma,Atlantis,CFO\n"
    )

    job = check(upload(path))
    assert job.mapping["Job Title"] == "contact_titles"
    run(job, skip_invalid=False)

    regions = dict(Customer.objects.values_list("external_id", "region"))
    assert regions == {"R-1": "EMEA", "R-2": "North America", "R-3": ""}
    assert Customer.objects.get(external_id="R-1").contact_titles == "VP Sales"


def test_a_file_with_regions_keeps_its_own(tmp_path):
    path = tmp_path / "with-regions.csv"
    path.write_text("Record ID,Company name,Country,Region\nW-1,Alpha,Mexico,North America\nW-2,Beta,Mexico,\n")

    run(check(upload(path)), skip_invalid=False)

    assert dict(Customer.objects.values_list("external_id", "region")) == {"W-1": "North America", "W-2": ""}
