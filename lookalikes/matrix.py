"""Every customer's codes in this process's memory, as one (width, n) int16 matrix, kept in step with the table.

The first search of a process (or the first after a new model is ready) reads every vector of the ready model
(about two seconds for 1M customers, 30 bytes per customer, 6 more for the joint codes that scoring reads);
each later search reads only the vectors written since (their revision is newer than the last one read), which
the index on (model, revision) finds at once.

The filters are masks over the same positions: the lifecycle stage, the owner and the deal outcome are codes of
the vector; "qualified by a published rubric" comes from the scores (``matrix_qualified``), read whole once and
then followed by the qualification changes recorded since (their ids only grow), read again whole when the
published versions change, when many changes wait, or every QUALIFIED_RELOAD_SECONDS. The rows a search shows
are still checked against the database: a mask is how the search stays fast, not what it trusts.
"""

import datetime
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Max

from rubrics.models import QualificationChange, RubricVersion, Score, VersionStatus

from .features import CODE_TYPE, WIDTH, Encoding
from .models import SimilarityModel
from .similarity import Group, Seed, groups_plan, joint_codes

FETCH = 20_000
QUALIFIED_RELOAD_SECONDS = 600
QUALIFIED_CHANGES_MAX = 50_000  # more changes than this waiting (a publish's re-score): read the scores again


@dataclass
class Qualified:
    """Which positions each published rubric qualifies, as of the change ``seen``."""

    versions: tuple[int, ...]  # the published versions it was read for
    by_rubric: dict[int, np.ndarray]  # rubric id -> bool per position
    seen: int
    read_at: float


