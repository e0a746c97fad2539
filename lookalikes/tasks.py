"""Celery entry points of the lookalikes app: they take ids and call services.py."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ops.jobs import JobTask, job_send_now, work_resumer

from . import services
from .models import ModelStatus, SimilarityModel

logger = logging.getLogger(__name__)


def _build_given_up(task, error, model_id: int) -> None:
    services.similarity_build_fail(model_id=model_id, message="The build stopped on a database error.")


def _build_failed(task, error, model_id: int) -> None:
    services.similarity_build_fail(
        model_id=model_id, message=f"The build failed: {error.__class__.__name__}. The details are in the logs."
    )


@shared_task(bind=True, base=JobTask, default_retry_delay=5, give_up=_build_given_up, fail=_build_failed)
def similarity_build(self, model_id: int) -> None:
    """Learn a queued model's weights and build every vector; a second delivery finds it claimed and stops."""
    model = services.similarity_build(model_id=model_id)
    if model is not None:
        logger.info(
            "similarity model %s built: %s accounts, %s won, %s lost", model.pk, model.accounts, model.won, model.lost
        )


@shared_task(base=JobTask)
def similarity_relearn_nightly() -> None:
    """Learn the weights again from the deals decided since, and build the vectors with them."""
    services.similarity_model_request(reason="nightly")


@shared_task(bind=True, base=JobTask, default_retry_delay=5)
def vectors_refresh(self, customer_ids: list[int]) -> None:
    services.vectors_refresh(customer_ids=customer_ids)


@work_resumer("similarity models")
def similarity_builds_resend(after_a_restart: bool) -> None:
    """Send again a model queued and never sent (Redis was down); after a restart, one left building by a worker
    that died goes back to the queue first."""
    waited = datetime.timedelta(0 if after_a_restart else settings.STUCK_JOB_SECONDS)
    if after_a_restart:
        SimilarityModel.objects.filter(status=ModelStatus.BUILDING).update(status=ModelStatus.QUEUED)
    queued = SimilarityModel.objects.filter(status=ModelStatus.QUEUED, created_at__lt=timezone.now() - waited)
    for model_id in queued.values_list("pk", flat=True):
        job_send_now("lookalikes.tasks.similarity_build", model_id)
