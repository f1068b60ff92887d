"""The plan's prose in the browser: the list of sections, the editor's live preview (rendered as the
package renders it, safely) with the lint's findings for the section, saving with optimistic
locking, new sections, roles, and the application package following a saved text at once."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import html
import io
import re
import zipfile

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader

from web_helpers import add_user, client, get_json, services_of, shared_client, sign_in, text_of  # noqa: F401

INTRO = "/plan/1/tekster/00-indledning.md"
HX = {"HX-Request": "true"}


def editor_form(client: TestClient, url: str = INTRO) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, text_of(page.text)[:300]
    version = re.search(r'name="version" value="(\d+)"', page.text)
    text = re.search(r'<textarea id="tekst" name="tekst"[^>]*>\n(.*?)</textarea>', page.text, re.S)
    assert version is not None and text is not None
    return {"version": version.group(1), "tekst": html.unescape(text.group(1))}


def stored_text(client: TestClient, name: str) -> str:
    return next(r.text for r in services_of(client).prose.prose(1) if r.name == name)


def test_the_list_shows_every_section_with_its_title(shared_client: TestClient) -> None:
    data = get_json(shared_client, "/plan/1/tekster.json")
    names = [row["navn"] for row in data["tekster"]]
    assert names == sorted(names) and "00-indledning.md" in names and len(names) == 7
    intro = next(row for row in data["tekster"] if row["navn"] == "00-indledning.md")
    assert intro["titel"] == "Indledning"
    assert intro["tegn"] == len(stored_text(shared_client, "00-indledning.md"))
    assert intro["sidst_aendret"] is not None and intro["fund"] == 0
    page = shared_client.get("/plan/1/tekster")
    assert 'href="/plan/1/tekster/00-indledning.md"' in page.text
    assert 'aria-current="page">Tekster</a>' in page.text  # the nav link
    csv = shared_client.get("/plan/1/tekster.csv").text
    assert csv.lstrip("\ufeff").startswith("navn;titel;tegn;ord;sidst_aendret;aendret_af;bemaerkninger")


def test_the_preview_renders_the_text_being_edited_with_the_plans_figures(shared_client: TestClient) -> None:
    text = "# Ny overskrift\n\nMit Kvarter har {{ antal_afdelinger }} afdelinger og **fed** skrift.\n\n- et punkt\n"
    response = shared_client.post(f"{INTRO}/forhaandsvisning", data={"tekst": text}, headers=HX)
    assert response.status_code == 200, text_of(response.text)[:300]
    assert "<html" not in response.text  # the fragment
    preview = response.text[response.text.index('id="forhaandsvisning"') :]
    assert "<h2>Ny overskrift</h2>" in preview
    assert "Mit Kvarter har 28 afdelinger og " in preview and "<strong>fed</strong>" in preview
    assert "<li" in preview and "et punkt" in preview
    assert "Ingen bemærkninger til dette afsnit." in response.text
    assert stored_text(shared_client, "00-indledning.md") != text  # nothing saved
    data = shared_client.post(f"{INTRO}/forhaandsvisning.json", data={"tekst": text}).json()
    assert "<strong>fed</strong>" in data["html"] and data["fund"] == []


def test_the_preview_shows_the_lint_findings_of_the_edited_section(shared_client: TestClient) -> None:
    text = "# Indledning\n\nPlanen omfatter {{ antal_afdelingr }} afdelinger.\n"
    response = shared_client.post(f"{INTRO}/forhaandsvisning", data={"tekst": text}, headers=HX)
    assert response.status_code == 200
    kontrol = text_of(response.text[response.text.index('id="kontrol"') : response.text.index("Forhåndsvisning")])
    assert "BS004" in kontrol and "linje 3" in kontrol and 'mente du "antal_afdelinger"' in kontrol
    # The placeholder cannot be filled in: the plain text is shown, the placeholder as written.
    assert "{{ antal_afdelingr }}" in text_of(response.text)
    # A count the data contradicts (BS101), in this section only.
    wrong = "# Indledning\n\nHelhedsplanen omfatter 5 afdelinger med i alt 5.980 lejeboliger.\n"
    data = shared_client.post(f"{INTRO}/forhaandsvisning.json", data={"tekst": wrong}).json()
    assert {f["code"] for f in data["fund"]} >= {"BS101"}
    assert all(f["file"] == "tekst/00-indledning.md" for f in data["fund"])


def test_script_in_the_text_is_escaped_in_the_preview(shared_client: TestClient) -> None:
    attacks = [
        "# Indledning\n\nTekst med <script>alert(1)</script> indeni og <img src=x onerror=alert(2)>.\n",
        # An unknown placeholder: the plain Markdown renderer, with HTML disabled.
        "# Indledning\n\n<script>alert(1)</script>\n\n{{ ukendt }} <b onclick=alert(3)>x</b>\n\n"
        "[klik](javascript:alert(4))\n",
    ]
    for text in attacks:
        response = shared_client.post(f"{INTRO}/forhaandsvisning", data={"tekst": text}, headers=HX)
        assert response.status_code == 200
        body = response.text.lower()
        assert "<script" not in body and "<img" not in body and "<b " not in body
        assert "javascript:" not in body.replace("[klik](javascript:alert(4))", "")
        assert "&lt;script&gt;" in body


def test_save_changes_the_page_the_list_and_the_package(client: TestClient) -> None:
    form = editor_form(client)
    sentence = "Denne sætning er skrevet i browseren til prøve."
    form["tekst"] = f"{sentence}\n\n{form['tekst']}".replace("\n", "\r\n")
    response = client.post(INTRO, data=form, headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == f"{INTRO}?gemt=1"
    page = client.get(response.headers["location"])
    assert "Teksten er gemt." in page.text and sentence in page.text
    assert sentence in stored_text(client, "00-indledning.md")
    assert "\r" not in stored_text(client, "00-indledning.md")  # the browser's line ends are not stored
    assert int(editor_form(client)["version"]) == int(form["version"]) + 1
    row = next(r for r in get_json(client, "/plan/1/tekster.json")["tekster"] if r["navn"] == "00-indledning.md")
    assert row["aendret_af"] == "testbruger@example.dk"
    # The application package, built from the browser, says it at once (Word and PDF).
    package = client.get("/plan/1/eksport/ansoegning.zip")
    assert package.status_code == 200, text_of(package.text)[:300]
    archive = zipfile.ZipFile(io.BytesIO(package.content))
    docx_name = next(n for n in archive.namelist() if n.endswith("projektbeskrivelse.docx"))
    pdf_name = next(n for n in archive.namelist() if n.endswith("projektbeskrivelse.pdf"))
    document = Document(io.BytesIO(archive.read(docx_name)))
    assert any(sentence in p.text for p in document.paragraphs)
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf_name))).pages)
    assert "skrevet i browseren til prøve" in " ".join(pdf_text.split())


def test_saved_findings_show_in_the_editor_and_the_list(client: TestClient) -> None:
    form = editor_form(client) | {"tekst": "# Indledning\n\nVi tæller {{ antal_afdelingr }} afdelinger.\n"}
    assert client.post(INTRO, data=form).status_code == 200
    page = client.get(INTRO)
    kontrol = text_of(page.text[page.text.index('id="kontrol"') :])
    assert "BS004" in kontrol and 'mente du "antal_afdelinger"' in kontrol
    rows = get_json(client, "/plan/1/tekster.json")["tekster"]
    assert next(r["fund"] for r in rows if r["navn"] == "00-indledning.md") == 1
    assert get_json(client, f"{INTRO}.json")["fund"][0]["code"] == "BS004"


def test_a_stale_version_is_a_conflict_that_keeps_the_users_text(client: TestClient) -> None:
    opened = editor_form(client)
    first = opened | {"tekst": "# Indledning\n\nFørste redaktørs tekst.\n"}
    assert client.post(INTRO, data=first).status_code == 200
    mine = opened | {"tekst": "# Indledning\n\nAnden redaktørs tekst, skrevet samtidig.\n"}
    response = client.post(INTRO, data=mine)
    assert response.status_code == 409
    shown = text_of(response.text)
    assert "er ændret af testbruger@example.dk" in shown and "Dine ændringer er ikke gemt" in shown
    assert "Anden redaktørs tekst, skrevet samtidig." in response.text.split('id="tekst"')[1].split("</textarea>")[0]
    assert "Første redaktørs tekst." in shown  # the stored text beside the conflict
    assert stored_text(client, "00-indledning.md") == first["tekst"]  # nothing changed
    # The page carries the stored version now: saving again replaces the text on purpose.
    version = re.search(r'name="version" value="(\d+)"', response.text)
    assert version is not None and version.group(1) == str(int(opened["version"]) + 1)


def test_a_new_section_is_created_and_a_bad_name_refused(client: TestClient) -> None:
    response = client.post("/plan/1/tekster", data={"navn": "40-evaluering"})
    assert response.status_code == 303 and response.headers["location"] == "/plan/1/tekster/40-evaluering.md"
    assert stored_text(client, "40-evaluering.md").startswith("# Evaluering\n")
    assert client.get("/plan/1/tekster/40-evaluering.md").status_code == 200
    again = client.post("/plan/1/tekster", data={"navn": "40-evaluering.md"})
    assert again.status_code == 409 and "findes allerede" in text_of(again.text)
    bad = client.post("/plan/1/tekster", data={"navn": "../hemmelig"})
    assert bad.status_code == 422 and "Filnavnet skal bestå af bogstaver" in text_of(bad.text)
    assert sorted(r.name for r in services_of(client).prose.prose(1))[-1] == "40-evaluering.md"
    assert client.get("/plan/1/tekster/findes-ikke.md").status_code == 404


def test_a_reader_may_read_but_neither_save_nor_preview(client: TestClient) -> None:
    form = editor_form(client)
    add_user(client, "laeser@example.dk", "laeser", 1)
    sign_in(client, "laeser@example.dk")
    page = client.get(INTRO)
    assert page.status_code == 200 and "readonly" in page.text and "hx-post" not in page.text
    assert ">Gem</button>" not in page.text
    assert "Opret afsnit" not in client.get("/plan/1/tekster").text
    changed = form | {"tekst": "# Indledning\n\nLæseren prøver.\n"}
    assert client.post(INTRO, data=changed).status_code == 403
    assert client.post(f"{INTRO}/forhaandsvisning", data=changed, headers=HX).status_code == 403
    assert client.post("/plan/1/tekster", data={"navn": "ny.md"}).status_code == 403
    assert stored_text(client, "00-indledning.md") == form["tekst"]
