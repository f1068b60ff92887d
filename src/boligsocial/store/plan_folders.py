"""Reading a plan folder (or a ZIP file of one) for import: everything is checked before anything
is stored, so an import is all or nothing. No database here; `PlanService` stores the result."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from boligsocial.plan.folder import PlanError, load_plan, noegletal_path, plan_file
from boligsocial.plan.keyfigures import ImportIssue, KeyFigureError, read_key_figures
from boligsocial.plan.model import Helhedsplan
from boligsocial.store.errors import ImportRefused
from boligsocial.store.importing import MatchedUnit, match_units

__all__ = ["PROSE_NAME", "TEXT_FOLDER", "FolderContent", "read_plan_folder", "unpack_plan_archive"]

TEXT_FOLDER: Final = "tekst"
PROSE_NAME: Final = re.compile(r"[^\W_][\w\-]*(?:\.[\w\-]+)*\.md", re.UNICODE)
"""A prose file's name: letters, digits, '-', '_', ending in .md (no folders)."""
MAX_ARCHIVE_BYTES: Final = 50 * 1024 * 1024
MAX_ARCHIVE_FILES: Final = 1000


@dataclass(frozen=True)
class FolderContent:
    """A plan folder, read and checked: the plan, its key-figure rows matched to its afdelinger,
    and its prose files by name."""

    plan: Helhedsplan
    matched: list[MatchedUnit]
    texts: dict[str, str]


def _issues_from_plan_error(error: PlanError) -> list[ImportIssue]:
    return [
        ImportIssue(error.path.name, problem.line, problem.location or None, problem.message)
        for problem in error.problems
    ]


def read_plan_folder(folder: Path) -> FolderContent:
    """Read `helhedsplan.toml`, the key-figure file it names and `tekst/*.md`. Raises
    ImportRefused with every problem (by file, row and column)."""
    try:
        plan = load_plan(folder)
    except PlanError as error:
        raise ImportRefused(_issues_from_plan_error(error), f"Planen i {folder.name} er ikke importeret:") from None
    issues: list[ImportIssue] = []
    matched = _read_matched_figures(plan, folder, issues)
    texts = _read_texts(folder, issues)
    if issues:
        raise ImportRefused(issues, f"Planen i {folder.name} er ikke importeret ({len(issues)} fejl):")
    return FolderContent(plan, matched, texts)


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
    or one level down). Refuses (ImportRefused, naming the file `name`) what is not a ZIP file,
    too large, has unsafe member names or holds no plan folder."""

    def refuse(message: str) -> ImportRefused:
        return ImportRefused([ImportIssue(name, None, None, message)], "Planen er ikke importeret:")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise refuse("filen er ikke en gyldig ZIP-fil") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ARCHIVE_FILES or sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
            raise refuse("ZIP-filen er for stor til at være en plan-mappe")
        for member in members:
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0]:
                raise refuse(f'ZIP-filen indeholder et ugyldigt filnavn: "{member.filename}"')
            if parts[0] == "__MACOSX":
                continue
            target = root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    if (root / "helhedsplan.toml").is_file():
        return root
    candidates = [p for p in root.iterdir() if (p / "helhedsplan.toml").is_file()]
    if len(candidates) != 1:
        raise refuse("ZIP-filen indeholder ingen plan-mappe med helhedsplan.toml")
    return candidates[0]
