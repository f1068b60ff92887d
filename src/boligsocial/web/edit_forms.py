"""The edit form of a plan section, rendered from the section's field specs (`store.SECTIONS`):
a section's value as the texts a form shows (`form_of_value`), a submitted form back to a value
(`value_of_form`), and the store's error keys as the form's field names (`form_errors`).

Form field names: `f.<field>` for a section's own fields ("f.periode.start"), `t<table>.<row>.<field>`
for a row of a table ("t0.3.boliger"), `t<table>.<row>.fjern` for the row's remove box. A list of
texts is a textarea with one item per line; afdelinger are "navn" or "kortnavn: navn" per line;
milestones "år: værdi" per line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boligsocial.store import EditField, EditSection, EditTable

__all__ = ["FormRow", "FormState", "form_errors", "form_of_value", "value_of_form"]

_GROUPED_INT = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
_TABLE_KEY = re.compile(r"t(\d+)\.(\d+)\.")


@dataclass
class FormRow:
    index: int  # the row's number in the form (names its inputs)
    values: dict[str, Any]  # field name -> text, list of texts (choices) or bool
    blank: bool = False  # the empty row for adding one
    remove: bool = False


@dataclass
class FormState:
    fields: dict[str, Any] = field(default_factory=dict)
    tables: list[list[FormRow]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Value -> form


def _get(value: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else ():
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _ref_text(ref: Any) -> str:
    if isinstance(ref, dict):
        org = ref.get("boligorganisation")
        return f"{org}: {ref.get('afdeling')}" if org else str(ref.get("afdeling"))
    return str(ref)


def field_text(spec: EditField, raw: Any) -> Any:
    """What the form shows for a value."""
    if spec.kind == "choices":
        return [str(v) for v in raw or []]
    if spec.kind == "bool":
        return bool(raw)
    if spec.kind == "lines":
        return "\n".join(str(v) for v in raw or [])
    if spec.kind == "refs":
        return "\n".join(_ref_text(r) for r in raw or [])
    if spec.kind == "milepaele":
        return "\n".join(f"{m.get('aar')}: {m.get('vaerdi')}" for m in raw or [] if isinstance(m, dict))
    return "" if raw is None else str(raw)


def _blank(table: EditTable, index: int) -> FormRow:
    return FormRow(index, {f.name: field_text(f, None) for f in table.fields}, blank=True)


def form_of_value(section: EditSection, value: Any) -> FormState:
    """The form of a section's value, with one blank row per table for adding."""
    state = FormState({f.name: field_text(f, _get(value, f.name)) for f in section.fields})
    for table in section.tables:
        rows = (value if section.is_list else _get(value, table.key)) or []
        shown = [
            FormRow(i, {f.name: field_text(f, _get(row, f.name)) for f in table.fields}) for i, row in enumerate(rows)
        ]
        if not table.fixed:
            shown.append(_blank(table, len(shown)))
        state.tables.append(shown)
    return state


# --------------------------------------------------------------------------------------------------
# Form -> value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _ref(line: str) -> dict[str, Any]:
    org, separator, navn = line.partition(": ")
    if separator and org.strip() and navn.strip():
        return {"afdeling": navn.strip(), "boligorganisation": org.strip()}
    return {"afdeling": line, "boligorganisation": None}


def _milepael(line: str) -> dict[str, Any]:
    aar, _, vaerdi = line.partition(":")
    return {"aar": aar.strip() or None, "vaerdi": vaerdi.strip() or None}


def parse_field(spec: EditField, shown: Any) -> Any:
    """The value of what a form field holds ("" is None)."""
    if spec.kind == "choices":
        return list(shown)
    if spec.kind == "bool":
        return bool(shown)
    text = str(shown or "")
    if spec.kind == "lines":
        return _lines(text)
    if spec.kind == "refs":
        return [_ref(line) for line in _lines(text)]
    if spec.kind == "milepaele":
        return [_milepael(line) for line in _lines(text)]
    text = text.strip()
    if spec.kind in ("int", "year") and _GROUPED_INT.fullmatch(text):
        text = text.replace(".", "")
    return text or None


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value in (None, "", [], False)


