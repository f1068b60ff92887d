"""A plan folder as the browser sends it: one ZIP file, or the files of a folder picked with
`<input type="file" webkitdirectory>` (each file named by its path in the folder). Either way the
result is one ZIP file in memory, so the store checks both the same way (`unpack_plan_archive`:
paths, sizes, number of files). Every file is read in chunks and reading stops at the limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath
from typing import Final

from fastapi import HTTPException
from starlette.datastructures import FormData, UploadFile

from boligsocial.plan.keyfigures import ImportIssue
from boligsocial.store import ImportRefused
from boligsocial.store.plan_folders import MAX_ARCHIVE_FILES
from boligsocial.web.limits import MAX_PLAN_UPLOAD, too_large

CHUNK: Final = 256 * 1024
ARCHIVE_FIELD: Final = "fil"
FOLDER_FIELD: Final = "mappe"
NO_FILE_TEXT: Final = "Vælg en ZIP-fil med plan-mappen eller en plan-mappe at indlæse."
BOTH_TEXT: Final = "Vælg enten en ZIP-fil eller en plan-mappe, ikke begge."


async def read_limited(upload: UploadFile, budget: int) -> bytes:
    """The upload's bytes, read in chunks; 413 as soon as they pass `budget`."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > budget:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _files(form: FormData, field: str) -> list[UploadFile]:
    return [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]


async def plan_archive(form: FormData) -> tuple[bytes, str]:
    """The uploaded plan folder as ZIP bytes and the name to show in messages. Raises
    HTTPException 400 (no file, or both kinds), 413 (over MAX_PLAN_UPLOAD) or ImportRefused
    (a folder of more than MAX_ARCHIVE_FILES files)."""
    archives = _files(form, ARCHIVE_FIELD)
    folder = _files(form, FOLDER_FIELD)
    if archives and folder:
        raise HTTPException(400, BOTH_TEXT)
    if archives:
        return await read_limited(archives[0], MAX_PLAN_UPLOAD), archives[0].filename or "plan.zip"
    if folder:
        return await _zip_folder(folder)
    raise HTTPException(400, NO_FILE_TEXT)


async def _zip_folder(files: list[UploadFile]) -> tuple[bytes, str]:
    """The folder's files packed into a ZIP file in memory, each under the path the browser sent
    (checked by the store like any ZIP file's names)."""
    top = PurePosixPath((files[0].filename or "").replace("\\", "/")).parts[:1]
    name = top[0] if top and top[0] not in ("/", "..") else "plan-mappe"
    if len(files) > MAX_ARCHIVE_FILES:
        message = f"mappen indeholder {len(files)} filer; en plan-mappe må højst have {MAX_ARCHIVE_FILES}"
        raise ImportRefused([ImportIssue(name, None, None, message)], "Planen er ikke importeret:")
    names = _inside_picked_folder([(upload.filename or "").replace("\\", "/") for upload in files])
    buffer = io.BytesIO()
    budget = MAX_PLAN_UPLOAD
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for upload, member in zip(files, names, strict=True):
            data = await read_limited(upload, budget)
            budget -= len(data)
            archive.writestr(zipfile.ZipInfo(member), data)
    return buffer.getvalue(), name


def _inside_picked_folder(names: list[str]) -> list[str]:
    """The paths without the picked folder's own name, which the browser puts first in every
    path: the plan folder picked itself, or a folder holding it, then both unpack as a ZIP file
    of it would (plan folder at the top, or one level down). Names that do not all share a plain
    first folder are kept as sent (and judged by the store's checks)."""
    firsts = {name.split("/", 1)[0] for name in names}
    if len(firsts) != 1 or not all("/" in name for name in names) or firsts & {"", ".", ".."}:
        return names
    return [name.split("/", 1)[1] for name in names]
