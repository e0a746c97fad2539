"""The Content-Security-Policy: on every answer, strict about scripts, and nothing in the templates needs more."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from teams.models import Role

ROOT = Path(__file__).resolve().parents[1]
# Emails are read in mail clients, not served under our CSP.
PAGE_TEMPLATES = sorted(
    path for path in (ROOT / "templates").rglob("*.html") if "email" not in path.relative_to(ROOT).parts
)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("name", ["login", "healthz"])
@pytest.mark.django_db
def test_it_sends_the_policy_to_anonymous_visitors(client, name):
    response = client.get(reverse(name))

    assert "Content-Security-Policy" in response


def test_it_sends_a_strict_policy_on_a_signed_in_page(client_as):
    response = client_as(Role.ADMIN).get(reverse("home"))

    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], "no 'unsafe-inline', no 'unsafe-eval', nothing from elsewhere"
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


def test_it_sends_the_policy_with_htmx_fragments_and_api_answers(client_as):
    client = client_as(Role.ADMIN)

    fragment = client.get(reverse("customers:results"), headers={"HX-Request": "true"})
    api = client.get("/api/customers/")

    assert "'unsafe-inline'" not in fragment["Content-Security-Policy"]
    assert "Content-Security-Policy" in api


# What a strict script-src (and style-src) refuses, as it would appear in a template.
FORBIDDEN = {
    "an inline <script> (one without src)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "an inline event handler (onclick=...)": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an hx-on attribute (evaluated by htmx)": re.compile(r"\b(?:data-)?hx-on", re.IGNORECASE),
    "hx-vars or a js: value (evaluated by htmx)": re.compile(
        r"\b(?:data-)?hx-vars|\bhx-vals=['\"]\s*js:", re.IGNORECASE
    ),
    "a style= attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "an inline <style> element": re.compile(r"<style\b", re.IGNORECASE),
}


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_no_template_needs_more_than_the_policy_allows(template):
    text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", template.read_text(), flags=re.DOTALL)

    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]

    assert found == [], f"{template.name} has {', '.join(found)}: move it to a file under static/"


def test_the_template_scan_finds_what_it_looks_for():
    samples = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
        "<div hx-vars='x:1'>",
        '<div style="width: 1rem">',
        "<style>p {}</style>",
    ]

    for sample, (what, pattern) in zip(samples, FORBIDDEN.items(), strict=True):
        assert pattern.search(sample), what
    assert not any(pattern.search('<script src="/static/a.js" defer></script>') for pattern in FORBIDDEN.values())
