"""Several plans in one database, in the browser: the front page lists the plans the user holds
a role on; an administrator of every plan creates a plan from a plan-folder upload (ZIP file or
folder; a dry run first, then all or nothing) and archives it. Bad uploads are refused in Danish
and store nothing."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligsocial.store import ImportRefused
from boligsocial.store.plan_folders import MAX_ARCHIVE_BYTES, unpack_plan_archive
from boligsocial.web.limits import MAX_PLAN_UPLOAD, MAX_REQUEST_BODY
from web_helpers import (  # noqa: F401
    add_user,
    client,
    get_json,
    services_of,
    shared_client,
    sign_in,
    text_of,
)

HX = {"HX-Request": "true"}
MB = 1024 * 1024
BOMB = MAX_ARCHIVE_BYTES + 10 * MB  # inflated size of the ZIP bombs (about 60 kB packed)


def example_zip(client: TestClient) -> bytes:
    return services_of(client).exports.export_plan_archive(1)


def plan_count(client: TestClient) -> int:
    plans = services_of(client).plans
    return len(plans.list_plans()) + len(plans.list_plans(archived=True))


def imports_recorded(client: TestClient) -> int:
    return sum(1 for e in services_of(client).audit.audit_events(None) if e.action == "importer_plan")


def other_client(client: TestClient, email: str, role: str, plan_id: int | None) -> TestClient:
    """A second browser on the same app, signed in as a new user with `role`."""
    other = TestClient(client.app, follow_redirects=False)
    add_user(other, email, role, plan_id)
    return sign_in(other, email)


def upload(client: TestClient, data: bytes, *, name: str = "plan.zip", confirm: bool = False, htmx: bool = True):  # type: ignore[no-untyped-def]
    return client.post(
        "/planer/ny",
        files={"fil": (name, data, "application/zip")},
        data={"bekraeft": "1"} if confirm else {},
        headers=HX if htmx else {},
    )


def edited_zip(
    original: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """The ZIP file with each member passed through `change` (None drops it) and `extra` added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


