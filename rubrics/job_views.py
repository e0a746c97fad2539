"""Publishing a version and watching its re-score job. Admins only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ops.outages import sends_watched
from teams.access import role_required
from teams.models import Role

from .models import RescoreJob, Rubric, RubricVersion
from .services.publishing import PublishConflict, WorseThanPublished, rubric_publish
from .services.rescoring import rescore_jobs_for


@role_required(Role.ADMIN)
@require_POST
def version_publish(request, version_id):
    version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=version_id)
    reason = request.POST.get("confirm_worse", "")
    try:
        with sends_watched() as waiting:
            job = rubric_publish(version=version, user=request.user, confirm_worse=reason)
    except WorseThanPublished as worse:
        # Asked again, with the backtest: publishing a worse version needs a reason (a blank one is no reason).
        context = {"version": version, "backtest": worse.backtest, "reason": reason, "asked_again": bool(reason)}
        return render(request, "rubrics/publish_confirm.html", context, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _history(request, version.rubric, status=400)
    except PublishConflict as conflict:
        messages.warning(request, f"{conflict} Nothing was started again.")
        return _history(request, version.rubric, status=409)
    if waiting:
        messages.warning(
            request,
            f"Version {version.number} is published. Its re-score waits for the job queue, which cannot be reached "
            "just now; it starts by itself when the queue is back.",
        )
    else:
        # The progress below says how the re-score goes (and when it is done): the message says only what happened.
        messages.success(request, f"Version {version.number} is published.")
    return redirect("rubrics:job_detail", job_id=job.pk)


@role_required(Role.ADMIN)
@require_GET
def job_list(request, rubric_id):
    return _history(request, get_object_or_404(Rubric, pk=rubric_id))


def _history(request, rubric: Rubric, status: int = 200):
    context = {"rubric": rubric, "jobs": rescore_jobs_for(rubric)}
    return render(request, "rubrics/job_list.html", context, status=status)


def _job(job_id) -> RescoreJob:
    return get_object_or_404(RescoreJob.objects.select_related("rubric", "version", "requested_by"), pk=job_id)


def _progress_context(job: RescoreJob) -> dict:
    percent = 100 if job.status == "done" else int(100 * job.chunks_done / job.chunks_total) if job.chunks_total else 0
    return {"job": job, "percent": percent}


@role_required(Role.ADMIN)
@require_GET
def job_detail(request, job_id):
    job = _job(job_id)
    context = {**_progress_context(job), "jobs": rescore_jobs_for(job.rubric)}
    return render(request, "rubrics/job_detail.html", context)


@role_required(Role.ADMIN)
@require_GET
def job_progress(request, job_id):
    """The progress bar, polled by htmx while the job is queued or running; once it stops, the page reloads."""
    job = _job(job_id)
    response = render(request, "rubrics/fragment_job_progress.html", _progress_context(job))
    if not job.is_active and request.htmx:
        response["HX-Refresh"] = "true"
    return response
