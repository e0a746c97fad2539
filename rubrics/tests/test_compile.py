"""The compiled SQL and the pure engine give the same scores: random rubrics (with gates and caps), random customers."""

import dataclasses
import datetime
from collections import Counter

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from profiles.models import Profile
from rubrics import scoring
from rubrics.compile import (
    score_annotations,
    scored_sql,
    stored_passes_gates,
    stored_rank,
    versions_counted_sql,
    versions_scored_sql,
)
from rubrics.models import QualificationChange, Rubric, RubricVersion, Score
from rubrics.score_tables import score_table_create, score_table_drop
from rubrics.selectors import customer_attributes
from rubrics.services.scores import scores_fill, scores_write
from rubrics.upsert import WRITTEN_COLUMNS

# Letters that fold differently in Unicode than in ASCII, and LIKE's wildcards.
ALPHABET = "aAbBzZéÉßİ %_"
FIELDS = {
    "industry": "category",
    "country": "category",
    "contact_titles": "text",
    "employees": "number",
    "annual_revenue": "number",
    "website_visits_30d": "number",
    "has_case_study": "boolean",
    "is_prominent_brand": "boolean",
    "extra.tier": "extra",
    "extra.seats": "extra",
}

texts = st.text(alphabet=ALPHABET, max_size=4)
words = st.text(alphabet=ALPHABET, min_size=1, max_size=3)
small = st.integers(-3, 25)
json_values = st.one_of(
    st.none(), texts, st.integers(-10, 30), st.floats(-10, 30, allow_nan=False, allow_infinity=False), st.booleans()
)


def _near(texts_seen):
    """Words like the customers' own: the same, in the other case, or a piece of one (for "contains")."""
    seen = [text for text in texts_seen if text]
    variants = [variant for text in seen for variant in (text, text.swapcase(), text[:2], text[1:].upper())]
    variants = [variant for variant in variants if variant]
    return st.one_of(words, st.sampled_from(variants)) if variants else words


EVENT_TYPES = ("website_visit", "email_click")
decays = st.builds(
    scoring.Decay,
    event_type=st.sampled_from(EVENT_TYPES),
    points=st.sampled_from([0, 0.5, 1, 2, 3.3]),
    half_life=st.sampled_from([1, 2.5, 7, 14]),
    cap_per_day=st.one_of(st.none(), st.integers(1, 5)),
    cap_total=st.one_of(st.none(), st.sampled_from([0, 2.5, 8, 20])),
)


@st.composite
def criteria(draw, criterion_id, seen=()):
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[field]
    operator = draw(st.sampled_from(scoring.OPERATORS_BY_KIND[kind]))
    # A number criterion may read events with decay (its field is then the column used without events).
    decay = draw(st.one_of(st.none(), decays)) if kind == "number" and operator != "empty" else None
    floats = kind == "extra" or decay is not None
    numbers = st.one_of(small, st.floats(-5, 25, allow_nan=False)) if floats else small
    values, bands = (), ()
    if operator in ("in", "not_in", "contains_any"):
        values = tuple(draw(st.lists(_near(seen), min_size=1, max_size=3)))
    elif operator in ("gte", "lte"):
        values = (draw(numbers),)
    elif operator == "between":
        values = tuple(sorted(draw(st.lists(numbers, min_size=2, max_size=2))))
    elif operator == "bands":
        count = draw(st.integers(1, 3))
        bands = []
        for _ in range(count):
            low, high = sorted(draw(st.lists(numbers, min_size=2, max_size=2)))
            low, high = draw(st.sampled_from([(low, high), (low, None), (None, high)]))
            bands.append(scoring.Band(points=draw(st.integers(-3, 3)), min=low, max=high))
        bands = tuple(bands)
    return scoring.Criterion(
        id=criterion_id,
        field=field,
        kind=kind,
        operator=operator,
        points=draw(st.integers(-3, 3)),
        values=values,
        bands=bands,
        group=draw(st.sampled_from(scoring.GROUPS)),
        gate=draw(st.sampled_from(scoring.GATES)),
        decay=decay,
    )


caps = st.dictionaries(st.sampled_from(scoring.GROUPS), st.integers(0, 6), max_size=3).map(
    lambda chosen: tuple((group, chosen[group]) for group in scoring.GROUPS if group in chosen)
)


@st.composite
def rubrics(draw, seen=()):
    count = draw(st.integers(1, 6))
    return scoring.Rubric(
        criteria=tuple(draw(criteria(criterion_id, seen)) for criterion_id in range(1, count + 1)),
        threshold=draw(st.integers(-6, 10)),
        caps=draw(caps),
    )


