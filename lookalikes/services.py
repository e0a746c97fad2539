"""Writes of the lookalikes app: learning a similarity model, building every vector, keeping changed ones current,
and sending found accounts to a rep."""

import logging
from collections import Counter
from collections.abc import Iterable

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from customers.models import Customer
from leads.services.dispositions import lead_owner_set
from ops.jobs import job_send
from teams.models import Role, User

from .features import FEATURES, FIELDS, NUMBER, TITLES, Encoding, encode_many, encoding_learn, title_list
from .models import AccountVector, ModelStatus, SimilarityModel, VectorClock
from .similarity import counts_add, outcome_counts, weights_learn

logger = logging.getLogger(__name__)

CHUNK = 50_000  # customers encoded and written per transaction while building
WAITING = "The similarity model is built when the job queue is back."
CHANGED_WAITING = "Similar accounts take in the changes at their next nightly build."
ACTIVE = (ModelStatus.QUEUED, ModelStatus.BUILDING)


def similarity_model_request(*, reason: str, user: User | None = None, start: bool = True) -> SimilarityModel:
    """Queue a new model (learn the weights again, then build every vector) and send its job once committed.
    A model already queued is superseded by this one; one building goes on (the newer one replaces it)."""
    with transaction.atomic():
        SimilarityModel.objects.filter(status=ModelStatus.QUEUED).update(
            status=ModelStatus.SUPERSEDED, finished_at=timezone.now()
        )
        model = SimilarityModel.objects.create(reason=reason, requested_by=user)
        if start:
            job_send("lookalikes.tasks.similarity_build", model.pk, waiting=WAITING)
    return model


