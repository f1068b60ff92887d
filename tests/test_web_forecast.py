"""The forecast block on the department and area pages (issue 12, point 5)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from web_helpers import EXAMPLE, client_for, department_id, get_json, services_of, text_of


def _two_years(folder: Path) -> Path:
    """The example with a second list year: 2021 with the 2022 rows, Folehaven's non-western share
    a little higher (so that it has a trend)."""
    shutil.copytree(EXAMPLE, folder)
    path = folder / "noegletal.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    earlier = []
    for row in rows:
        if row.startswith("3B;Folehaven;"):
            row = row.replace(";47,5;", ";49,5;")
        earlier.append(row[: row.rindex(";")] + ";2021")
    path.write_text("\n".join([header, *earlier, *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int]]:
    base = tmp_path_factory.mktemp("prognose")
    with client_for(f"sqlite:///{base / 'boligsocial.db'}") as client:
        plan_id = services_of(client).plans.import_plan_folder(_two_years(base / "plan"))
        yield client, plan_id


def test_department_page_shows_the_forecast(two_years: tuple[TestClient, int]) -> None:
    client, plan_id = two_years
    afd = department_id(client, "Folehaven", plan_id)
    page = text_of(client.get(f"/plan/{plan_id}/afdelinger/{afd}").text)
    assert "Prognose for listeår 2023" in page
    assert "Sandsynlighed for at komme på / forlade listen" in page
    assert "listeårene 2021, 2022" in page
    data = get_json(client, f"/plan/{plan_id}/afdelinger/{afd}.json")["prognose"]
    assert data["listeaar"] == 2023 and data["fra_listeaar"] == 2022
    forebyg = data["lister"]["forebyggelsesomraade"]
    # Folehaven (1.964 residents) is on forebyggelse today; non-western 49,5 -> 47,5 points to 45,5
    assert forebyg["i_dag"] is True
    assert 0.5 < forebyg["sandsynlighed_paa_listen"] <= 1.0
    assert f"{round(forebyg['sandsynlighed_for_skift'] * 100)} % for at forlade listen" in page


def test_area_page_shows_the_forecast(two_years: tuple[TestClient, int]) -> None:
    client, plan_id = two_years
    page = text_of(client.get(f"/plan/{plan_id}/omraader/Sjælør Boulevard").text)
    assert "Prognose for listeår 2023" in page
    data = get_json(client, f"/plan/{plan_id}/omraader/Sjælør Boulevard.json")["prognose"]
    assert data["problem"] is None
    assert set(data["lister"]) == {
        "udsat_boligomraade",
        "parallelsamfund",
        "omdannelsesomraade",
        "forebyggelsesomraade",
    }


def test_one_list_year_says_a_forecast_needs_two(tmp_path: Path) -> None:
    with client_for(f"sqlite:///{tmp_path / 'boligsocial.db'}") as client:
        plan_id = services_of(client).plans.import_plan_folder(EXAMPLE)
        afd = department_id(client, "Folehaven", plan_id)
        page = text_of(client.get(f"/plan/{plan_id}/afdelinger/{afd}").text)
        assert "En prognose for listeår 2023 kræver nøgletal for mindst 2 listeår" in page
        data = get_json(client, f"/plan/{plan_id}/afdelinger/{afd}.json")["prognose"]
        assert data["problem"].startswith("En prognose") and data["lister"] == {}
