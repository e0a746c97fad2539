"""Every customer's codes in this process's memory, as one (width, n) int16 matrix, kept in step with the table.

The first search of a process (or the first after a new model is ready) reads every vector of the ready model
(about a second for 1M customers, 15 MB per 1M per column); each later search reads only the vectors written
since (their revision is newer than the last one read), which the index on (model, revision) finds at once.
"""

import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection

from .features import CODE_TYPE, WIDTH

FETCH = 20_000


@dataclass
class Matrix:
    model_id: int
    ids: np.ndarray  # customer ids, ascending
    columns: np.ndarray  # (WIDTH, len(ids)) codes
    seen: int  # the newest revision read

    def positions(self, customer_ids) -> np.ndarray:
        """Where these customers are (those without a vector left out)."""
        wanted = np.asarray(sorted(set(customer_ids)), dtype=np.int64)
        at = np.searchsorted(self.ids, wanted)
        at = at[at < len(self.ids)]
        return at[np.isin(self.ids[at], wanted)]


_lock = threading.Lock()
_current: dict[str, Matrix] = {}


def matrix_current(model_id: int) -> Matrix:
    """The ready model's matrix, with the vectors written since the last search read in."""
    with _lock:
        matrix = _current.get("matrix")
        if matrix is None or matrix.model_id != model_id:
            matrix = _read(model_id, after=None)
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
    return Matrix(model_id=model_id, ids=np.asarray(ids, dtype=np.int64), columns=codes.T.copy(), seen=newest)


def _merge(matrix: Matrix, newer: Matrix) -> None:
    """Write the newer vectors into the matrix: in place for customers it has, appended (then sorted) for new ones."""
    if len(newer.ids) == 0:
        return
    at = np.searchsorted(matrix.ids, newer.ids)
    inside = at < len(matrix.ids)
    known = np.zeros(len(newer.ids), dtype=bool)
    known[inside] = matrix.ids[at[inside]] == newer.ids[inside]
    matrix.columns[:, at[known]] = newer.columns[:, known]
    if not known.all():
        ids = np.concatenate([matrix.ids, newer.ids[~known]])
        columns = np.concatenate([matrix.columns, newer.columns[:, ~known]], axis=1)
        order = np.argsort(ids, kind="stable")
        matrix.ids, matrix.columns = ids[order], np.ascontiguousarray(columns[:, order])
    matrix.seen = max(matrix.seen, newer.seen)
