"""manage.py rubric_dump and rubric_load: a rubric kept as a file, loaded back as a draft and published, or
refused line by line with nothing written."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from profiles.models import Profile
from rubrics.models import Criterion, RescoreJob, Rubric, RubricVersion
from rubrics.services.documents import rubric_dump
from rubrics.tests.factories import industry_document, rich_version, rubric_with_draft

pytestmark = pytest.mark.django_db


def _dump(*args) -> dict:
    out = io.StringIO()
    call_command("rubric_dump", *map(str, args), stdout=out)
    return json.loads(out.getvalue())


def _load(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rubric_load", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(path, *args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("rubric_load", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert refused.value.returncode == 1
    return str(refused.value), err.getvalue()


def _database() -> tuple:
    return (
        list(Profile.objects.order_by("pk").values()),
        list(Rubric.objects.order_by("pk").values()),
        list(RubricVersion.objects.order_by("pk").values()),
        list(Criterion.objects.order_by("pk").values()),
    )


def _file(tmp_path, document, name="rubric.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2), encoding="utf-8")
    return path


# rubric_dump


def test_it_dumps_the_published_version_by_default_and_the_draft_or_a_version_when_asked():
    published = rich_version()
    draft = rubric_with_draft()
    RubricVersion.objects.filter(pk=draft.pk).update(rubric=published.rubric, number=2)
    draft.refresh_from_db()

    assert _dump(published.rubric_id) == rubric_dump(version=published)
    assert _dump(published.rubric_id, "--draft") == rubric_dump(version=draft)
    assert _dump(published.rubric_id, "--version", 1) == rubric_dump(version=published)


def test_it_prints_the_document_indented_with_its_text_as_written():
    version = rich_version()
    out = io.StringIO()

    call_command("rubric_dump", str(version.rubric_id), stdout=out)

    assert out.getvalue() == json.dumps(rubric_dump(version=version), indent=2, ensure_ascii=False) + "\n"
    assert "low (1–9)" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draft"], "has no draft"),
        (["--version", "7"], "has no version 7"),
        ([], "has no published version: --draft prints its draft"),
    ],
)
def test_it_says_what_it_cannot_dump(args, message):
    rubric = rubric_with_draft().rubric
    RubricVersion.objects.filter(rubric=rubric).delete()

    with pytest.raises(CommandError, match=message):
        call_command("rubric_dump", str(rubric.pk), *args, stdout=io.StringIO())


def test_it_says_when_there_is_no_such_rubric():
    with pytest.raises(CommandError, match="There is no rubric 404"):
        call_command("rubric_dump", "404", stdout=io.StringIO())


# rubric_load


def test_a_dumped_file_loads_back_as_an_identical_draft(tmp_path):
    published = rich_version()
    path = tmp_path / "rubric.json"
    out = io.StringIO()
    call_command("rubric_dump", str(published.rubric_id), stdout=out)
    path.write_text(out.getvalue(), encoding="utf-8")

    printed, _ = _load(path)

    draft = RubricVersion.objects.get(status="draft")
    assert f"as the draft of {published.rubric}: version 2" in printed
    assert rubric_dump(version=draft) == rubric_dump(version=published)


def test_it_loads_into_the_rubric_given_whatever_the_document_names(tmp_path):
    target = rubric_with_draft().rubric

    _load(_file(tmp_path, industry_document(profile="Elsewhere")), "--rubric", target.pk)

    assert target.versions.get().criteria.get().label == "Industry"
    assert not Profile.objects.filter(name="Elsewhere").exists()


BAD_FILES = [
    pytest.param("{not json", "is not JSON", None, id="not-json"),
    pytest.param('{"threshold": NaN}', "is not JSON", None, id="nan"),
    pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", None, id="deeply-nested"),
    pytest.param(
        json.dumps(["a list"]), "not a rubric document", "document: A rubric document is a JSON object.", id="list"
    ),
    pytest.param(
        json.dumps(industry_document(threshold="three")), "not a rubric document", "threshold: Give a whole number.",
        id="wrong-type",
    ),
    pytest.param(
        json.dumps(industry_document(criteria=[{"field": "colour", "operator": "in", "values": ["red"]}])),
        "not a rubric document", "criteria[0].field: “colour” is not a customer field", id="unknown-field",
    ),
    pytest.param(
        json.dumps(industry_document(threshold=40)), "not a rubric document",
        "threshold: No customer could ever reach the threshold of 40", id="unreachable",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "error", "line"), BAD_FILES)
def test_a_bad_file_exits_non_zero_with_a_line_per_problem_and_writes_nothing(tmp_path, text, error, line):
    rich_version(status="draft", profile="Core ICP")
    stored = _database()

    message, printed = _refused(_file(tmp_path, text), "--publish")

    assert error in message
    if line:
        assert line in printed
    assert "nothing was written" in message
    assert _database() == stored


def test_it_prints_every_problem_on_its_own_line(tmp_path):
    document = industry_document(colour="red", caps={"fit": -1}, criteria=[{"field": "industry", "operator": "gte"}])

    _, printed = _refused(_file(tmp_path, document))

    lines = printed.splitlines()
    assert [line.split(":")[0] for line in lines] == ["colour", "caps.fit", "criteria[0].operator"]


def test_it_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        call_command("rubric_load", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_it_reads_the_document_from_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(industry_document())))

    printed, _ = _load("-")

    assert "as the draft of Core ICP: Lead score: version 1" in printed


def test_confirm_worse_goes_with_publish(tmp_path):
    with pytest.raises(CommandError, match="--confirm-worse goes with --publish"):
        call_command("rubric_load", str(_file(tmp_path, industry_document())), "--confirm-worse", "Because")
    assert not Rubric.objects.exists()


def test_it_publishes_the_loaded_draft_and_starts_its_rescore(tmp_path, make_person):
    make_person("admin", username="ops")

    printed, _ = _load(_file(tmp_path, industry_document()), "--publish", "--user", "ops")

    version = RubricVersion.objects.get()
    assert (version.status, version.published_by.username, version.created_by.username) == ("published", "ops", "ops")
    job = RescoreJob.objects.get(version=version)
    assert f"Published version 1; re-score job {job.pk}" in printed


def test_loading_and_publishing_the_same_file_twice_does_it_once(tmp_path):
    path = _file(tmp_path, industry_document())
    _load(path, "--publish")
    stored = _database()

    printed, _ = _load(path, "--publish")

    assert "already says this: nothing to do" in printed
    assert _database() == stored
    assert RescoreJob.objects.count() == 1


@pytest.fixture
def software_wins():
    """Industry decides: Software wins 60 of 80 deals, Retail 20 of 80; the published version scores Software."""
    for industry, won, lost in (("Software", 60, 20), ("Retail", 20, 60)):
        for outcome, count in (("won", won), ("lost", lost)):
            Customer.objects.bulk_create(
                CustomerFactory.build(industry=industry, deal_outcome=outcome) for _ in range(count)
            )
    published = rubric_with_draft(industries=("Software",))
    RubricVersion.objects.filter(pk=published.pk).update(status="published")
    return published.rubric


def _retail_document(rubric) -> dict:
    document = industry_document(profile=rubric.profile.name, rubric=rubric.name)
    document["criteria"][0]["values"] = ["Retail"]
    return document


def test_a_worse_draft_is_loaded_but_not_published_without_a_reason(tmp_path, software_wins):
    message, _ = _refused(_file(tmp_path, _retail_document(software_wins)), "--publish")

    assert "The draft separates won from lost deals worse than the published version: AUC 0.250" in message
    assert "Version 2 is loaded as the draft but not published" in message
    assert "--confirm-worse" in message
    draft = software_wins.versions.get(status="draft")
    assert draft.criteria.get().values == ["Retail"]
    assert software_wins.versions.get(status="published").number == 1
    assert not RescoreJob.objects.exists()


def test_a_worse_draft_is_published_with_the_reason_given(tmp_path, software_wins):
    reason = "Retail is our new market; the past says little."

    printed, _ = _load(_file(tmp_path, _retail_document(software_wins)), "--publish", "--confirm-worse", reason)

    published = software_wins.versions.get(status="published")
    assert (published.number, published.publish_reason, published.backtest["better"]) == (2, reason, "published")
    assert "Published version 2" in printed
