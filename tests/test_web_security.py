"""Security headers on every kind of response, and templates without inline script.

The Content-Security-Policy forbids inline script and eval, so the templates must carry none: no
`<script>` without `src`, no event-handler attributes (`onchange=` ...), no htmx trigger filters
(`hx-trigger="change[...]"`, which htmx evaluates as JavaScript). The browser tests run the
pages under the policy and fail on any console error, so a refused script would show there too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligsocial.web.security import CONTENT_SECURITY_POLICY
from web_helpers import client_for

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "boligsocial" / "web" / "templates"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return client_for(f"sqlite:///{tmp_path_factory.mktemp('sikkerhed') / 'boligsocial.db'}")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/plan/1", 200),
        ("GET", "/plan/1.json", 200),
        ("GET", "/plan/1/afdelinger.csv", 200),
        ("GET", "/plan/1/indikatorer", 200),
        ("GET", "/static/style.css", 200),
        ("GET", "/static/app.js", 200),
        ("GET", "/findes-ikke", 404),
        ("GET", "/plan/999", 404),
        ("POST", "/plan/1/afdelinger/1/noegletal", 400),  # a form without its version
    ],
)
def test_every_kind_of_response_has_the_security_headers(
    client: TestClient, method: str, url: str, status: int
) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_policy_allows_no_inline_script_and_no_framing() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in directives["script-src"] and "unsafe" not in directives["default-src"]
    assert directives["frame-ancestors"] == "'none'"


_TRIGGER_FILTER = re.compile(r'hx-trigger="[^"]*\[', re.IGNORECASE)  # htmx evaluates a filter: refused by the policy
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_the_templates_carry_no_inline_script() -> None:
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.name}: {m.group(0).strip()}" for m in _INLINE_SCRIPT.finditer(text)]
        found += [f"{template.name}: {m.group(0).strip()}" for m in _HANDLER.finditer(text)]
        found += [f"{template.name}: {m.group(0).strip()}" for m in _TRIGGER_FILTER.finditer(text)]
    assert found == []


def test_the_check_finds_inline_script() -> None:
    assert _INLINE_SCRIPT.search("<script>alert(1)</script>") and not _INLINE_SCRIPT.search('<script src="/x.js">')
    assert _HANDLER.search('<select onchange="this.form.submit()">')
    assert _TRIGGER_FILTER.search("hx-trigger=\"change[target.id!='f-q'], submit\"")