def _pruned(value: dict[str, Any]) -> dict[str, Any]:
    """Empty fields and nested objects with nothing filled in are left out (no baseline, no
    team), so the model's defaults apply (a new afdeling is "i_plan")."""
    return {k: v for k, v in value.items() if v is not None and not (isinstance(v, dict) and _empty(v))}


def _shown(spec: EditField, form: Any, name: str) -> Any:
    if spec.kind == "choices":
        return form.getlist(name)
    if spec.kind == "bool":
        return name in form
    return str(form.get(name, ""))


def _table_rows(table: EditTable, ti: int, form: Any) -> list[FormRow]:
    indices = sorted({int(m.group(2)) for key in form for m in [_TABLE_KEY.match(key)] if m and int(m.group(1)) == ti})
    rows = []
    for index in indices:
        values = {f.name: _shown(f, form, f"t{ti}.{index}.{f.name}") for f in table.fields}
        rows.append(FormRow(index, values, remove=f"t{ti}.{index}.fjern" in form))
    return rows


def value_of_form(section: EditSection, form: Any) -> tuple[Any, FormState, list[list[int]]]:
    """The section's value from a submitted form; the form as submitted (shown again on an
    error); and per table the form row of each row of the value (removed and blank rows are
    left out)."""
    state = FormState({f.name: _shown(f, form, f"f.{f.name}") for f in section.fields})
    value: dict[str, Any] = {}
    for spec in section.fields:
        _put(value, spec.name, parse_field(spec, state.fields[spec.name]))
    places: list[list[int]] = []
    for ti, table in enumerate(section.tables):
        rows = _table_rows(table, ti, form)
        state.tables.append(rows)
        items: list[dict[str, Any]] = []
        place: list[int] = []
        for row in rows:
            item: dict[str, Any] = {}
            for spec in table.fields:
                _put(item, spec.name, parse_field(spec, row.values[spec.name]))
            if row.remove or (_empty(item) and not table.fixed):
                continue
            items.append(_pruned(item))
            place.append(row.index)
        places.append(place)
        if section.is_list:
            return items, _with_blanks(section, state), places
        _put(value, table.key, items)
    value = _pruned(value)
    if section.optional and _empty(value):
        return None, _with_blanks(section, state), places
    return value, _with_blanks(section, state), places


def _with_blanks(section: EditSection, state: FormState) -> FormState:
    """The submitted form, with a blank row where a table has none (to add one more)."""
    for table, rows in zip(section.tables, state.tables, strict=False):
        if not table.fixed and not any(_empty({k: v for k, v in r.values.items()}) for r in rows):
            rows.append(_blank(table, max((r.index for r in rows), default=-1) + 1))
        for row in rows:
            row.blank = not table.fixed and _empty(row.values)
    return state


# --------------------------------------------------------------------------------------------------
# Store errors -> form fields


def _field_name(fields: tuple[EditField, ...], name: str) -> str:
    """The form field an error of `name` belongs beside (a group such as "baseline": its first)."""
    if any(f.name == name for f in fields):
        return name
    return next((f.name for f in fields if f.name.startswith(name + ".")), name)


def form_errors(section: EditSection, errors: Mapping[str, str], places: list[list[int]]) -> dict[str, str]:
    """The store's messages by the form's field names; a message that belongs to no field of the
    form (another section, the section as a whole) under "" ."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        out.setdefault(_form_key(section, key, places), message)
    return out


def _form_key(section: EditSection, key: str, places: list[list[int]]) -> str:
    if key.startswith("@") or key == "":
        return ""
    for ti, table in enumerate(section.tables):
        prefix = f"{table.key}." if table.key else ""
        if not key.startswith(prefix):
            continue
        index, _, rest = key[len(prefix) :].partition(".")
        if index.isdigit() and ti < len(places) and int(index) < len(places[ti]):
            row = places[ti][int(index)]
            return f"t{ti}.{row}.{_field_name(table.fields, rest)}" if rest else f"t{ti}.{row}"
        if index.isdigit():
            return ""
    return f"f.{_field_name(section.fields, key)}"
