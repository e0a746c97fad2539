from django.urls import path  # noqa: F401  (the patterns below use it)

from . import evidence_views, job_views, views

app_name = "rubrics"

urlpatterns = [
    # Rubrics, the draft editor, preview and diff (views.py).
    path("", views.rubric_list, name="list"),
    path("profiles/new/", views.profile_create_view, name="profile_create"),
    path("profiles/<int:profile_id>/rubrics/new/", views.rubric_create_view, name="rubric_create"),
    path("<int:rubric_id>/", views.rubric_detail, name="rubric_detail"),
    path("<int:rubric_id>/audience/", views.rubric_audience, name="rubric_audience"),
    path("<int:rubric_id>/drafts/new/", views.draft_create_view, name="draft_create"),
    path("<int:rubric_id>/diff/", views.version_diff_view, name="version_diff"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/editor/", views.editor_fragment, name="editor"),
    path("versions/<int:version_id>/settings/", views.version_settings, name="version_settings"),
    path("versions/<int:version_id>/criteria/new/", views.criterion_add_view, name="criterion_add"),
    path("versions/<int:version_id>/preview/", views.version_preview_view, name="version_preview"),
    path("criteria/<int:criterion_id>/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:criterion_id>/remove/", views.criterion_remove_view, name="criterion_remove"),
    path("criteria/<int:criterion_id>/move/", views.criterion_move_view, name="criterion_move"),
    # Evidence from the customer base (evidence_views.py).
    path("criteria/<int:criterion_id>/evidence/", evidence_views.criterion_evidence_view, name="criterion_evidence"),
    path("versions/<int:version_id>/evidence/", evidence_views.rule_evidence_view, name="rule_evidence"),
    path(
        "versions/<int:version_id>/suggested-weights/",
        evidence_views.suggested_weights_view,
        name="suggested_weights",
    ),
    # Publishing and re-score jobs (job_views.py).
    path("versions/<int:version_id>/publish/", job_views.version_publish, name="version_publish"),
    path("<int:rubric_id>/jobs/", job_views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress/", job_views.job_progress, name="job_progress"),
]