@dataclass
class Matrix:
    model_id: int
    model: SimilarityModel | None  # as it was when ready (its weights and encoding do not change after)
    encoding: Encoding
    ids: np.ndarray  # customer ids, ascending
    columns: np.ndarray  # (WIDTH, len(ids)) codes
    seen: int  # the newest revision read
    groups: tuple[Group, ...] = ()
    joint: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.uint16))  # (len(groups), n)
    qualified: Qualified | None = None
    won: tuple[int, np.ndarray, Seed] | None = None  # as of revision: every won deal's positions and their seed

    def positions(self, customer_ids) -> np.ndarray:
        """Where these customers are (those without a vector left out)."""
        wanted = np.asarray(sorted(set(customer_ids)), dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at = at[at < len(self.ids)]
        return at[np.isin(self.ids[at], wanted)]


_lock = threading.Lock()
_current: dict[str, Matrix] = {}


def matrix_current(model_id: int, created_at: datetime.datetime | None = None) -> Matrix:
    """The model's matrix, with the vectors written since the last search read in. ``created_at`` tells the model
    from an earlier one with the same id (a database emptied since: tests, a restore)."""
    with _lock:
        matrix = _current.get("matrix")
        if (
            matrix is None
            or matrix.model_id != model_id
            or (created_at is not None and matrix.model.created_at != created_at)
        ):
            matrix = _read(model_id, after=None)
            matrix.model = SimilarityModel.objects.get(pk=model_id)
            matrix.encoding = Encoding.from_json(matrix.model.encoding)
            matrix.groups = groups_plan(matrix.encoding.sizes())
            matrix.joint = joint_codes(matrix.columns, matrix.groups)
        else:
            _merge(matrix, _read(model_id, after=matrix.seen))
        _current["matrix"] = matrix
        return matrix


def matrix_forget() -> None:
    """Drop the matrix (tests that rebuild the base, a process that wants its memory back)."""
    with _lock:
        _current.clear()


def _read(model_id: int, *, after: int | None) -> Matrix:
    sql = "SELECT customer_id, codes, revision FROM lookalikes_accountvector WHERE model_id = %s"
    params: list = [model_id]
    if after is not None:
        sql += " AND revision > %s"
        params.append(after)
    ids, blobs, newest = [], [], after or 0
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY customer_id", params)
        while rows := cursor.fetchmany(FETCH):
            for customer_id, codes, revision in rows:
                ids.append(customer_id)
                blobs.append(bytes(codes))
                newest = max(newest, revision)
    codes = np.frombuffer(b"".join(blobs), dtype=CODE_TYPE).reshape(len(ids), WIDTH)
    return Matrix(
        model_id=model_id,
        model=None,
        encoding=Encoding(values={}),
        ids=np.asarray(ids, dtype=np.int64),
        columns=codes.T.copy(),
        seen=newest,
    )


def _merge(matrix: Matrix, newer: Matrix) -> None:
    """Write the newer vectors into the matrix: in place for customers it has, appended (then sorted) for new ones."""
    if len(newer.ids) == 0:
        return
    at = np.searchsorted(matrix.ids, newer.ids)
    inside = at < len(matrix.ids)
    known = np.zeros(len(newer.ids), dtype=bool)
    known[inside] = matrix.ids[at[inside]] == newer.ids[inside]
    matrix.columns[:, at[known]] = newer.columns[:, known]
    matrix.joint[:, at[known]] = joint_codes(newer.columns[:, known], matrix.groups)
    if not known.all():
        added = ~known
        ids = np.concatenate([matrix.ids, newer.ids[added]])
        order = np.argsort(ids, kind="stable")
        matrix.ids = ids[order]
        columns = np.concatenate([matrix.columns, newer.columns[:, added]], axis=1)
        matrix.columns = np.ascontiguousarray(columns[:, order])
        joint = np.concatenate([matrix.joint, joint_codes(newer.columns[:, added], matrix.groups)], axis=1)
        matrix.joint = np.ascontiguousarray(joint[:, order])
        if matrix.qualified is not None:
            none = np.zeros(int(added.sum()), dtype=bool)  # not known yet: the shown rows are checked anyway
            for rubric_id, mask in matrix.qualified.by_rubric.items():
                matrix.qualified.by_rubric[rubric_id] = np.concatenate([mask, none])[order]
    matrix.seen = max(matrix.seen, newer.seen)


def matrix_qualified(matrix: Matrix) -> np.ndarray:
    """Which positions a published rubric qualifies (a new array), brought up to date first."""
    with _lock:
        published = tuple(
            RubricVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("pk").values_list("pk", flat=True)
        )
        newest = QualificationChange.objects.aggregate(newest=Max("pk"))["newest"] or 0
        known = matrix.qualified
        if (
            known is None
            or known.versions != published
            or newest - known.seen > QUALIFIED_CHANGES_MAX
            or time.monotonic() - known.read_at > QUALIFIED_RELOAD_SECONDS
        ):
            known = matrix.qualified = _qualified_read(matrix, published, newest)
        elif newest > known.seen:
            _qualified_follow(matrix, known, newest)
        qualified = np.zeros(len(matrix.ids), dtype=bool)
        for mask in known.by_rubric.values():
            qualified |= mask
        return qualified


def _qualified_read(matrix: Matrix, versions: tuple[int, ...], newest: int) -> Qualified:
    """Every published rubric's qualified customers, from the scores (their changes up to ``newest`` included:
    a change after it is read again next time, which is harmless)."""
    rubric_ids = RubricVersion.objects.filter(pk__in=versions).values_list("rubric_id", flat=True)
    by_rubric = {}
    with connection.cursor() as cursor:
        for rubric_id in rubric_ids:
            cursor.execute(
                f"SELECT customer_id FROM {Score._meta.db_table} WHERE rubric_id = %s AND qualified", [rubric_id]
            )
            customer_ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
            by_rubric[rubric_id] = _mask_of(matrix.ids, customer_ids)
    return Qualified(versions=versions, by_rubric=by_rubric, seen=newest, read_at=time.monotonic())


def _qualified_follow(matrix: Matrix, known: Qualified, newest: int) -> None:
    """The qualification changes recorded since the last read, applied in the order they were recorded."""
    changes = (
        QualificationChange.objects.filter(pk__gt=known.seen, pk__lte=newest, rubric_id__in=list(known.by_rubric))
        .order_by("pk")
        .values_list("customer_id", "rubric_id", "qualified")
    )
    rows = np.array(list(changes), dtype=np.int64).reshape(-1, 3)
    for rubric_id, mask in known.by_rubric.items():
        mine = rows[rows[:, 1] == rubric_id]
        # The last change of each customer wins: unique's first index in the reversed rows.
        customer_ids, last = np.unique(mine[::-1, 0], return_index=True)
        at = np.searchsorted(matrix.ids, customer_ids)
        inside = at < len(matrix.ids)
        found = np.zeros(len(at), dtype=bool)
        found[inside] = matrix.ids[at[inside]] == customer_ids[inside]
        mask[at[found]] = mine[::-1, 2][last][found].astype(bool)
    known.seen = newest


def _mask_of(ids: np.ndarray, customer_ids: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(ids), dtype=bool)
    at = np.searchsorted(ids, customer_ids)
    inside = at < len(ids)
    at = at[inside]
    mask[at[ids[at] == customer_ids[inside]]] = True
    return mask
