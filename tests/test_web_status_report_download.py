"""The yearly status report from the indicators page (issue 13, point 2): a valid DOCX and PDF for
the chosen year, built once per plan data version, and refused to a user without a role on the
plan (before anything is built)."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from web_helpers import PASSWORD, add_user, client_for, services_of, sign_in, text_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

URL = "/plan/1/eksport/statusrapport-{year}.{kind}"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app on SQLite for the module: the report is read-only work over the stored plan."""
    url = f"sqlite:///{tmp_path_factory.mktemp('statusrapport') / 'boligsocial.db'}"
    with client_for(url, "admin@example.dk", "administrator") as client:
        yield client


def as_user(admin: TestClient, email: str, role: str, plan_id: int) -> TestClient:
    add_user(admin, email, role, plan_id)
    return sign_in(TestClient(admin.app, follow_redirects=False), email, PASSWORD)


def cached_keys(client: TestClient) -> int:
    return len(client.app.state.boligsocial.status_reports._items)  # type: ignore[attr-defined]


def test_the_indicators_page_links_the_report_of_the_chosen_year(admin: TestClient) -> None:
    page = admin.get("/plan/1/indikatorer?aar=2026")
    assert page.status_code == 200
    assert 'href="/plan/1/eksport/statusrapport-2026.docx"' in page.text
    assert 'href="/plan/1/eksport/statusrapport-2026.pdf"' in page.text
    assert "Statusrapporten for 2026" in text_of(page.text)
    links = admin.get("/plan/1/indikatorer.json?aar=2026").json()["statusrapport"]
    assert links == {"docx": URL.format(year=2026, kind="docx"), "pdf": URL.format(year=2026, kind="pdf")}


def test_the_docx_is_a_word_document_for_the_chosen_year(admin: TestClient) -> None:
    response = admin.get(URL.format(year=2025, kind="docx"))
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert 'filename="mit-kvarter-statusrapport-2025.docx"' in response.headers["content-disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Statusrapport 2025" in text
    assert "Statusrapport 2026" not in text
    again = admin.get(URL.format(year=2025, kind="docx"))
    assert again.content == response.content  # the cached file, built once for this data version


def test_the_pdf_is_a_pdf_for_the_chosen_year(admin: TestClient) -> None:
    response = admin.get(URL.format(year=2025, kind="pdf"))
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    assert "Statusrapport 2025" in reader.pages[0].extract_text()


def test_a_reader_may_download_it(admin: TestClient) -> None:
    reader = as_user(admin, "laeser@example.dk", "laeser", 1)
    response = reader.get(URL.format(year=2025, kind="docx"))  # built already: from the cache
    assert response.status_code == 200
    assert response.content == admin.get(URL.format(year=2025, kind="docx")).content


def test_a_user_without_a_role_on_the_plan_is_refused_before_anything_is_built(admin: TestClient) -> None:
    other = services_of(admin).plans.import_plan_folder(
        Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
    )
    stranger = as_user(admin, "fremmed@example.dk", "administrator", other)
    before = cached_keys(admin)
    for kind in ("docx", "pdf"):
        response = stranger.get(URL.format(year=2027, kind=kind), headers=JSON)
        assert response.status_code == 403
        assert response.json()["fejl"] == "Du har ikke adgang til denne plan."
    assert cached_keys(admin) == before
    anonymous = TestClient(admin.app, follow_redirects=False).get(URL.format(year=2027, kind="pdf"))
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/logind")


def test_a_year_outside_the_plan_period_and_an_unknown_format_are_refused_in_danish(admin: TestClient) -> None:
    outside = admin.get(URL.format(year=2024, kind="pdf"), headers=JSON)
    assert outside.status_code == 400
    assert outside.json()["fejl"] == 'Statusrapporten kan laves for et år i planens periode (2025-2028), ikke "2024".'
    unknown = admin.get(URL.format(year=2025, kind="odt"), headers=JSON)
    assert unknown.status_code == 404
    assert "docx" in unknown.json()["fejl"]