def similarity_build(*, model_id: int, chunk_size: int = CHUNK) -> SimilarityModel | None:
    """Build a queued model; None if another run has it (a task delivered twice builds once).

    1. Claim it: queued becomes building, in one conditional UPDATE.
    2. Learn the encoding: each category's values, most frequent first.
    3. Encode every customer, chunk by chunk of ids, each chunk written in its own transaction, counting the won
       and lost deals by value on the way.
    4. Learn the weights from those counts (similarity.weights_learn).
    5. Mark it ready; older models are superseded and their vectors deleted.
    """
    claimed = SimilarityModel.objects.filter(pk=model_id, status=ModelStatus.QUEUED).update(
        status=ModelStatus.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return None
    encoding = _encoding_learn()
    SimilarityModel.objects.filter(pk=model_id).update(encoding=encoding.as_json())
    counts: dict[str, np.ndarray] = {}
    accounts, after = 0, 0
    while True:
        with transaction.atomic():
            revision = _clock_tick()
            rows = list(Customer.objects.filter(pk__gt=after).order_by("pk").values("pk", *FIELDS)[:chunk_size])
            if not rows:
                break
            codes = encode_many(rows, encoding)
            ids = [row["pk"] for row in rows]
            _vectors_write(model_id=model_id, ids=ids, codes=codes, revision=revision)
        counts = counts_add(counts, outcome_counts(codes))
        accounts += len(rows)
        after = ids[-1]
    learned = weights_learn(counts)
    won_lost = counts.get(FEATURES[0].name, np.zeros((0, 2))).sum(axis=0) if counts else (0, 0)
    with transaction.atomic():
        model = SimilarityModel.objects.select_for_update().get(pk=model_id)
        if model.status != ModelStatus.BUILDING:
            return model  # superseded meanwhile
        older = SimilarityModel.objects.filter(pk__lt=model_id, status__in=(ModelStatus.READY, *ACTIVE))
        older.update(status=ModelStatus.SUPERSEDED, finished_at=timezone.now())
        model.weights = [weight.__dict__ for weight in learned]
        model.won, model.lost = int(won_lost[0]), int(won_lost[1])
        model.accounts = accounts
        model.status = ModelStatus.READY
        model.finished_at = timezone.now()
        model.save()
    AccountVector.objects.filter(model__status=ModelStatus.SUPERSEDED).delete()
    return model


def similarity_build_fail(*, model_id: int, message: str) -> None:
    SimilarityModel.objects.filter(pk=model_id, status__in=ACTIVE).update(
        status=ModelStatus.FAILED, message=message[:300], finished_at=timezone.now()
    )


def similarity_build_now(*, reason: str = "manual", user: User | None = None) -> SimilarityModel:
    """Learn and build a model here and now (tests, the command line, a first demo)."""
    model = similarity_model_request(reason=reason, user=user, start=False)
    return similarity_build(model_id=model.pk) or SimilarityModel.objects.get(pk=model.pk)


def _encoding_learn() -> Encoding:
    counts = {}
    for feature in FEATURES:
        if feature.kind == NUMBER:
            continue
        rows = Customer.objects.exclude(**{feature.name: ""}).values_list(feature.name).annotate(n=Count("pk"))
        if feature.kind == TITLES:
            titles: Counter = Counter()
            for text, number in rows.order_by():
                for title in title_list(text):
                    titles[title] += number
            counts[feature.name] = titles.items()
        else:
            counts[feature.name] = list(rows.order_by())
    return encoding_learn(counts)


def _clock_tick() -> int:
    """The next revision, with the clock's row locked until the transaction ends (see AccountVector)."""
    if not VectorClock.objects.filter(pk=1).update(value=F("value") + 1):
        VectorClock.objects.get_or_create(pk=1)
        VectorClock.objects.filter(pk=1).update(value=F("value") + 1)
    return VectorClock.objects.values_list("value", flat=True).get(pk=1)


def _vectors_write(*, model_id: int, ids: list[int], codes: np.ndarray, revision: int) -> None:
    blobs = [row.tobytes() for row in codes]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO lookalikes_accountvector (model_id, customer_id, codes, revision) "
                "SELECT %s, id, codes, %s FROM unnest(%s::bigint[], %s::bytea[]) AS given(id, codes) "
                "ON CONFLICT (model_id, customer_id) DO UPDATE "
                "SET codes = EXCLUDED.codes, revision = EXCLUDED.revision",
                [model_id, revision, ids, blobs],
            )
        return
    AccountVector.objects.bulk_create(
        [
            AccountVector(model_id=model_id, customer_id=pk, codes=blob, revision=revision)
            for pk, blob in zip(ids, blobs, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["model", "customer"],
        update_fields=["codes", "revision"],
        batch_size=1_000,
    )


def vectors_refresh_later(*, customer_ids: Iterable[int]) -> None:
    """Once the transaction commits, bring these customers' vectors up to date (in the worker)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), CHUNK):
        job_send("lookalikes.tasks.vectors_refresh", ids[start : start + CHUNK], waiting=CHANGED_WAITING)


def vectors_refresh(*, customer_ids: Iterable[int]) -> int:
    """Encode these customers again under the ready model and any being built; return the vectors written.
    A customer deleted meanwhile is skipped (its vectors went with it)."""
    ids = sorted(set(customer_ids))
    written = 0
    models = SimilarityModel.objects.filter(status__in=(ModelStatus.READY, ModelStatus.BUILDING)).exclude(encoding={})
    for model in models:
        encoding = Encoding.from_json(model.encoding)
        with transaction.atomic():
            revision = _clock_tick()
            rows = list(Customer.objects.filter(pk__in=ids).order_by("pk").values("pk", *FIELDS))
            if rows:
                codes = encode_many(rows, encoding)
                _vectors_write(model_id=model.pk, ids=[row["pk"] for row in rows], codes=codes, revision=revision)
                written += len(rows)
    return written


@transaction.atomic
def lookalikes_assign(*, user: User, customer_ids: list[int], owner: User | None) -> int:
    """Give the chosen accounts to a rep (an admin) or claim them (a rep, for themselves): all or nothing."""
    if user.role == Role.SALES_REP and owner != user:
        raise ValidationError("A sales rep claims accounts for themselves.")
    customers = list(Customer.objects.filter(pk__in=customer_ids).order_by("pk"))
    if not customers:
        raise ValidationError("Choose at least one account.")
    for customer in customers:
        try:
            lead_owner_set(customer=customer, owner=owner, user=user)
        except PermissionDenied as error:
            raise ValidationError(f"{customer.name}: {error}") from None
    return len(customers)
