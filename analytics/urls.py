from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("rubrics/<int:rubric_id>/segments/", views.segments, name="segments"),
    path("rubrics/<int:rubric_id>/accuracy/", views.accuracy, name="accuracy"),
    path("rubrics/<int:rubric_id>/traits/", views.traits, name="traits"),
    path("rubrics/<int:rubric_id>/suggestions/rubric/", views.suggestion_to_rubric, name="suggestion_to_rubric"),
    path("rubrics/<int:rubric_id>/suggestions/workshop/", views.suggestion_to_workshop, name="suggestion_to_workshop"),
]
