from django.urls import path  # noqa: F401  (the patterns below use it)

app_name = "customers"

urlpatterns = [
    # The customer list, detail, edit and export (views.py).
    # Imports (import_views.py).
]