@cache
def zeros_zip(size: int) -> bytes:
    """A small ZIP file that inflates to `size` bytes of zeros (declaring it honestly)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("mit-kvarter/nul.bin", "w") as f:
        for _ in range(size // MB):
            f.write(bytes(MB))
    return buffer.getvalue()


def lying_zip(size: int, declared: int) -> bytes:
    """A ZIP bomb that declares `declared` bytes in its headers but inflates to `size`."""
    data = bytearray(zeros_zip(size))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def symlink_zip(original: bytes) -> bytes:
    buffer = io.BytesIO(edited_zip(original, lambda _n, d: d))
    with zipfile.ZipFile(buffer, "a") as archive:
        link = zipfile.ZipInfo("mit-kvarter/tekst/link.md")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# The list of plans


def test_the_list_shows_only_the_plans_the_user_has_a_role_on(client: TestClient) -> None:
    services_of(client).plans.import_plan_archive(example_zip(client), "anden.zip")
    admin = get_json(client, "/.json")
    assert [p["id"] for p in admin["planer"]] == [1, 2]
    assert {p["rolle"] for p in admin["planer"]} == {"administrator"}
    assert client.get("/").status_code == 200  # an administrator of every plan always sees the list

    editor = other_client(client, "redaktoer1@example.dk", "redaktoer", 1)
    listed = get_json(editor, "/.json")
    assert [(p["id"], p["rolle"]) for p in listed["planer"]] == [(1, "redaktoer")]
    assert listed["arkiverede"] == []
    front = editor.get("/")
    assert front.status_code == 303 and front.headers["location"] == "/plan/1"  # their only plan
    refused = editor.get("/plan/2")
    assert refused.status_code == 403
    assert "adgang" in text_of(refused.text)
    assert 'href="/brugere"' not in editor.get("/plan/1").text  # no user administration for them


def test_the_front_page_shows_role_kommune_period_and_last_change(shared_client: TestClient) -> None:
    page = text_of(shared_client.get("/").text)
    for words in ["Mit Kvarter", "Din rolle", "administrator", "Københavns Kommune", "2025–2028", "28", "2022"]:
        assert words in page
    assert "Opret en ny plan" in page and "Brugere og roller" in page
    (plan,) = get_json(shared_client, "/.json")["planer"]
    assert plan["senest_aendret"] and plan["url"] == "/plan/1"
    assert 'href="/brugere"' in shared_client.get("/plan/1").text  # the header link, for administrators


# --------------------------------------------------------------------------------------------------
# A new plan from a ZIP file or a folder


def test_a_zip_upload_is_a_dry_run_and_confirm_creates_the_plan(client: TestClient) -> None:
    data = example_zip(client)
    imports = imports_recorded(client)  # the example plan, loaded at start
    assert client.get("/planer/ny").status_code == 200
    preview = upload(client, data)
    assert preview.status_code == 200, preview.text[:500]
    shown = text_of(preview.text)
    for words in [
        "Intet er gemt endnu",
        "Mit Kvarter",
        "Københavns Kommune",
        "Afdelinger 28",
        "Listeår med nøgletal 2022",
    ]:
        assert words in shown
    assert "Der findes allerede en plan med navnet" in shown
    assert 'name="bekraeft" value="1"' in preview.text
    assert plan_count(client) == 1 and imports_recorded(client) == imports

    created = upload(client, data, confirm=True, htmx=False)
    assert created.status_code == 303 and created.headers["location"] == "/plan/2"
    assert plan_count(client) == 2
    assert [p["id"] for p in get_json(client, "/.json")["planer"]] == [1, 2]
    assert get_json(client, "/plan/2.json")["noegletal"]["afdelinger"] == 28
    assert "Folehaven" in text_of(client.get("/plan/2/afdelinger").text)


def test_a_folder_upload_sends_each_file_with_its_path(client: TestClient, tmp_path: Path) -> None:
    picked = tmp_path / "valgt"
    with zipfile.ZipFile(io.BytesIO(example_zip(client))) as archive:
        archive.extractall(picked)
    files = [
        ("mappe", (path.relative_to(picked).as_posix(), path.read_bytes(), "application/octet-stream"))
        for path in sorted(picked.rglob("*"))
        if path.is_file()
    ]
    assert len(files) > 3 and all("/" in name for _, (name, _d, _t) in files)
    preview = client.post("/planer/ny", files=files, headers=HX)
    assert preview.status_code == 200 and "Intet er gemt endnu" in text_of(preview.text)
    parent = [("mappe", ("valgt/" + name, data, kind)) for _, (name, data, kind) in files]  # a folder holding it
    assert "Intet er gemt endnu" in text_of(client.post("/planer/ny", files=parent, headers=HX).text)
    assert plan_count(client) == 1
    created = client.post("/planer/ny", files=files, data={"bekraeft": "1"}, headers=HX)
    assert created.status_code == 200 and 'Planen "Mit Kvarter" er oprettet.' in text_of(created.text)
    assert plan_count(client) == 2 and imports_recorded(client) == 2
    bad = [("mappe", ("mit-kvarter/../ude.txt", b"x", "text/plain")), *files]
    refused = client.post("/planer/ny", files=bad, data={"bekraeft": "1"}, headers=HX)
    assert refused.status_code == 422 and "ugyldigt filnavn" in text_of(refused.text)
    assert plan_count(client) == 2


BAD_UPLOADS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "zip-bombe": (lambda _z: zeros_zip(BOMB), "må højst fylde 50 MB pakket ud"),
    "zip-bombe der lyver": (lambda _z: lying_zip(BOMB, 1000), "ZIP-filen er beskadiget"),
    "../-sti": (lambda z: edited_zip(z, lambda _n, d: d, {"mit-kvarter/../ude.txt": b"x"}), "ugyldigt filnavn"),
    "absolut sti": (lambda z: edited_zip(z, lambda _n, d: d, {"/etc/ude.txt": b"x"}), "ugyldigt filnavn"),
    "symlink": (symlink_zip, "symbolsk henvisning"),
    "ødelagt helhedsplan.toml": (
        lambda z: edited_zip(z, lambda n, d: b'navn = "Mit\n[[' if n.endswith("helhedsplan.toml") else d),
        "helhedsplan.toml",
    ),
    "ikke en ZIP-fil": (lambda _z: b"afdeling;boliger\nFolehaven;100\n", "ikke en gyldig ZIP-fil"),
    "tom fil": (lambda _z: b"", "filen er tom"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_in_danish_and_stores_nothing(shared_client: TestClient, case: str) -> None:
    make, words = BAD_UPLOADS[case]
    data = make(example_zip(shared_client))
    before, imports = plan_count(shared_client), imports_recorded(shared_client)
    for confirm in (False, True):
        response = upload(shared_client, data, confirm=confirm)
        assert response.status_code == 422, response.text[:300]
        shown = text_of(response.text)
        assert "Planen kan ikke oprettes" in shown and "Intet er gemt" in shown
        assert words in shown, shown
    assert plan_count(shared_client) == before and imports_recorded(shared_client) == imports


def test_a_zip_bomb_is_stopped_without_inflating_it(tmp_path: Path) -> None:
    """Declared sizes are checked before anything is inflated; a bomb that lies about them is
    stopped after the bytes it declared (the counted reads), not after all of them."""
    honest, lying = zeros_zip(BOMB), lying_zip(BOMB, 1000)
    for bomb, words in ((honest, "pakket ud"), (lying, "beskadiget")):
        tracemalloc.start()
        with pytest.raises(ImportRefused) as refused:
            unpack_plan_archive(bomb, "bombe.zip", tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert words in str(refused.value)
        assert peak < 8 * MB, peak
        assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 1000


def test_an_upload_over_the_limit_is_refused_with_413(shared_client: TestClient) -> None:
    before = plan_count(shared_client)
    over_route = os.urandom(MAX_PLAN_UPLOAD + 1)  # past the route's limit, inside the body limit
    over_body = os.urandom(MAX_REQUEST_BODY + 1)  # refused by its Content-Length, before it is read
    for data in (over_route, over_body):
        response = upload(shared_client, data)
        assert response.status_code == 413
        assert "Filen er for stor: en upload må højst fylde 20 MB. Intet er gemt." in text_of(response.text)
    plain = upload(shared_client, over_body, htmx=False)
    assert plain.status_code == 413 and "Filen er for stor" in text_of(plain.text)
    folder = [("mappe", (f"plan/{i}.bin", os.urandom(6 * MB), "application/octet-stream")) for i in range(4)]
    assert shared_client.post("/planer/ny", files=folder, headers=HX).status_code == 413
    assert plan_count(shared_client) == before


# --------------------------------------------------------------------------------------------------
# Archive


def folehaven(client: TestClient) -> tuple[int, dict[str, str]]:
    """Folehaven's id and a key-figure form that changes one figure (with the stored version)."""
    key_figures = services_of(client).key_figures
    afd_id = next(a.id for a in key_figures.afdelinger(1) if a.navn == "Folehaven")
    return afd_id, {"version": str(key_figures.get_afdeling_figures(1, afd_id).version), "doemte_pct": "3,10"}


