"""docs/web.md names every route of the web app: the documentation fails the tests when it falls
behind the code."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from boligsocial.web.app import PROTECTED_ROUTERS
from boligsocial.web.routes import konto

DOCS = Path(__file__).resolve().parents[1] / "docs" / "web.md"


def documented_form(path: str) -> str:
    """`/plan/{plan_id}/afdelinger/{afdeling_id}` is written `/plan/{id}/afdelinger/{afdeling_id}`."""
    path = path.replace("{plan_id}", "{id}").replace("{navn:path}", "{navn}").replace("{indikator_id}", "{indikator}")
    return path


def test_every_route_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(?:(?:GET|POST) )?(/[^`\s?]*)`", text))
    missing = []
    for module in (konto, *PROTECTED_ROUTERS):
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            if documented_form(route.path) not in documented:
                missing.append(route.path)
    assert not missing, f"routes missing from docs/web.md: {missing}"


def test_documented_commands_exist() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert "create_app_from_env" in text and "bench/web.py" in text
    from boligsocial.web import app

    assert callable(app.create_app_from_env) and callable(app.serve) and callable(app.create_app)
