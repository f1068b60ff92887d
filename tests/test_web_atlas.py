"""The atlas pages: the empty state, the table of paths with its filters, an area's page with the
criteria over time, and each as JSON and CSV; any signed-in user reads them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligsocial.register.atlas import Atlas, atlas_from_persons
from boligsocial.register.synth import SynthSpec, synth
from boligsocial.store import SYSTEM_ACTOR, AtlasService
from web_helpers import add_user, client_for, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    folder = tmp_path_factory.mktemp("atlas_web_country")
    synth(SynthSpec(persons=20_000, years=10, seed=5, last_year=2024), folder)
    return atlas_from_persons([folder], 2020, 2025)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, atlas: Atlas) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('atlas_web') / 'boligsocial.db'}"
    with client_for(url) as c:
        AtlasService(c.app.state.boligsocial.sessions, SYSTEM_ACTOR).replace_atlas(atlas)  # type: ignore[attr-defined]
        yield c


def _area(atlas: Atlas, listed: bool = True) -> str:
    return next(e.name for e in atlas.of_kind("omraade") if (e.principal not in ("ingen", "ubestemt")) == listed)


def test_empty_atlas_says_how_to_load_one(tmp_path: Path) -> None:
    with client_for(f"sqlite:///{tmp_path / 'tom.db'}") as c:
        page = c.get("/atlas")
        assert page.status_code == 200
        assert "Der er ikke indlæst noget atlas" in page.text and "boligsocial atlas" in page.text
        assert c.get("/atlas.json").json()["omraader"] == []
        assert c.get("/atlas/omraade/Vollsmose").status_code == 404


def test_the_table_has_a_column_per_year_and_a_labelled_cell_per_area(client: TestClient, atlas: Atlas) -> None:
    page = client.get("/atlas")
    assert page.status_code == 200
    for year in range(2020, 2026):
        assert f'<th scope="col">{year}</th>' in page.text
    listed = _area(atlas)
    entry = next(e for e in atlas.of_kind("omraade") if e.name == listed and e.list_year == 2025)
    assert f'data-omraade="{listed}"' in page.text
    assert f'data-aar="2025" data-liste="{entry.principal}"' in page.text
    assert 'href="/atlas"' in page.text  # the navigation links the atlas


def test_json_and_csv_of_the_table(client: TestClient, atlas: Atlas) -> None:
    data = client.get("/atlas.json").json()
    areas = {e.name for e in atlas.of_kind("omraade")}
    assert {a["navn"] for a in data["omraader"]} == areas
    assert data["listeaar"] == list(range(2020, 2026))
    first = data["omraader"][0]
    assert set(first["aar"]["2025"]) == {"liste", "lister"}
    csv = client.get("/atlas.csv").text.lstrip("\ufeff").splitlines()
    assert csv[0].startswith("omraade;kommune;region;listeaar;udsat_boligomraade")
    assert len(csv) == 1 + len(areas) * 6


def test_filters(client: TestClient, atlas: Atlas) -> None:
    listed = _area(atlas)
    kommune = next(e.kommune for e in atlas.of_kind("omraade") if e.name == listed)
    by_kommune = client.get("/atlas.json", params={"kommune": kommune}).json()["omraader"]
    assert listed in {a["navn"] for a in by_kommune}
    assert all(kommune in (a["kommune"] or "") for a in by_kommune)
    region = next(e.region for e in atlas.of_kind("omraade") if e.name == listed)
    by_region = client.get("/atlas.json", params={"region": region}).json()["omraader"]
    assert by_region and all(a["region"] == region for a in by_region)
    ever_parallel = {e.name for e in atlas.of_kind("omraade") if e.lists.get("parallelsamfund") is True}
    by_list = client.get("/atlas.json", params={"liste": "parallelsamfund"}).json()["omraader"]
    assert {a["navn"] for a in by_list} == ever_parallel and ever_parallel
    page = client.get("/atlas", params={"liste": "parallelsamfund"})
    assert f"Viser {len(ever_parallel)} af" in page.text
    bad = client.get("/atlas", params={"liste": "ghetto"})
    assert bad.status_code == 400 and "Ukendt liste" in bad.text


def test_area_page_has_charts_and_the_values_with_thresholds(client: TestClient, atlas: Atlas) -> None:
    name = _area(atlas)
    page = client.get(f"/atlas/omraade/{name}")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 5  # the five criteria over time
    assert 'id="vaerdier-ikke_vestlige"' in page.text
    assert "Parallelsamfund: &gt; 50" in page.text or "Parallelsamfund: > 50" in page.text
    data = client.get(f"/atlas/omraade/{name}.json").json()
    assert [y["list_year"] for y in data["aar"]] == list(range(2020, 2026))
    assert len(data["aar"][-1]["criteria"]) == 5
    csv = client.get(f"/atlas/omraade/{name}.csv").text.lstrip("\ufeff").splitlines()
    assert len(csv) == 7 and csv[0].startswith("listeaar;beboere;")
    missing = client.get("/atlas/omraade/Findes ikke")
    assert missing.status_code == 404 and "intet boligområde" in missing.text


def test_a_reader_of_one_plan_reads_the_atlas(client: TestClient, atlas: Atlas) -> None:
    add_user(client, "laeser-atlas@example.dk", "laeser", 1)
    reader = sign_in(TestClient(client.app, follow_redirects=False), "laeser-atlas@example.dk")
    assert reader.get("/atlas").status_code == 200
    assert reader.get(f"/atlas/omraade/{_area(atlas)}.json").status_code == 200
    anonymous = TestClient(client.app, follow_redirects=False)
    assert anonymous.get("/atlas").status_code == 303


def test_area_page_forecasts_next_years_lists_from_the_path(client: TestClient, atlas: Atlas) -> None:
    from boligsocial.web.forecast_view import forecast_block

    name = _area(atlas)
    page = client.get(f"/atlas/omraade/{name}")
    assert 'id="prognose"' in page.text and "Prognose for listeår 2026" in page.text
    forecast = client.get(f"/atlas/omraade/{name}.json").json()["prognose"]
    assert forecast["listeaar"] == 2026 and forecast["problem"] is None
    assert forecast["listeaar_brugt"] == list(range(2020, 2026))
    # The same forecast as the law's, from the area's figures over the six years.
    history = [e for e in atlas.of_kind("omraade") if e.name == name]
    figures = [e.figures() for e in history]
    expected = forecast_block(figures, 2025, figures[-1].key)
    assert expected.rows
    for row in expected.rows:
        got = forecast["lister"][row.reported_as]
        assert got["sandsynlighed_paa_listen"] == row.forecast.p_on
    assert all(0 <= v["sandsynlighed_paa_listen"] <= 1 for v in forecast["lister"].values())