@st.composite
def variants(draw, rubric, seen=()):
    """Another version of ``rubric``: some of its criteria kept (their points, group or gate maybe changed),
    others new, other caps and threshold, as a draft is of its published version."""
    kept = [
        dataclasses.replace(
            criterion,
            points=draw(st.integers(-3, 3)),
            gate=draw(st.sampled_from(scoring.GATES)),
            group=draw(st.sampled_from(scoring.GROUPS)),
        )
        if draw(st.booleans())
        else criterion
        for criterion in rubric.criteria
        if draw(st.booleans())
    ]
    added = [draw(criteria(criterion_id, seen)) for criterion_id in range(101, 101 + draw(st.integers(0, 2)))]
    return scoring.Rubric(criteria=(*kept, *added), threshold=draw(st.integers(-6, 10)), caps=draw(caps))


customers = st.fixed_dictionaries(
    {
        "industry": texts,
        "country": texts,
        "contact_titles": texts,
        "employees": st.one_of(st.none(), st.integers(0, 30)),
        "annual_revenue": st.one_of(st.none(), st.integers(-(2**40), 2**40), small),
        "website_visits_30d": st.one_of(st.none(), st.integers(0, 30)),
        "has_case_study": st.one_of(st.none(), st.booleans()),
        "is_prominent_brand": st.one_of(st.none(), st.booleans()),
        "extra": st.dictionaries(st.sampled_from(["tier", "seats", "other"]), json_values, max_size=3),
        # Daily event counts: (type, age in days, count); -1 is tomorrow (not counted).
        "events": st.dictionaries(
            st.tuples(st.sampled_from(EVENT_TYPES), st.integers(-1, 40)), st.integers(1, 30), max_size=4
        ),
    }
)


def _customers_create(people: list[dict]) -> None:
    from engagement.models import DailyCount, EventType
    from engagement.services import event_types_default_ensure

    event_types_default_ensure()  # a transactional test run before flushes the migration's rows
    today = datetime.datetime.now(datetime.UTC).date()
    types = dict(EventType.objects.values_list("key", "pk"))
    events = [person.pop("events") for person in people]
    made = Customer.objects.bulk_create(
        Customer(external_id=f"P{i}", name=f"Company {i}", **attributes) for i, attributes in enumerate(people)
    )
    DailyCount.objects.bulk_create(
        DailyCount(customer=customer, event_type_id=types[key], day=today - datetime.timedelta(days=age), count=count)
        for customer, days in zip(made, events, strict=True)
        for (key, age), count in days.items()
    )


@pytest.fixture
def version(db):
    rubric = Rubric.objects.create(profile=Profile.objects.create(name="Agreement"), name="Random")
    return RubricVersion.objects.create(rubric=rubric, number=1, threshold=0, status="published")


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_and_python_agree_on_every_score(version, data):
    people = data.draw(st.lists(customers, min_size=1, max_size=5), label="people")
    seen = [person[name] for person in people for name in ("industry", "country", "contact_titles")]
    seen += [value for person in people for value in person["extra"].values() if isinstance(value, str)]
    rubric = data.draw(rubrics(seen), label="rubric")
    Customer.objects.all().delete()
    _customers_create(people)

    computed = {row["id"]: row for row in Customer.objects.annotate(**score_annotations(rubric)).values()}
    ids = sorted(computed)
    scores_write(version=version, spec=rubric, low_id=ids[0], high_id=ids[-1])
    stored = {score.customer_id: score for score in Score.objects.filter(rubric=version.rubric)}
    if connection.vendor == "postgresql":
        # A publish's own table (score_tables.py) is filled with the same rows the upsert stores.
        assert _filled(version, rubric, ids) == {
            score.customer_id: tuple(getattr(score, column) for column in FILLED) for score in stored.values()
        }
    from_masks = {
        row["customer_id"]: row
        for row in Score.objects.annotate(passes=stored_passes_gates(rubric), rank=stored_rank(rubric)).values()
    }
    bulk = _rows(*scored_sql(rubric, Customer.objects.all()))
    other = data.draw(variants(rubric, seen), label="other version")
    both = _rows(*versions_scored_sql([rubric, other], Customer.objects.all()))
    with connection.cursor() as cursor:
        cursor.execute(*versions_counted_sql([rubric, other], Customer.objects.all(), by=("country",)))
        counted = {
            (new, bool(now), bool(passes), old, bool(was), bool(passed), country): int(n)
            for new, now, passes, old, was, passed, country, n in cursor.fetchall()
        }
    expected_counts = Counter()

    for customer in Customer.objects.all():
        attributes = customer_attributes(customer)
        expected = scoring.score(rubric, attributes)
        verdict = (expected.total, expected.qualified, expected.passes_gates, expected.rank)
        row, score = computed[customer.pk], stored[customer.pk]
        assert (row["total"], bool(row["qualified"]), row["matched"], row["no_data"]) == (
            expected.total,
            expected.qualified,
            expected.matched_mask,
            expected.no_data_mask,
        ), (attributes, expected.outcomes)
        assert (bool(row["passes_gates"]), row["rank"]) == (expected.passes_gates, expected.rank)
        assert {group: row[group] for group in scoring.GROUPS} == expected.subtotals
        assert {group: row[f"raw_{group}"] for group in scoring.GROUPS} == expected.raw_subtotals
        assert (score.total, score.qualified, score.matched, score.no_data) == (
            expected.total,
            expected.qualified,
            expected.matched_mask,
            expected.no_data_mask,
        )
        assert (score.fit, score.engagement, score.qualitative) == tuple(expected.subtotals.values())
        row = bulk[customer.pk]
        assert (row["total"], bool(row["qualified"]), bool(row["passes_gates"]), row["rank"]) == verdict
        assert (bool(from_masks[customer.pk]["passes"]), from_masks[customer.pk]["rank"]) == verdict[2:]
        explained = scoring.explain_score(rubric, score.matched, score.no_data)
        assert (explained.total, explained.qualified, explained.status, explained.subtotals) == (
            expected.total,
            expected.qualified,
            expected.status,
            expected.subtotals,
        )
        assert [o.points for o in explained.outcomes] == [o.points for o in expected.outcomes]
        by_both = [scoring.score(spec, attributes) for spec in (rubric, other)]
        verdicts = (value for result in by_both for value in (result.total, result.qualified, result.passes_gates))
        expected_counts[(*verdicts, customer.country)] += 1
        for index, spec in enumerate((rubric, other)):
            expected = scoring.score(spec, attributes)
            row = both[customer.pk]
            assert (
                row[f"total_{index}"],
                bool(row[f"qualified_{index}"]),
                bool(row[f"passes_{index}"]),
                row[f"rank_{index}"],
            ) == (expected.total, expected.qualified, expected.passes_gates, expected.rank), (index, attributes)

    assert counted == expected_counts


