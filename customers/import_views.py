"""Importing customers in the browser: upload, map the columns, check, import. Admins only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from teams.access import role_required
from teams.models import Role

from .import_forms import ImportMappingForm, ImportUploadForm
from .imports import (
    ImportConflict,
    import_cancel,
    import_job_create,
    import_job_map,
    import_jobs_recent,
    import_samples,
    import_start,
    mapping_unknown,
    progress_get,
)
from .models import ImportJob, ImportStatus
from .tabular import TableError


@role_required(Role.ADMIN)
def imports(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(file=upload, name=upload.name, user=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("customers:import_mapping", job_id=job.pk)
        status = 400
    context = {"form": form, "jobs": import_jobs_recent()}
    return render(request, "customers/import_upload.html", context, status=status)


@role_required(Role.ADMIN)
def import_mapping(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.ANALYSED):
        if request.method == "POST":
            messages.warning(request, "This import is already under way; its columns can no longer change.")
            return render(request, "customers/import_detail.html", _detail_context(job), status=409)
        messages.info(request, "This import is past the column mapping.")
        return redirect("customers:import_detail", job_id=job.pk)
    form = ImportMappingForm(request.POST or None, headers=job.headers, mapping=job.mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                import_job_map(job=job, mapping=form.mapping(), user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            except ImportConflict as conflict:
                messages.warning(request, str(conflict))
                job.refresh_from_db()
                return render(request, "customers/import_detail.html", _detail_context(job), status=409)
            else:
                return redirect("customers:import_detail", job_id=job.pk)
        status = 400
    try:
        samples = import_samples(job)
    except TableError:
        samples = {}
    context = {"job": job, "form": form, "columns": form.rows(samples, mapping_unknown(job.headers))}
    return render(request, "customers/import_mapping.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def import_detail(request, job_id):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    return render(request, "customers/import_detail.html", _detail_context(job))


@role_required(Role.ADMIN)
@require_GET
def import_progress(request, job_id):
    """The progress bar, polled by htmx while the job runs; once it stops, the page reloads."""
    job = get_object_or_404(ImportJob, pk=job_id)
    response = render(request, "customers/fragment_import_progress.html", _detail_context(job))
    if not job.is_running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@role_required(Role.ADMIN)
@require_POST
def import_run(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        import_start(job=job, skip_invalid=skip_invalid, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "customers/import_detail.html", _detail_context(job), status=400)
    except ImportConflict as conflict:
        messages.warning(request, str(conflict))
        job.refresh_from_db()
        return render(request, "customers/import_detail.html", _detail_context(job), status=409)
    return redirect("customers:import_detail", job_id=job.pk)


@role_required(Role.ADMIN)
@require_POST
def import_cancel_view(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        import_cancel(job=job, user=request.user)
    except ImportConflict as conflict:
        messages.warning(request, str(conflict))
        return render(request, "customers/import_detail.html", _detail_context(job), status=409)
    messages.success(request, f"Import {job.pk} is cancelled; nothing was imported.")
    return redirect("customers:imports")


def _detail_context(job: ImportJob) -> dict:
    done, total = progress_get(job) if job.is_running else (job.rows_total or 0, None)
    total = job.rows_total or total
    percent = int(100 * done / total) if total else 0
    counts = job.result or job.analysis
    return {
        "job": job,
        "counts": counts,
        "valid_rows": counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0),
        "rows_done": done,
        "rows_total": total,
        "percent": min(percent, 100),
        "more_rejections": max(0, counts.get("rejected", 0) - len(job.rejections)),
    }
