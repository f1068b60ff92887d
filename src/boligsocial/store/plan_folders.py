"""Reading a plan folder (or a ZIP file of one) for import: everything is checked before anything
is stored, so an import is all or nothing. No database here; `PlanService` stores the result."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from boligsocial.plan.folder import PlanError, load_plan, noegletal_path, plan_file
from boligsocial.plan.keyfigures import ImportIssue, KeyFigureError, read_key_figures
from boligsocial.plan.model import Helhedsplan
from boligsocial.plan.national_averages import AveragesFileError, EnteredAverage, read_folder_averages
from boligsocial.store.errors import ImportRefused
from boligsocial.store.importing import MatchedUnit, match_units

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_ARCHIVE_FILES",
    "PROSE_NAME",
    "TEXT_FOLDER",
    "FolderContent",
    "read_plan_folder",
    "unpack_plan_archive",
]

TEXT_FOLDER: Final = "tekst"
PROSE_NAME: Final = re.compile(r"[^\W_][\w\-]*(?:\.[\w\-]+)*\.md", re.UNICODE)
"""A prose file's name: letters, digits, '-', '_', ending in .md (no folders)."""
MAX_ARCHIVE_BYTES: Final = 50 * 1024 * 1024
MAX_ARCHIVE_FILES: Final = 1000


@dataclass(frozen=True)
class FolderContent:
    """A plan folder, read and checked: the plan, its key-figure rows matched to its afdelinger,
    its prose files by name and the national conviction averages entered for it."""

    plan: Helhedsplan
    matched: list[MatchedUnit]
    texts: dict[str, str]
    averages: list[EnteredAverage]


def _issues_from_plan_error(error: PlanError) -> list[ImportIssue]:
    return [
        ImportIssue(error.path.name, problem.line, problem.location or None, problem.message)
        for problem in error.problems
    ]


def read_plan_folder(folder: Path) -> FolderContent:
    """Read `helhedsplan.toml`, the key-figure file it names, `tekst/*.md` and
    `landsgennemsnit.csv`. Raises ImportRefused with every problem (by file, row and column)."""
    try:
        plan = load_plan(folder)
    except PlanError as error:
        raise ImportRefused(_issues_from_plan_error(error), f"Planen i {folder.name} er ikke importeret:") from None
    issues: list[ImportIssue] = []
    matched = _read_matched_figures(plan, folder, issues)
    texts = _read_texts(folder, issues)
    averages = _read_averages(folder, issues)
    if issues:
        raise ImportRefused(issues, f"Planen i {folder.name} er ikke importeret ({len(issues)} fejl):")
    return FolderContent(plan, matched, texts, averages)


def _read_averages(folder: Path, issues: list[ImportIssue]) -> list[EnteredAverage]:
    try:
        return read_folder_averages(folder)
    except AveragesFileError as error:
        issues.extend(error.issues)
        return []


def _read_matched_figures(plan: Helhedsplan, folder: Path, issues: list[ImportIssue]) -> list[MatchedUnit]:
    path = noegletal_path(plan, folder)
    if path is None:
        return []
    if not path.is_file():
        issues.append(
            ImportIssue(
                plan.noegletal or path.name,
                None,
                None,
                "filen findes ikke i plan-mappen; planen angiver den i feltet 'noegletal'",
            )
        )
        return []
    try:
        units = read_key_figures(path)
    except KeyFigureError as error:
        issues.extend(error.issues)
        return []
    matched, match_issues = match_units(plan, units, path.name)
    issues.extend(match_issues)
    return matched


def _read_texts(folder: Path, issues: list[ImportIssue]) -> dict[str, str]:
    texts: dict[str, str] = {}
    text_folder = plan_file(folder).parent / TEXT_FOLDER
    if not text_folder.is_dir():
        return texts
    for text_path in sorted(text_folder.glob("*.md")):
        shown = f"{TEXT_FOLDER}/{text_path.name}"
        if not PROSE_NAME.fullmatch(text_path.name):
            issues.append(ImportIssue(shown, None, None, "filnavnet er ikke gyldigt for en tekstfil"))
            continue
        try:
            texts[text_path.name] = text_path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            issues.append(ImportIssue(shown, None, None, "filen er ikke gemt som UTF-8"))
        except OSError as error:
            issues.append(ImportIssue(shown, None, None, f"filen kan ikke læses ({error.strerror or error})"))
    return texts


