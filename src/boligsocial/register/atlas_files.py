"""The atlas as files (`atlas.csv`, `atlas.json`: one row per unit and list year) and as exact
records (every fraction kept as text, `"3/4"`) for the database.

The CSV is `;`-separated with Danish decimals like every CSV of the product; the JSON has numbers
rounded to four decimals (bounds rounded outwards) and today's list names with `true`/`false`/`null`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from boligsocial.danish import format_danish_number, to_decimal
from boligsocial.files import write_atomically
from boligsocial.law.figures import Measure
from boligsocial.law.verdicts import Status
from boligsocial.law.vocabulary import REPORTED_LISTS, STATUS_WORD_DA
from boligsocial.register.atlas import Atlas, AtlasCriterion, AtlasEntry, AtlasThreshold

__all__ = [
    "CSV_NAME",
    "JSON_NAME",
    "atlas_csv",
    "atlas_json",
    "criterion_from_record",
    "criterion_record",
    "entry_dict",
    "write_atlas",
]

CSV_NAME: Final = "atlas.csv"
JSON_NAME: Final = "atlas.json"


def _rounded(value: Fraction | None, up: bool | None = None) -> float | None:
    """Four decimals; a bound (`up` given) rounded outwards, so the range still holds the value."""
    if value is None:
        return None
    scaled = value * 10_000
    whole = round(scaled) if up is None else (math.ceil(scaled) if up else math.floor(scaled))
    return float(Fraction(whole, 10_000))


def criterion_dict(c: AtlasCriterion) -> dict[str, Any]:
    return {
        "measure": c.measure.value,
        "value": _rounded(c.value),
        "approximate": c.approximate,
        **({"lower": _rounded(c.lower, up=False), "upper": _rounded(c.upper, up=True)} if c.approximate else {}),
        "thresholds": [
            {
                "list": t.list_name,
                "criterion": t.key,
                "operator": t.operator,
                "threshold": _rounded(t.threshold),
                "verdict": t.verdict,
            }
            for t in c.thresholds
        ],
    }


def entry_dict(e: AtlasEntry) -> dict[str, Any]:
    """A unit-year as JSON (the atlas file, the web's JSON)."""
    return {
        "list_year": e.list_year,
        "kind": e.kind,
        "name": e.name,
        "boligorganisation": e.boligorganisation,
        "omraade": e.omraade,
        "kommune": e.kommune,
        "region": e.region,
        "residents": e.residents,
        "eligible": e.eligible,
        "lists": dict(e.lists),
        "principal": e.principal,
        "criteria": [criterion_dict(c) for c in e.criteria],
    }


def atlas_json(atlas: Atlas) -> str:
    """The atlas as JSON, one unit (every year of one afdeling or area) per line.

    Not `indent`: an indenting `json.dumps` runs Python's pure-Python encoder, which took a fifth
    of a national atlas's CPU (29 s against 4 s for the same data compact, bench/atlas.py); a line
    per unit keeps the file readable and diffable with the C encoder."""
    head = {
        "source": atlas.source,
        "description": atlas.description,
        "list_years": list(atlas.years),
        "notes": atlas.notes,
    }
    units = ",\n".join(json.dumps(entry_dict(e), ensure_ascii=False) for e in atlas.entries)
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "units": [\n' + units + "\n]}\n"


def _pct(value: Fraction | None) -> str:
    return "" if value is None else format_danish_number(to_decimal(value, 4), grouping=False)


def csv_header() -> list[str]:
    header = ["listeaar", "enhedstype", "navn", "boligorganisation", "omraade", "kommune", "region", "beboere"]
    header += [*REPORTED_LISTS, "hoejeste_liste"]
    for m in Measure:
        header += [f"{m.value}_pct", f"{m.value}_min", f"{m.value}_max"]
    return header


def _status(lists: dict[str, Status], name: str) -> str:
    return STATUS_WORD_DA[lists[name]] if name in lists else ""


def csv_row(e: AtlasEntry) -> list[object]:
    row: list[object] = [e.list_year, e.kind, e.name, e.boligorganisation, e.omraade, e.kommune, e.region]
    row.append(e.residents)
    row += [_status(e.lists, name) for name in REPORTED_LISTS] + [e.principal]
    for m in Measure:
        c = e.criterion(m)
        if c is None:
            row += ["", "", ""]
        else:
            ranged = c.approximate
            row += [_pct(c.value), _pct(c.lower) if ranged else "", _pct(c.upper) if ranged else ""]
    return row


def atlas_csv(atlas: Atlas) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(csv_header())
    for e in atlas.entries:
        writer.writerow(["" if cell is None else cell for cell in csv_row(e)])
    return buffer.getvalue()


def write_atlas(atlas: Atlas, folder: Path) -> list[Path]:
    """Write `atlas.csv` and `atlas.json` into `folder` (created if missing), each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((CSV_NAME, "\ufeff" + atlas_csv(atlas)), (JSON_NAME, atlas_json(atlas))):
        write_atomically(folder / name, text.encode("utf-8"))
        written.append(folder / name)
    return written


# --------------------------------------------------------------------------------------------------
# Exact records (the database)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def criterion_record(c: AtlasCriterion) -> dict[str, Any]:
    return {
        "m": c.measure.value,
        "v": _exact(c.value),
        "lo": _exact(c.lower),
        "hi": _exact(c.upper),
        "a": c.approximate,
        "t": [[t.list_name, t.key, t.operator, _exact(t.threshold), t.verdict] for t in c.thresholds],
    }


def criterion_from_record(data: dict[str, Any]) -> AtlasCriterion:
    return AtlasCriterion(
        measure=Measure(data["m"]),
        value=_fraction(data["v"]),
        lower=_fraction(data["lo"]),
        upper=_fraction(data["hi"]),
        approximate=bool(data["a"]),
        thresholds=tuple(AtlasThreshold(n, k, o, _fraction(t), v) for n, k, o, t, v in data["t"]),
    )