def test_an_archived_plan_shows_a_banner_refuses_writes_and_can_be_taken_back(client: TestClient) -> None:
    afd_id, form = folehaven(client)
    version = get_json(client, "/plan/1.json")["plan"]["version"]
    assert "Arkivér planen" in client.get("/plan/1").text

    archived = client.post("/plan/1/arkiver", data={"version": version, "arkiver": "1"})
    assert archived.status_code == 303 and archived.headers["location"] == "/plan/1"
    page = text_of(client.get("/plan/1").text)
    assert "Planen er arkiveret" in page and "Tag planen tilbage fra arkivet" in page
    assert "Planen er arkiveret" in text_of(client.get("/plan/1/afdelinger").text)  # on every page of it
    listed = get_json(client, "/.json")
    assert listed["planer"] == [] and [p["id"] for p in listed["arkiverede"]] == [1]
    assert "Arkiverede planer" in text_of(client.get("/").text)

    refused = client.post(f"/plan/1/afdelinger/{afd_id}/noegletal", data=form)
    assert refused.status_code == 403 and "Planen er arkiveret" in text_of(refused.text)
    stale = client.post("/plan/1/arkiver", data={"version": version, "arkiver": "0"})
    assert stale.status_code == 409 and "er ændret" in text_of(stale.text)

    version = services_of(client).plans.plan_version(1)
    assert client.post("/plan/1/arkiver", data={"version": version, "arkiver": "0"}).status_code == 303
    assert "Planen er arkiveret" not in text_of(client.get("/plan/1").text)
    assert get_json(client, "/.json")["arkiverede"] == []
    key_figures = services_of(client).key_figures  # the same change is accepted again
    key_figures.update_key_figures(1, afd_id, {"doemte_pct": "3,10"}, int(form["version"]))
    assert key_figures.get_afdeling_figures(1, afd_id).values["doemte_pct"] == "3,10"


# --------------------------------------------------------------------------------------------------
# Who may


def test_only_an_administrator_of_every_plan_creates_and_only_a_plan_administrator_archives(
    shared_client: TestClient,
) -> None:
    data = example_zip(shared_client)
    before = plan_count(shared_client)
    version = services_of(shared_client).plans.plan_version(1)
    editor = other_client(shared_client, "redaktoer-planer@example.dk", "redaktoer", 1)
    plan_admin = other_client(shared_client, "planadmin-planer@example.dk", "administrator", 1)
    for user in (editor, plan_admin):
        assert user.get("/planer/ny").status_code == 403
        assert upload(user, data).status_code == 403
        assert upload(user, data, confirm=True).status_code == 403
    refused = editor.post("/plan/1/arkiver", data={"version": version, "arkiver": "1"})
    assert refused.status_code == 403 and "administrator" in text_of(refused.text)
    assert "Arkivér planen" not in editor.get("/plan/1").text
    assert "Arkivér planen" in plan_admin.get("/plan/1").text
    assert plan_count(shared_client) == before
    assert services_of(shared_client).plans.archived_at(1) is None
