"""The import pages, one set for every kind: upload, map the columns, check, import. Admins only.

Each app may keep its own URLs for them (customers/urls.py, feedback/urls.py): they call these views with their
kind, and a job of another kind is not found there.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from teams.access import role_required
from teams.models import Role

from .forms import ImportMappingForm, ImportUploadForm
from .kinds import ImportKind, import_kind
from .models import ImportJob, ImportStatus
from .progress import progress_get
from .selectors import import_samples, imports_recent
from .services import ImportConflict, import_cancel, import_map, import_start, import_upload
from .tabular import TableError


def _kind(name: str) -> ImportKind:
    try:
        return import_kind(name)
    except KeyError:
        raise Http404("No such import.") from None


def _job(job_id: int, kind: str | None, queryset=ImportJob.objects) -> ImportJob:
    jobs = queryset.filter(kind=kind) if kind else queryset
    return get_object_or_404(jobs, pk=job_id)


@role_required(Role.ADMIN)
def import_upload_view(request, kind: str):
    definition = _kind(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None, kind=definition)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_upload(kind=kind, file=upload, name=upload.name, user=request.user)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                if job.status == ImportStatus.UPLOADED:
                    return redirect("imports:mapping", job_id=job.pk)
                return redirect("imports:detail", job_id=job.pk)
        status = 400
    context = {"kind": definition, "form": form, "jobs": imports_recent(kind=kind)}
    return render(request, "imports/upload.html", context, status=status)


@role_required(Role.ADMIN)
def import_mapping_view(request, job_id: int, kind: str | None = None):
    job = _job(job_id, kind)
    definition = _kind(job.kind)
    if not definition.mapping_step:
        raise Http404("The columns of this kind of file are recognised by their names.")
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.ANALYSED):
        if request.method == "POST":
            messages.warning(request, "This import is already under way; its columns can no longer change.")
            return _detail(request, job, status=409)
        messages.info(request, "This import is past the column mapping.")
        return redirect("imports:detail", job_id=job.pk)
    form = ImportMappingForm(request.POST or None, kind=definition, headers=job.headers, mapping=job.mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                import_map(job=job, mapping=form.mapping(), user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            except ImportConflict as conflict:
                messages.warning(request, str(conflict))
                job.refresh_from_db()
                return _detail(request, job, status=409)
            else:
                return redirect("imports:detail", job_id=job.pk)
        status = 400
    try:
        samples = import_samples(job)
    except TableError:
        samples = {}
    context = {
        "job": job,
        "kind": definition,
        "form": form,
        "columns": form.rows(samples, definition.mapping_unknown(job.headers)),
    }
    return render(request, "imports/mapping.html", context, status=status)


@role_required(Role.ADMIN)
@require_GET
def import_detail_view(request, job_id: int, kind: str | None = None):
    return _detail(request, _job(job_id, kind, ImportJob.objects.select_related("created_by")))


@role_required(Role.ADMIN)
@require_GET
def import_progress_view(request, job_id: int, kind: str | None = None):
    """The progress bar, polled by htmx while the job runs; once it stops, the page reloads."""
    job = _job(job_id, kind)
    response = render(request, "imports/fragment_progress.html", _detail_context(job))
    if not job.is_running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@role_required(Role.ADMIN)
@require_POST
def import_run_view(request, job_id: int, kind: str | None = None):
    job = _job(job_id, kind)
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        import_start(job=job, skip_invalid=skip_invalid, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, job, status=400)
    except ImportConflict as conflict:
        messages.warning(request, str(conflict))
        job.refresh_from_db()
        return _detail(request, job, status=409)
    return redirect("imports:detail", job_id=job.pk)


@role_required(Role.ADMIN)
@require_POST
def import_cancel_view(request, job_id: int, kind: str | None = None):
    job = _job(job_id, kind)
    try:
        import_cancel(job=job, user=request.user)
    except ImportConflict as conflict:
        messages.warning(request, str(conflict))
        return _detail(request, job, status=409)
    messages.success(request, f"Import {job.pk} is cancelled; nothing was imported.")
    return redirect("imports:upload", kind=job.kind)


def _detail(request, job: ImportJob, status: int = 200):
    return render(request, "imports/detail.html", _detail_context(job), status=status)


def _detail_context(job: ImportJob) -> dict:
    done, total = progress_get(job) if job.is_running else (job.rows_total or 0, None)
    total = job.rows_total or total
    percent = int(100 * done / total) if total else 0
    return {
        "job": job,
        "kind": _kind(job.kind),
        "counts": job.counts,
        "matched": ", ".join(f"{count:,} {rule}" for rule, count in job.counts.get("matched", [])),
        "valid_rows": job.valid_rows,
        "rows_done": done,
        "rows_total": total,
        "percent": min(percent, 100),
        "more_rejections": max(0, job.rejected_count - len(job.rejections)),
    }
