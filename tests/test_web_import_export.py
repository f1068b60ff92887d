"""Key-figure import with a dry run (every problem by row and column, nothing stored until a clean
file is committed, all rows or none) and the exports (plan folder zip, key figures XLSX/CSV)."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from fastapi.testclient import TestClient

from boligsocial.web.routes.exports import package_builder
from web_helpers import client, department, get_json, text_of  # noqa: F401

HX = {"HX-Request": "true"}


def exported_csv(client: TestClient) -> str:
    response = client.get("/plan/1/eksport/noegletal.csv")
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def with_cell(text: str, afdeling: str, column: str, value: str) -> str:
    lines = text.splitlines()
    header = lines[0].split(";")
    index = header.index(column)
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(";")
        if cells[1] == afdeling:
            cells[index] = value
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def preview(client: TestClient, name: str, data: bytes) -> tuple[int, str]:
    response = client.post("/plan/1/import/forhaandsvisning", files={"fil": (name, data)}, headers=HX)
    return response.status_code, response.text


def test_preview_lists_every_error_by_row_and_column_and_stores_nothing(client: TestClient) -> None:
    before = department(client, "Folehaven")["noegletal"]
    text = with_cell(exported_csv(client), "Folehaven", "doemte_pct", "mange")
    text = with_cell(text, "Elleparken", "beboere", "-12")
    status, html = preview(client, "noegletal.csv", text.encode("utf-8"))
    assert status == 422
    assert "Filen kan ikke importeres: 2 fejl" in text_of(html)
    rows = re.findall(r'<tr class="issue" data-raekke="(\d*)" data-kolonne="([^"]*)"', html)
    lines = text.splitlines()
    folehaven_row = next(i + 1 for i, line in enumerate(lines) if ";Folehaven;" in line)
    elleparken_row = next(i + 1 for i, line in enumerate(lines) if ";Elleparken;" in line)
    assert (str(folehaven_row), "doemte_pct") in rows
    assert (str(elleparken_row), "beboere") in rows
    assert 'id="gem-import"' not in html  # no way to commit a file with errors
    assert department(client, "Folehaven")["noegletal"] == before


def test_preview_as_json(client: TestClient) -> None:
    text = with_cell(exported_csv(client), "Folehaven", "doemte_pct", "mange")
    response = client.post(
        "/plan/1/import/forhaandsvisning",
        files={"fil": ("noegletal.csv", text.encode())},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    data = response.json()["forhaandsvisning"]
    assert data["kan_gemmes"] is False
    assert [(f["kolonne"], f["fejl"]) for f in data["fejl"]] == [("doemte_pct", '"mange" er ikke et tal')]


def test_clean_import_is_previewed_then_committed(client: TestClient) -> None:
    text = with_cell(exported_csv(client), "Folehaven", "ikke_vestlige_pct", "29,0")
    status, html = preview(client, "noegletal.csv", text.encode("utf-8"))
    assert status == 200, text_of(html)[:400]
    assert "Filen er i orden: 1 af 28 rækker ændrer noget" in text_of(html)
    assert "ændret" in text_of(html)
    # Nothing stored yet.
    assert department(client, "Folehaven")["vurdering"]["lists"]["forebyggelsesomraade"] is True
    form = dict(re.findall(r'<input type="hidden" name="(filnavn|token|data)" value="([^"]*)"', html))
    assert set(form) == {"filnavn", "token", "data"}
    response = client.post("/plan/1/import/gem", data=form, headers=HX)
    assert response.status_code == 200, text_of(response.text)[:400]
    assert "Importeret: 1 afdelingers nøgletal er opdateret" in text_of(response.text)
    after = department(client, "Folehaven")
    assert after["noegletal"]["vaerdier"]["ikke_vestlige_pct"] in ("29", "29,0")
    assert after["vurdering"]["lists"]["forebyggelsesomraade"] is False


def test_commit_after_a_change_since_the_preview_is_refused(client: TestClient) -> None:
    text = with_cell(exported_csv(client), "Folehaven", "ikke_vestlige_pct", "29,0")
    _, html = preview(client, "noegletal.csv", text.encode("utf-8"))
    form = dict(re.findall(r'<input type="hidden" name="(filnavn|token|data)" value="([^"]*)"', html))
    # Someone edits Folehaven between the preview and the commit.
    page = client.get(f"/plan/1/afdelinger/{department(client, 'Folehaven')['id']}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    edit = client.post(
        f"/plan/1/afdelinger/{department(client, 'Folehaven')['id']}/noegletal",
        data={"version": version.group(1), "doemte_pct": "1,80"},
        headers=HX,
    )
    assert edit.status_code == 200
    response = client.post("/plan/1/import/gem", data=form, headers=HX)
    assert response.status_code == 409
    assert "Intet er gemt" in text_of(response.text)
    assert department(client, "Folehaven")["noegletal"]["vaerdier"]["ikke_vestlige_pct"] == "47,5"


def test_xlsx_import_preview_names_the_cell(client: TestClient) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/plan/1/eksport/noegletal.xlsx").content))
    sheet = workbook.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("beboere") + 1
    sheet.cell(row=3, column=column, value="mange")
    buffer = io.BytesIO()
    workbook.save(buffer)
    status, html = preview(client, "noegletal.xlsx", buffer.getvalue())
    assert status == 422
    assert re.search(r'data-raekke="3" data-kolonne="beboere"', html)


def test_upload_without_a_file_is_a_danish_400(client: TestClient) -> None:
    response = client.post("/plan/1/import/forhaandsvisning", data={}, headers=HX)
    assert response.status_code == 400
    assert "Vælg en nøgletalsfil" in text_of(response.text)


def test_plan_folder_zip_holds_the_plan_and_its_key_figures(client: TestClient) -> None:
    response = client.get("/plan/1/eksport/planmappe.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="mit-kvarter.zip"' in response.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(n.endswith("/helhedsplan.toml") or n == "helhedsplan.toml" for n in names)
    assert any(n.endswith("/noegletal.csv") or n == "noegletal.csv" for n in names)


def test_key_figure_exports(client: TestClient) -> None:
    xlsx = client.get("/plan/1/eksport/noegletal.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 29  # header + 28 afdelinger
    assert "Folehaven" in exported_csv(client)


def test_export_page_links_the_application_package_only_when_it_exists(client: TestClient) -> None:
    files = get_json(client, "/plan/1/eksport.json")["filer"]
    urls = [f["url"] for f in files]
    assert "/plan/1/eksport/planmappe.zip" in urls and "/plan/1/eksport/noegletal.xlsx" in urls
    assert ("/plan/1/eksport/ansoegning.zip" in urls) == (package_builder() is not None)
