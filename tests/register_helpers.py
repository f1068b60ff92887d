"""Small helpers for the register tests: person rows written as Parquet or CSV files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("aar", pa.int16()),
        ("region", pa.int16()),
        ("kommune", pa.int16()),
        ("afdeling", pa.string()),
        ("omraade", pa.string()),
        ("boligorganisation", pa.string()),
        ("alder", pa.int16()),
        ("herkomst", pa.string()),
        ("vestlig", pa.bool_()),
        ("uden_for_promille", pa.int16()),
        ("doemt", pa.bool_()),
        ("hfaudd", pa.int32()),
        ("hfaudd_kilde_udenlandsk", pa.bool_()),
        ("bruttoindkomst", pa.int64()),
        ("skattepligtig", pa.bool_()),
        ("under_uddannelse", pa.bool_()),
    ]
)

_next_id = [1]


def person(**values: Any) -> dict[str, Any]:
    """A valid person row with defaults; keyword arguments override."""
    row: dict[str, Any] = {
        "person_id": None,
        "aar": 2023,
        "region": 1084,
        "kommune": 101,
        "afdeling": None,
        "omraade": None,
        "boligorganisation": None,
        "alder": 40,
        "herkomst": "dansk",
        "vestlig": None,
        "uden_for_promille": 0,
        "doemt": False,
        "hfaudd": 3510,
        "hfaudd_kilde_udenlandsk": False,
        "bruttoindkomst": 400_000,
        "skattepligtig": True,
        "under_uddannelse": False,
    }
    row.update(values)
    if row["person_id"] is None:
        row["person_id"] = _next_id[0]
        _next_id[0] += 1
    return row


def in_years(row: dict[str, Any], years: Sequence[int]) -> list[dict[str, Any]]:
    """The same person in several data years."""
    return [{**row, "aar": y} for y in years]


def write_parquet(path: Path, rows: Sequence[dict[str, Any]], schema: pa.Schema = SCHEMA) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), path)
    return path


def write_csv(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(columns or SCHEMA.names)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row.get(n) is None else _text(row.get(n)) for n in names])
    return path


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
