"""The public survey link, /s/<token>/: no account, the signed token is the key."""

from django.urls import path

from . import survey_views

app_name = "survey"

urlpatterns = [
    path("<str:token>/", survey_views.survey_answer, name="answer"),
]
