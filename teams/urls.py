from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_new, name="person_new"),
    path("<int:person_id>/", views.person_edit, name="person_edit"),
]
