from django.urls import path  # noqa: F401  (the patterns below use it)

app_name = "rubrics"

urlpatterns = [
    # Rubrics, the draft editor, preview and diff (views.py).
    # Publishing and re-score jobs (job_views.py).
]
