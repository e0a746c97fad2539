import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from teams.models import Role

ROOT = Path(__file__).resolve().parents[2]


def crash(request):
    raise RuntimeError("secret internal detail")


def fine(request):
    return HttpResponse("fine")


urlpatterns = [path("crash/", crash), path("fine/", fine), path("", include("icpsite.urls"))]


@pytest.mark.urls("home.tests.test_errors")
def test_it_shows_the_styled_404_for_an_unknown_address(client_as, settings):
    settings.DEBUG = False

    response = client_as(Role.MEMBER).get("/no/such/page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "ICP Workshop" in body


@pytest.mark.urls("home.tests.test_errors")
@pytest.mark.django_db
def test_it_shows_the_styled_500_without_a_stack_trace(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/crash/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internal detail" not in body
    assert "Traceback" not in body


def production_env(**values):
    """This process's environment less what the tests set, plus production ``values``."""
    test_only = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(DEBUG="False", DJANGO_SETTINGS_MODULE="icpsite.settings", ENV_FILE=os.devnull, **values)
    return env


def test_it_has_no_deploy_warnings_with_production_settings():
    env = production_env(
        SECRET_KEY="k7#Qz!9vT2@pL5$wR8^nB3&cX6*mF1(hJ4)dG0_sA-yE+uK=iO;eW~tY" * 2,
        ALLOWED_HOSTS="icp.example.com",
        CSRF_TRUSTED_ORIGINS="https://icp.example.com",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = production_env()

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
