"""How far a check or an import has gone, in the cache: their transactions hide their writes until the end.

Only shown, never relied on: with the cache down (Redis), the check and the import go on without it.
"""

import logging

from django.core.cache import cache

from ops.outages import REDIS_ERRORS

from .models import ImportJob

PROGRESS_TIMEOUT = 6 * 60 * 60

logger = logging.getLogger(__name__)


def _progress_key(job: ImportJob) -> str:
    return f"imports:{job.pk}:progress"


def progress_set(job: ImportJob, rows_done: int, rows_total: int | None = None) -> None:
    try:
        cache.set(_progress_key(job), (rows_done, rows_total), PROGRESS_TIMEOUT)
    except REDIS_ERRORS:
        logger.warning("import %s: progress not recorded, the cache is unreachable", job.pk, exc_info=True)


def progress_get(job: ImportJob) -> tuple[int, int | None]:
    """(rows done, rows in the file if known) of the check or import under way; (0, None) when unknown."""
    try:
        progress = cache.get(_progress_key(job))
    except REDIS_ERRORS:
        logger.warning("import %s: progress unknown, the cache is unreachable", job.pk, exc_info=True)
        progress = None
    return tuple(progress) if progress else (0, None)