def unpack_plan_archive(data: bytes, name: str, root: Path) -> Path:
    """Unpack a ZIP file holding a plan folder into `root` and return the plan folder (at the top
    or one level down). Refuses (ImportRefused, naming the file `name`, in Danish) an empty file,
    what is not a ZIP file, an encrypted or damaged one, more than MAX_ARCHIVE_FILES files, more
    than MAX_ARCHIVE_BYTES unpacked (by the sizes the ZIP file declares, checked before anything
    is unpacked, and by the bytes actually inflated, counted as they are read, so a ZIP bomb that
    lies about its sizes is stopped at the limit), absolute paths, `..`, symbolic links, and a ZIP
    file without a plan folder."""

    def refuse(message: str) -> ImportRefused:
        return ImportRefused([ImportIssue(name, None, None, message)], "Planen er ikke importeret:")

    if not data:
        raise refuse("filen er tom")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise refuse("filen er ikke en gyldig ZIP-fil") from None
    with archive:
        members = _checked_members(archive.infolist(), refuse)
        _extract(archive, members, root, refuse)
    if (root / "helhedsplan.toml").is_file():
        return root
    candidates = [p for p in root.iterdir() if (p / "helhedsplan.toml").is_file()]
    if len(candidates) != 1:
        raise refuse("ZIP-filen indeholder ingen plan-mappe med helhedsplan.toml")
    return candidates[0]


_SYMLINK_MODE: Final = 0o120000
_FILE_TYPE_MASK: Final = 0o170000
_CHUNK: Final = 1024 * 1024
_MB: Final = 1024 * 1024


def _checked_members(
    infos: list[zipfile.ZipInfo], refuse: Callable[[str], ImportRefused]
) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """The members to unpack with their path parts, after every check that needs no inflating."""
    members = [m for m in infos if not m.is_dir()]
    if len(infos) > 2 * MAX_ARCHIVE_FILES or len(members) > MAX_ARCHIVE_FILES:
        raise refuse(f"ZIP-filen indeholder {len(members)} filer; en plan-mappe må højst have {MAX_ARCHIVE_FILES}")
    declared = sum(m.file_size for m in members)
    if declared > MAX_ARCHIVE_BYTES:
        raise refuse(
            f"ZIP-filen fylder {declared // _MB} MB pakket ud; en plan-mappe må højst fylde "
            f"{MAX_ARCHIVE_BYTES // _MB} MB pakket ud"
        )
    checked: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
    seen: set[tuple[str, ...]] = set()
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0] or "\x00" in member.filename:
            raise refuse(
                f'ZIP-filen indeholder et ugyldigt filnavn: "{member.filename}" '
                '(absolutte stier og ".." er ikke tilladt)'
            )
        if (member.external_attr >> 16) & _FILE_TYPE_MASK == _SYMLINK_MODE:
            raise refuse(
                f'ZIP-filen indeholder en symbolsk henvisning (symlink), som ikke er tilladt: "{member.filename}"'
            )
        if member.flag_bits & 0x1:
            raise refuse(
                f'filen "{member.filename}" i ZIP-filen er beskyttet med adgangskode; pak planen uden adgangskode'
            )
        if parts[0] == "__MACOSX":
            continue
        if parts in seen:
            raise refuse(f'ZIP-filen indeholder filen "{member.filename}" to gange')
        seen.add(parts)
        checked.append((member, parts))
    return checked


def _extract(
    archive: zipfile.ZipFile,
    members: list[tuple[zipfile.ZipInfo, tuple[str, ...]]],
    root: Path,
    refuse: Callable[[str], ImportRefused],
) -> None:
    """Write the members under `root`, counting the bytes inflated: never more than each member
    declares, nor more than MAX_ARCHIVE_BYTES in all."""
    total = 0
    for member, parts in members:
        target = root.joinpath(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as sink:
                written = 0
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if written > member.file_size or total > MAX_ARCHIVE_BYTES:
                        raise refuse(
                            f"ZIP-filen fylder mere end {MAX_ARCHIVE_BYTES // _MB} MB pakket ud "
                            "(mere end den selv oplyser); den er afvist"
                        )
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError):
            raise refuse(f'ZIP-filen er beskadiget; filen "{member.filename}" kan ikke pakkes ud') from None
        except OSError as error:
            raise refuse(
                f'filen "{member.filename}" i ZIP-filen kan ikke pakkes ud ({error.strerror or error})'
            ) from None