FILLED = ("version_id", *WRITTEN_COLUMNS)


def _filled(version, rubric, ids) -> dict[int, tuple]:
    table = score_table_create(job_id=0, rubric_id=version.rubric_id)
    scores_fill(version=version, spec=rubric, low_id=ids[0], high_id=ids[-1], table=table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_id, {', '.join(FILLED)} FROM {table}")
        rows = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    score_table_drop(table)
    return rows


def _rows(sql: str, params: list) -> dict[int, dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_writing_twice_changes_nothing_and_records_each_qualification_once(version):
    rubric = scoring.Rubric(
        criteria=(scoring.Criterion(id=1, field="employees", kind="number", operator="gte", points=3, values=(100,)),),
        threshold=3,
    )
    big = Customer.objects.create(external_id="B", name="Big", employees=500)
    small_one = Customer.objects.create(external_id="S", name="Small", employees=5)

    first = scores_write(version=version, spec=rubric, low_id=big.pk, high_id=small_one.pk)
    again = scores_write(version=version, spec=rubric, low_id=big.pk, high_id=small_one.pk)

    assert (first, again) == (2, 0)
    assert list(QualificationChange.objects.values_list("customer__external_id", "was_qualified", "qualified")) == [
        ("B", None, True)
    ]
    Customer.objects.filter(pk=small_one.pk).update(employees=150)
    Customer.objects.filter(pk=big.pk).update(employees=50)

    changed = scores_write(version=version, spec=rubric, low_id=big.pk, high_id=small_one.pk)

    assert changed == 2
    history = set(QualificationChange.objects.values_list("customer__external_id", "was_qualified", "qualified"))
    assert history == {("B", None, True), ("B", True, False), ("S", False, True)}
    assert Score.objects.get(customer=big).qualified is False


def test_a_new_version_rewrites_every_score_with_its_own_number(version):
    rubric = scoring.Rubric(criteria=(), threshold=0)
    customer = Customer.objects.create(external_id="A", name="Acme")
    scores_write(version=version, spec=rubric, low_id=customer.pk, high_id=customer.pk)
    newer = RubricVersion.objects.create(rubric=version.rubric, number=2, threshold=0, status="draft")

    written = scores_write(version=newer, spec=rubric, low_id=customer.pk, high_id=customer.pk)

    assert written == 1
    assert Score.objects.get(customer=customer).version == newer


def test_scores_carry_the_customer_fields_the_lead_list_filters_by_and_follow_their_changes(version, django_user_model):
    rubric = scoring.Rubric(criteria=(), threshold=0)
    rep = django_user_model.objects.create(username="rep-copy")
    customer = Customer.objects.create(
        external_id="C", name="Contoso", industry="Software", country="France", region="EMEA", owner=rep
    )
    scores_write(version=version, spec=rubric, low_id=customer.pk, high_id=customer.pk)
    copies = ("name", "owner_id", "industry", "country", "region", "stage")
    assert Score.objects.values_list(*copies).get() == ("Contoso", rep.pk, "Software", "France", "EMEA", "prospect")

    Customer.objects.filter(pk=customer.pk).update(owner=None, industry="Retail", lifecycle_stage="customer")
    changed = scores_write(version=version, spec=rubric, low_id=customer.pk, high_id=customer.pk)
    again = scores_write(version=version, spec=rubric, low_id=customer.pk, high_id=customer.pk)

    assert (changed, again) == (1, 0)
    assert Score.objects.values_list(*copies).get() == ("Contoso", None, "Retail", "France", "EMEA", "customer")


GATED = scoring.Rubric(
    criteria=(
        scoring.Criterion(id=1, field="industry", kind="category", operator="in", values=("Software",), gate="must"),
        scoring.Criterion(id=2, field="extra.competitor", kind="extra", operator="true", points=2, gate="never"),
        scoring.Criterion(id=3, field="employees", kind="number", operator="gte", values=(100,), points=3),
    ),
    threshold=3,
)


def test_it_qualifies_only_whom_the_must_haves_and_disqualifiers_let_through(version):
    planted = {
        "fits": {"industry": "Software", "employees": 500},
        "wrong industry": {"industry": "Retail", "employees": 500},
        "industry unknown": {"industry": "", "employees": 500},
        "competitor": {"industry": "Software", "employees": 500, "extra": {"competitor": True}},
        "competitor unknown": {"industry": "Software", "employees": 500, "extra": {"competitor": "maybe"}},
        "too small": {"industry": "software", "employees": 10},
    }
    for name, fields in planted.items():
        Customer.objects.create(external_id=name, name=name, **fields)

    scores_write(version=version, spec=GATED, low_id=0, high_id=2**62)

    scores = Score.objects.filter(rubric=version.rubric).select_related("customer")
    assert {s.customer.name for s in scores if s.qualified} == {"fits", "competitor unknown"}
    statuses = {s.customer.name: scoring.explain_score(GATED, s.matched, s.no_data).status for s in scores}
    assert statuses == {
        "fits": scoring.QUALIFIED,
        "wrong industry": scoring.MISSES_MUST_HAVE,
        "industry unknown": scoring.NEEDS_DATA,
        "competitor": scoring.DISQUALIFIED,
        "competitor unknown": scoring.QUALIFIED,
        "too small": scoring.BELOW_THRESHOLD,
    }
    # The competitor scores 5, above the threshold, and still does not qualify.
    assert Score.objects.get(customer__name="competitor").total == 5


def test_it_reads_the_gates_and_the_rank_from_the_stored_masks_with_a_banded_must_have(version):
    visits = scoring.Criterion(
        id=1,
        field="website_visits_30d",
        kind="number",
        operator="bands",
        bands=(scoring.Band(points=2, min=10), scoring.Band(points=1, min=1, max=9)),
        gate="must",
    )
    rubric = scoring.Rubric(criteria=(*GATED.criteria[1:], visits), threshold=0)
    for number, (count, competitor) in enumerate([(20, False), (5, False), (0, False), (None, False), (5, True)]):
        Customer.objects.create(
            external_id=f"V{number}", name=f"V{number}", website_visits_30d=count, extra={"competitor": competitor}
        )
    scores_write(version=version, spec=rubric, low_id=0, high_id=2**62)

    rows = Score.objects.annotate(passes=stored_passes_gates(rubric), rank=stored_rank(rubric)).order_by("customer_id")

    # Lowest total 0, highest 2 + 3 + 2: a customer passing the gates ranks 8 above its total.
    assert [(row.total, bool(row.passes), row.rank) for row in rows] == [
        (2, True, 10),
        (1, True, 9),
        (0, False, 0),
        (0, False, 0),
        (3, False, 3),
    ]


@pytest.mark.django_db
def test_each_criterions_points_are_computed_once_per_customer_however_often_the_total_is_used():
    """The points are summed behind a fence: pulled up into the query around them, each sum was computed again
    in the total, and the total again in the verdict (the fill's SELECT took 15 to 20 % longer)."""
    rubric = scoring.Rubric(
        criteria=(
            scoring.Criterion(id=1, field="employees", kind="number", operator="gte", points=7, values=(100,)),
            scoring.Criterion(
                id=2, field="employees", kind="number", operator="lte", points=5, values=(10,), group="engagement"
            ),
        ),
        threshold=3,
    )
    for sql, params in (
        scored_sql(rubric, Customer.objects.all()),
        versions_scored_sql([rubric], Customer.objects.all()),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (VERBOSE) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert plan.count("THEN '7'::bigint") == 1, plan
        assert plan.count("THEN '5'::bigint") == 1, plan
