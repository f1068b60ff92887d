"""The plan folder: a directory with `helhedsplan.toml` (the plan) and the key-figure file it
names (`noegletal`, e.g. `noegletal.csv`). The format is documented in `docs/plan-folder.md`.

`load_plan` reads and validates the plan; every problem becomes a `PlanError` with a Danish
message that names the file, the line where it can be found and the key path
(`afdelinger nr. 12 ("Stubmøllevej") › boligorganisation`). `save_plan` writes the plan atomically
(a temporary file in the same folder, then a rename), after checking that what it writes reads
back as the same plan; comments in a hand-edited file are not preserved.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Final

import tomli_w
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from boligsocial.danish import format_ungrouped_number
from boligsocial.files import write_atomically
from boligsocial.plan.model import PLAN_REFERENCE_ERROR, AfdelingRef, Helhedsplan, Loc, Plan

__all__ = [
    "FORMAT_VERSION",
    "PLAN_FILENAME",
    "PlanError",
    "PlanProblem",
    "load_plan",
    "noegletal_path",
    "plan_file",
    "plan_to_toml",
    "save_plan",
]

PLAN_FILENAME: Final = "helhedsplan.toml"
FORMAT_VERSION: Final = 1
_VERSION_KEY: Final = "formatversion"

_HEADER: Final = (
    "# Boligsocial helhedsplan. Formatet er beskrevet i docs/plan-folder.md.\n"
    "# Filen er gemt af boligsocial; kommentarer i filen bevares ikke, når programmet gemmer den.\n\n"
)


@dataclass(frozen=True)
class PlanProblem:
    """One problem in a plan file. `location` is a Danish key path ("" for the whole file),
    `key_path` the same path in dotted form with 0-based indexes (`afdelinger[11].boliger`)."""

    message: str
    location: str = ""
    line: int | None = None
    column: int | None = None
    key_path: str = ""

    def render(self) -> str:
        where: list[str] = []
        if self.line is not None:
            where.append(f"linje {self.line}" + (f", kolonne {self.column}" if self.column is not None else ""))
        if self.location:
            where.append(self.location)
        return (", ".join(where) + ": " if where else "") + self.message


class PlanError(Exception):
    """A plan file that cannot be read or written. The message is Danish and names the file,
    and for each problem the line and key path where they are known."""

    def __init__(self, path: Path, problems: Sequence[PlanProblem]) -> None:
        self.path = path
        self.problems: tuple[PlanProblem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"Fejl i {self.path}: {self.problems[0].render()}"
        lines = [f"{len(self.problems)} fejl i {self.path}:"]
        lines += [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Loading


def plan_file(folder: Path) -> Path:
    """The plan file of a folder. A path to a `.toml` file is taken as the plan file itself."""
    if folder.suffix.lower() == ".toml" and not folder.is_dir():
        return folder
    return folder / PLAN_FILENAME


def noegletal_path(plan: Plan, folder: Path) -> Path | None:
    """The key-figure file the plan names, resolved against the plan folder (it may not exist)."""
    if plan.noegletal is None:
        return None
    base = folder.parent if plan_file(folder) == folder else folder
    return base / plan.noegletal


def load_plan(folder: Path) -> Plan:
    """Read and validate the plan in `folder` (or the `.toml` file given). Raises PlanError."""
    folder = Path(folder)
    path = plan_file(folder)
    if not path.exists():
        if not folder.exists():
            raise PlanError(folder, [PlanProblem("mappen findes ikke")])
        raise PlanError(path, [PlanProblem(f"filen findes ikke; en plan-mappe skal indeholde {PLAN_FILENAME}")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(path, [PlanProblem(f"filen kunne ikke læses ({exc.strerror or exc})")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanError(
            path, [PlanProblem("filen er ikke gemt som UTF-8; gem den med tegnsættet UTF-8", line=line)]
        ) from None
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(path, [_toml_problem(str(exc))]) from None

    lines = text.splitlines()
    version = data.pop(_VERSION_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise PlanError(
            path,
            [
                PlanProblem(
                    f"formatversion {version!r} kendes ikke; denne version af boligsocial læser "
                    f"formatversion {FORMAT_VERSION}",
                    location=_VERSION_KEY,
                    line=_locate(lines, (_VERSION_KEY,)),
                    key_path=_VERSION_KEY,
                )
            ],
        )
    try:
        return Helhedsplan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(path, _validation_problems(exc, data, lines)) from None


# ---- TOML syntax errors --------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")

_TOML_MESSAGES: Final[list[tuple[str, str]]] = [
    (r"Expected '=' after a key in a key/value pair", "forventede '=' efter nøglen"),
    (r"Expected '\]' at the end of a table declaration", "forventede ']' i slutningen af tabeloverskriften"),
    (r"Expected '\]\]' at the end of an array declaration", "forventede ']]' i slutningen af [[...]]-overskriften"),
    (r"Cannot overwrite a value", "værdien er allerede angivet (en nøgle må kun stå én gang)"),
    (r"Escaped character is not a Unicode scalar value", "ugyldig escape-sekvens i en tekst"),
    (r"Invalid date or datetime", "ugyldig dato (skriv ÅÅÅÅ-MM-DD, fx 2025-01-01)"),
    (r"Invalid hex value", "ugyldig hex-værdi i en escape-sekvens"),
    (r"Invalid initial character for a key part", "ugyldigt tegn i starten af en nøgle"),
    (r"Invalid statement", "ugyldig linje (forventede nøgle = værdi eller en [tabel]-overskrift)"),
    (r"Invalid value", 'ugyldig værdi (tekster skal stå i anførselstegn, fx "Folehaven")'),
    (r"Unclosed array", "en liste [ ... ] er ikke lukket med ]"),
    (r"Unclosed inline table", "en tabel { ... } er ikke lukket med } (den skal stå på én linje)"),
    (r"Unescaped '\\' in a string", "tegnet \\ i en tekst skal skrives \\\\"),
    (r"Unterminated string", "en tekst mangler det afsluttende anførselstegn"),
    (r"Cannot declare (.+) twice", "tabellen {0} er erklæret to gange"),
    (r"Cannot mutate immutable namespace (.+)", "{0} er allerede angivet som en værdi og kan ikke udvides"),
    (r"Cannot redefine namespace (.+)", "{0} kan ikke omdefineres"),
    (r"Duplicate inline table key (.+)", "nøglen {0} står to gange i samme tabel"),
    (r"Found invalid character (.+)", "ugyldigt tegn {0}"),
    (r"Illegal character (.+)", "ulovligt tegn {0}"),
    (r"Expected (.+)", "forventede {0}"),
]


def _toml_key_text(text: str) -> str:
    parts = re.findall(r"'([^']*)'", text)
    return '"' + ".".join(parts) + '"' if parts else text


def _toml_problem(message: str) -> PlanProblem:
    line: int | None = None
    column: int | None = None
    position = _TOML_POSITION.search(message)
    if position is not None:
        if position.group(1):
            line, column = int(position.group(1)), int(position.group(2))
        message = message[: position.start()]
    for pattern, danish in _TOML_MESSAGES:
        match = re.fullmatch(pattern, message)
        if match is not None:
            groups = match.groups()
            detail = danish.format(*(_toml_key_text(g) for g in groups)) if groups else danish
            break
    else:
        detail = "filen er ikke gyldig TOML"
    if position is not None and line is None:
        detail += " (ved filens slutning)"
    return PlanProblem(f"ugyldig TOML-syntaks: {detail}", line=line, column=column)


# ---- validation errors ---------------------------------------------------------------------------

_PYDANTIC_MESSAGES: Final[dict[str, str]] = {
    "missing": "påkrævet nøgle mangler",
    "extra_forbidden": "ukendt nøgle (tjek stavemåden; se docs/plan-folder.md)",
    "string_type": "skal være en tekst i anførselstegn",
    "string_too_short": "må ikke være tom",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "int_type": "skal være et heltal",
    "int_parsing": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "date_type": "skal være en dato, fx 2025-01-01",
    "date_parsing": "skal være en dato, fx 2025-01-01",
    "date_from_datetime_parsing": "skal være en dato, fx 2025-01-01",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt, fx 2025-01-01",
    "list_type": 'skal være en liste, fx ["a", "b"]',
    "dict_type": "skal være en tabel",
    "model_type": "skal være en tabel",
    "model_attributes_type": "skal være en tabel",
    "decimal_type": "skal være et tal",
    "decimal_parsing": "skal være et tal",
    "finite_number": "skal være et endeligt tal",
    "too_short": "skal have mindst {min_length} element(er)",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than_equal": "må højst være {le}",
}

_ID_PATTERN_HINT: Final = 'skal bestå af små bogstaver a-z, cifre og bindestreger, fx "fravaer-grundskole"'


def _danish_message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace(" or ", " eller ").replace("'", '"')
        return f"skal være en af: {expected}"
    if kind == "string_pattern_mismatch" and error["loc"] and error["loc"][-1] == "id":
        return _ID_PATTERN_HINT
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is not None:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template
    return f"ugyldig værdi ({kind})"


def _validation_problems(exc: ValidationError, data: dict[str, Any], lines: list[str]) -> list[PlanProblem]:
    located: list[tuple[Loc, str]] = []
    for error in exc.errors():
        if error["type"] == PLAN_REFERENCE_ERROR:
            located.extend((tuple(loc), msg) for loc, msg in error["ctx"]["problems"])
        else:
            located.append((tuple(error["loc"]), _danish_message(error)))
    return [
        PlanProblem(
            message,
            location=_describe(loc, data),
            line=_locate(lines, loc),
            key_path=_key_path(loc),
        )
        for loc, message in located
    ]


def _key_path(loc: Loc) -> str:
    out = ""
    for element in loc:
        out += f"[{element}]" if isinstance(element, int) else (f".{element}" if out else str(element))
    return out


_NAME_KEYS: Final = ("id", "navn", "kortnavn", "betegnelse", "titel", "afdeling", "original")


def _item_name(item: object) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in _NAME_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _describe(loc: Loc, data: object) -> str:
    """Danish key path with 1-based numbers and the item's name: `afdelinger nr. 12 ("X") › boliger`."""
    parts: list[str] = []
    node: object = data
    for element in loc:
        if isinstance(element, int):
            item = node[element] if isinstance(node, list) and 0 <= element < len(node) else None
            label = f"nr. {element + 1}"
            name = _item_name(item)
            if name is not None and not isinstance(item, str):
                label += f' ("{name}")'
            if parts:
                parts[-1] = f"{parts[-1]} {label}"
            else:
                parts.append(label)
            node = item
        else:
            parts.append(str(element))
            node = node.get(element) if isinstance(node, dict) else None
    return " › ".join(parts)


