from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer, CustomerChange
from customers.tests.support import DATA, reps

pytestmark = pytest.mark.django_db


def _import(*args):
    out = StringIO()
    try:
        call_command("import_customers", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_a_dry_run_prints_the_counts_and_each_rejected_line_and_writes_nothing(make_person):
    reps(make_person)

    code, output = _import(str(DATA / "salesforce_accounts.csv"), "--dry-run")

    assert code == 1
    assert "Dry run: 4 to create, 0 to update, 0 unchanged, 3 rejected." in output
    assert "  line 4: lifecycle stage: “Channel Partner / Reseller” is not one of" in output
    assert "  line 5: NPS (latest, 0-10): Ensure this value is less than or equal to 10." in output
    assert "  line 6: created in the CRM: “13/13/2024” is not a date" in output
    assert not Customer.objects.exists()


def test_without_skipping_it_imports_nothing_and_exits_non_zero(make_person):
    reps(make_person)

    code, output = _import(str(DATA / "hubspot_companies.csv"))

    assert code == 1
    assert "Nothing was imported: 5 to create" in output
    assert "run again with --skip-invalid" in output
    assert not Customer.objects.exists()


def test_with_skipping_it_imports_the_valid_rows_and_exits_zero(make_person):
    reps(make_person)
    admin = make_person("admin", username="ops")

    code, output = _import(str(DATA / "hubspot_companies.csv"), "--skip-invalid", "--user", "ops")

    assert code == 0
    assert "Created 5, updated 0, left 0 unchanged, skipped 5 rejected." in output
    assert "Ignored columns (map them in the browser to keep them): Tier" in output
    assert Customer.objects.count() == 5
    assert set(CustomerChange.objects.values_list("changed_by", flat=True)) == {admin.pk}


def test_a_clean_file_imports_and_exits_zero(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("external_id;name;employees\nA-1;Alpha;10\nA-2;Beta;1.200\n")

    code, output = _import(str(path))

    assert code == 0
    assert "Created 2, updated 0, left 0 unchanged, skipped 0 rejected." in output
    assert Customer.objects.get(external_id="A-2").employees == 1200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.csv"], "There is no file /no/such/file.csv"),
        ([str(DATA / "hubspot_companies.csv"), "--user", "nobody"], "There is no active person called nobody"),
    ],
)
def test_it_stops_with_a_plain_message_on_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_customers", *args, stdout=StringIO())


def test_it_refuses_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF")

    with pytest.raises(CommandError, match="Upload a .csv or .xlsx file"):
        call_command("import_customers", str(path), stdout=StringIO())
