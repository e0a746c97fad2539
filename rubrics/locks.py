"""The locks on a rubric's row: who waits for whom when a rubric is changed, scored and sent on.

- ``rubric_lock``: one change of the rubric at a time (a publish, a new draft, a re-score job created, a
  suggestion added, a document loaded). FOR UPDATE: it waits for scoring too.
- ``rubric_scoring_lock``: scoring writes (re-score chunks, a changed customer) share the row, so they run
  side by side, and a publish waits for them (FOR SHARE).
- ``rubric_scoring_held_off``: the webhook dispatch waits for every scoring transaction of the rubric to end and
  keeps new ones out until it ends, so every qualification change up to the newest id is committed and none
  appears below it later (FOR NO KEY UPDATE: rows that merely reference the rubric may still be inserted).

SQLite has no row locks and commits one writer at a time: there each takes the database's write lock at once
(by writing the row), which also spares a transaction a failed upgrade from reader to writer.
"""

from django.db import connection
from django.db.models import F

from .models import Rubric


def _write_lock(rubric_id: int) -> None:
    Rubric.objects.filter(pk=rubric_id).update(name=F("name"))


def rubric_lock(rubric_id: int) -> Rubric:
    """The rubric, locked for a change until the transaction ends."""
    return Rubric.objects.select_for_update().get(pk=rubric_id)


def rubric_scoring_lock(rubric_id: int) -> None:
    if connection.vendor != "postgresql":
        _write_lock(rubric_id)
        return
    table = connection.ops.quote_name(Rubric._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [rubric_id])


def rubric_scoring_held_off(rubric_id: int) -> None:
    if connection.vendor != "postgresql":
        _write_lock(rubric_id)
        return
    locked = Rubric.objects.select_for_update(no_key=True, of=("self",)).filter(pk=rubric_id).order_by()
    list(locked.values_list("pk", flat=True))
