"""The compiled SQL and the pure engine give the same scores: random rubrics, random customers."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from profiles.models import Profile
from rubrics import scoring
from rubrics.compile import score_annotations, scores_write
from rubrics.models import QualificationChange, Rubric, RubricVersion, Score
from rubrics.selectors import customer_attributes

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


@st.composite
def criteria(draw, criterion_id, seen=()):
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[field]
    operator = draw(st.sampled_from(scoring.OPERATORS_BY_KIND[kind]))
    numbers = st.one_of(small, st.floats(-5, 25, allow_nan=False)) if kind == "extra" else small
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
    )


@st.composite
def rubrics(draw, seen=()):
    count = draw(st.integers(1, 6))
    return scoring.Rubric(
        criteria=tuple(draw(criteria(criterion_id, seen)) for criterion_id in range(1, count + 1)),
        threshold=draw(st.integers(-6, 10)),
    )


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
    }
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
    Customer.objects.bulk_create(
        Customer(external_id=f"P{i}", name=f"Company {i}", **attributes) for i, attributes in enumerate(people)
    )

    computed = {row["id"]: row for row in Customer.objects.annotate(**score_annotations(rubric)).values()}
    ids = sorted(computed)
    scores_write(version=version, spec=rubric, low_id=ids[0], high_id=ids[-1])
    stored = {score.customer_id: score for score in Score.objects.filter(rubric=version.rubric)}

    for customer in Customer.objects.all():
        expected = scoring.score(rubric, customer_attributes(customer))
        row, score = computed[customer.pk], stored[customer.pk]
        assert (row["total"], bool(row["qualified"]), row["matched"], row["no_data"]) == (
            expected.total,
            expected.qualified,
            expected.matched_mask,
            expected.no_data_mask,
        ), (customer_attributes(customer), expected.outcomes)
        assert {group: row[group] for group in scoring.GROUPS} == expected.subtotals
        assert (score.total, score.qualified, score.matched, score.no_data) == (
            expected.total,
            expected.qualified,
            expected.matched_mask,
            expected.no_data_mask,
        )
        assert [o.points for o in scoring.explain(rubric, score.matched, score.no_data)] == [
            o.points for o in expected.outcomes
        ]


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