# ---- finding the line of a key path in the TOML text (best effort) -------------------------------

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*(\]\]?)\s*(?:#.*)?$")


def _split_dotted(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in re.finditer(r'\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^."\']+)\s*(?:\.|$)', text):
        part = match.group(1).strip()
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _code_lines(lines: list[str]) -> list[bool]:
    """Which lines are outside multi-line strings (and so may hold keys or headers)."""
    flags: list[bool] = []
    inside: str | None = None
    for line in lines:
        flags.append(inside is None)
        position = 0
        while True:
            if inside is None:
                starts = [(line.find(q, position), q) for q in ('"""', "'''")]
                found = [(i, q) for i, q in starts if i >= 0]
                if not found:
                    break
                i, q = min(found)
                inside, position = q, i + 3
            else:
                i = line.find(inside, position)
                if i < 0:
                    break
                inside, position = None, i + 3
    return flags


def _headers(lines: list[str], code: list[bool]) -> list[tuple[int, bool, tuple[str, ...]]]:
    result: list[tuple[int, bool, tuple[str, ...]]] = []
    for number, line in enumerate(lines):
        if not code[number]:
            continue
        match = _HEADER_RE.match(line)
        if match is not None and len(match.group(1)) == len(match.group(3)):
            result.append((number, match.group(1) == "[[", _split_dotted(match.group(2))))
    return result


def _find_key(lines: list[str], code: list[bool], start: int, end: int, key: str) -> int | None:
    pattern = re.compile(r"^\s*(?:" + re.escape(key) + r'|"' + re.escape(key) + r'"|\'' + re.escape(key) + r"')\s*=")
    for number in range(start, end):
        if code[number] and pattern.match(lines[number]):
            return number
    return None


def _array_element_line(lines: list[str], key_line: int, index: int) -> int | None:
    """In a multi-line array written one element per line, the line of element `index`."""
    if not lines[key_line].rstrip().endswith("["):
        return None
    count = -1
    for number in range(key_line + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped.startswith("]"):
            return None
        if stripped and not stripped.startswith("#"):
            count += 1
            if count == index:
                return number
    return None


def _block_end(headers: list[tuple[int, bool, tuple[str, ...]]], line: int, path: tuple[str, ...], limit: int) -> int:
    """End of the table opened at `line`: the next header that is not one of its sub-tables."""
    for number, _, header_path in headers:
        if line < number < limit and (len(header_path) <= len(path) or header_path[: len(path)] != path):
            return number
    return limit


def locate_key(text: str, loc: Loc) -> int | None:
    """1-based line in a plan file's text where the key path `loc` is written (or the nearest
    enclosing table), if found. Used to point messages (the loader's, the lint's) at a line."""
    return _locate(_TomlLines.of(text), loc)


@dataclass(frozen=True)
class _TomlLines:
    """A plan file split into lines, with which lines are code and where the table headers are;
    computed once per text because a lint asks for hundreds of locations in the same file."""

    lines: list[str]
    code: list[bool]
    headers: list[tuple[int, bool, tuple[str, ...]]]

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def of(text: str) -> _TomlLines:
        lines = text.splitlines()
        code = _code_lines(lines)
        return _TomlLines(lines, code, _headers(lines, code))


def _locate(parsed: _TomlLines | list[str], loc: Loc) -> int | None:
    """1-based line where the key path `loc` is written (or the nearest enclosing table), if found."""
    if isinstance(parsed, list):
        parsed = _TomlLines.of("\n".join(parsed))
    lines, code, headers = parsed.lines, parsed.code, parsed.headers
    prefix: tuple[str, ...] = ()
    start, block_end = 0, len(lines)
    best: int | None = None
    i = 0
    while i < len(loc):
        element = loc[i]
        if not isinstance(element, str):
            break
        following = loc[i + 1] if i + 1 < len(loc) else None
        direct_end = next((h[0] for h in headers if start <= h[0] < block_end), block_end)
        key_line = _find_key(lines, code, start, direct_end, element)
        if key_line is not None:
            best = key_line + 1
            if isinstance(following, int):
                element_line = _array_element_line(lines, key_line, following)
                if element_line is not None:
                    best = element_line + 1
            return best
        path = (*prefix, element)
        tables = [h for h in headers if start <= h[0] < block_end and h[2] == path]
        if isinstance(following, int):
            occurrences = [h[0] for h in tables if h[1]]
            if following >= len(occurrences):
                return best
            header = occurrences[following]
            i += 2
        else:
            occurrences = [h[0] for h in tables if not h[1]]
            if not occurrences:
                return best
            header = occurrences[0]
            i += 1
        best = header + 1
        prefix = path
        block_end = _block_end(headers, header, path, block_end)
        start = header + 1
    return best


# --------------------------------------------------------------------------------------------------
# Saving


def _encode(value: object) -> object:
    """The TOML form of a model value: numbers as Danish decimal strings, enums as their values,
    None and empty lists left out, and an afdeling reference without organisation as a string."""
    if isinstance(value, AfdelingRef) and value.boligorganisation is None:
        return value.afdeling
    if isinstance(value, BaseModel):
        out: dict[str, object] = {}
        for name in type(value).model_fields:
            field_value = getattr(value, name)
            # Leave out what reads back as the default. An empty sub-model is kept (as an empty
            # table): leaving it out would read back as None.
            if field_value is None or (isinstance(field_value, list | dict) and not field_value):
                continue
            out[name] = _encode(field_value)
        return out
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format_ungrouped_number(value)
    if value is None or isinstance(value, str | int | bool | date):
        return value
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def plan_to_toml(plan: Plan) -> str:
    """The text `save_plan` writes for a plan."""
    document = _encode(plan)
    assert isinstance(document, dict)
    return _HEADER + tomli_w.dumps({_VERSION_KEY: FORMAT_VERSION, **document}, multiline_strings=True)


def save_plan(plan: Plan, folder: Path) -> None:
    """Write the plan to `folder/helhedsplan.toml` atomically; other files in the folder (the
    key-figure file) are not touched. Raises PlanError, leaving any existing file unchanged, if the
    plan is not valid (it may have been changed in memory) or cannot be written."""
    path = plan_file(Path(folder))
    text = plan_to_toml(plan)

    data = tomllib.loads(text)
    data.pop(_VERSION_KEY)
    try:
        reread = Helhedsplan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(path, _validation_problems(exc, data, text.splitlines())) from None
    if reread != plan:  # pragma: no cover - a bug in the encoder, not a user error
        raise PlanError(path, [PlanProblem("intern fejl: planen kan ikke gemmes uden at ændre indholdet")])

    try:
        write_atomically(path, text.encode("utf-8"), keep_mode=True, create_folder=True)
    except OSError as exc:
        raise PlanError(path, [PlanProblem(f"filen kunne ikke gemmes ({exc.strerror or exc})")]) from None
