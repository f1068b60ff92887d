"""Discretion: no output of `register compute` (key-figure file, JSON, table) reveals a count of
1 to min_cell-1 persons, directly or by subtracting the published afdelinger from their area."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from boligsocial.danish import parse_danish_number
from boligsocial.register.discretion import RESIDENTS, is_safe, suppress
from boligsocial.register.lists import classify_areas, render, run, write_figures
from boligsocial.register.schema import RegisterError
from register_helpers import person, write_parquet

# Where a person can live: (afdeling, omraade). Areas O1 and O2 have afdelinger and persons
# outside them; A-6 is an afdeling outside any area; (None, None) is ordinary housing.
HOMES = [("A-1", "O1"), ("A-2", "O1"), ("A-3", "O1"), (None, "O1"), ("A-4", "O2"), ("A-5", "O2"), ("A-6", None),
         (None, None)]  # fmt: skip
#: Count columns of the key-figure file that count persons (the others are sums of years or kroner).
PERSON_COUNTS = ("ikke_vestlige", "doemte", "kun_grundskole")


def _year_row(draw: st.DrawFn, pid: int, aar: int) -> dict[str, Any]:
    afdeling, omraade = draw(st.sampled_from(HOMES))
    herkomst = draw(st.sampled_from(["dansk", "dansk", "indvandrer", "efterkommer"]))
    taxed = draw(st.booleans()) or draw(st.booleans())
    return person(
        person_id=pid,
        aar=aar,
        afdeling=afdeling,
        omraade=omraade,
        alder=draw(st.integers(0, 80)),
        herkomst=herkomst,
        vestlig=None if herkomst == "dansk" else draw(st.booleans()),
        uden_for_promille=draw(st.sampled_from([0, 0, 250, 1000])),
        doemt=draw(st.booleans()) and draw(st.booleans()),
        hfaudd=draw(st.sampled_from([None, 1005, 3510, 3510])),
        hfaudd_kilde_udenlandsk=draw(st.booleans()) and draw(st.booleans()),
        bruttoindkomst=draw(st.integers(0, 600_000)) if taxed else None,
        skattepligtig=taxed,
        under_uddannelse=draw(st.booleans()) and draw(st.booleans()),
    )


@st.composite
def populations(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(8, 90))
    rows: list[dict[str, Any]] = []
    for pid in range(1, count + 1):
        for aar in (2022, 2023):
            rows.append(_year_row(draw, pid, aar))
    # make sure area O1 exists in the residents year
    rows.append(person(person_id=count + 1, aar=2023, afdeling="A-1", omraade="O1", alder=40))
    return rows


def _number(text: str) -> Decimal | None:
    return parse_danish_number(text)


def _file_counts(path: Path) -> list[dict[str, Any]]:
    """The key-figure file's rows with the person counts as numbers (None = suppressed)."""
    text = path.read_text(encoding="utf-8-sig")
    rows = []
    for raw in csv.DictReader(io.StringIO(text), delimiter=";"):
        row: dict[str, Any] = {"name": raw["afdeling"], "kind": raw["enhedstype"], "omraade": raw["omraade"] or None}
        row[RESIDENTS] = _number(raw["beboere"])
        for measure in (*PERSON_COUNTS, "uden_for_arbejdsmarked", "indkomst"):
            num = _number(raw.get(f"{measure}_taeller", "-") or "-")
            den = _number(raw.get(f"{measure}_naevner", "-") or "-")
            row[measure] = (num, den)
        rows.append(row)
    return rows


def _revealed(rows: list[dict[str, Any]]) -> Iterable[tuple[str, int]]:
    """Every person count the file shows or lets one compute by subtraction."""
    for row in rows:
        if row[RESIDENTS] is not None:
            yield f"{row['name']} beboere", int(row[RESIDENTS])
        for measure in PERSON_COUNTS:
            num, den = row[measure]
            if num is not None and den is not None:
                yield f"{row['name']} {measure}", int(num)
                yield f"{row['name']} {measure} (komplement)", int(den - num)
        for measure in ("uden_for_arbejdsmarked", "indkomst"):
            _, den = row[measure]
            if den is not None:
                yield f"{row['name']} {measure} nævner", int(den)
    areas = [r for r in rows if r["kind"] == "omraade"]
    for area in areas:
        members = [r for r in rows if r["kind"] == "afdeling" and r["omraade"] == area["name"]]
        if area[RESIDENTS] is not None:
            shown = sum(int(m[RESIDENTS]) for m in members if m[RESIDENTS] is not None)
            yield f"{area['name']} beboere minus afdelinger", int(area[RESIDENTS]) - shown
        for measure in PERSON_COUNTS:
            num, den = area[measure]
            if num is None or den is None:
                continue
            published = [m[measure] for m in members if m[measure][0] is not None]
            yield f"{area['name']} {measure} minus afdelinger", int(num - sum(p[0] for p in published))
            yield (
                f"{area['name']} {measure} komplement minus afdelinger",
                int((den - num) - sum(p[1] - p[0] for p in published)),
            )
        for measure in ("uden_for_arbejdsmarked", "indkomst"):
            _, den = area[measure]
            if den is not None:
                shown = sum(int(m[measure][1]) for m in members if m[measure][1] is not None)
                yield f"{area['name']} {measure} nævner minus afdelinger", int(den) - shown


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=populations(), min_cell=st.sampled_from([3, 5]))
def test_no_output_reveals_a_small_count(tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]],
                                         min_cell: int) -> None:  # fmt: skip
    folder = tmp_path_factory.mktemp("discretion")
    write_parquet(folder / "personer.parquet", rows)
    try:
        result = run([folder], [2024], min_cell=min_cell)
        listed = classify_areas(result, 2024)
    except RegisterError as error:
        assume("landsgennemsnittet" not in str(error))
        raise
    figures = folder / "noegletal.csv"
    write_figures(result, figures)
    file_rows = _file_counts(figures)
    for what, count in _revealed(file_rows):
        assert is_safe([count], min_cell), f"{what} = {count} (grænse {min_cell})"

    # JSON (and the table, rendered from the same result) show only what the file shows.
    data = json.loads(render(result, listed, "json"))
    by_name = {r["name"]: r for r in file_rows}
    for unit in data["units"]:
        row = by_name[unit["name"]]
        assert unit["residents"] == (None if row[RESIDENTS] is None else int(row[RESIDENTS]))
        for criterion in unit["criteria"]:
            numerator, _ = row[criterion["measure"]]
            if numerator is None:
                assert criterion["value"] is None and criterion["numerator"] is None, criterion
            else:
                assert criterion["denominator"] is not None
    national = data["register"]["national_conviction"]
    if national and "numerator" in national:
        areas = [r for r in file_rows if r["kind"] == "omraade" and r["doemte"][0] is not None]
        rest_num = national["numerator"] - sum(int(a["doemte"][0]) for a in areas)
        rest_den = national["denominator"] - sum(int(a["doemte"][1]) for a in areas)
        assert is_safe([rest_num, rest_den - rest_num], min_cell)


def test_the_check_catches_an_unprotected_file(tmp_path: Path) -> None:
    """The property's own check finds small counts when discretion is off (so it can fail)."""
    rows = [
        person(person_id=i, aar=aar, afdeling="A-1" if i < 20 else "A-2", omraade="O", doemt=i in (1, 25))
        for i in range(40)
        for aar in (2022, 2023)
    ]
    write_parquet(tmp_path / "p.parquet", rows)
    write_figures(run([tmp_path], [2024], min_cell=1), tmp_path / "f.csv")
    small = [what for what, count in _revealed(_file_counts(tmp_path / "f.csv")) if not is_safe([count], 5)]
    assert "A-1 doemte" in small and "A-2 doemte" in small


def test_a_small_afdeling_is_hidden_and_a_second_one_with_it(tmp_path: Path) -> None:
    rows = []
    for aar in (2022, 2023):
        pid = 0
        for afdeling, size, convicted in (("A-1", 40, 6), ("A-2", 30, 5), ("A-3", 20, 2)):
            for i in range(size):
                pid += 1
                rows.append(
                    person(person_id=pid, aar=aar, afdeling=afdeling, omraade="O", alder=30, doemt=i < convicted)
                )
        for _ in range(50):
            pid += 1
            rows.append(person(person_id=pid, aar=aar, alder=30))
    write_parquet(tmp_path / "p.parquet", rows)
    result = run([tmp_path], [2024], min_cell=5)
    year = result.year(2024)
    s = suppress(year, 5)
    hidden = {(kind, name, str(what)) for kind, name, what in s.hidden}
    # A-3 has 2 + 2 convicted person-years: hidden; A-2 (the smallest other) goes with it, so that
    # the area minus A-1 is 5 + 5 + 2 + 2 = 14, not 4.
    assert ("afdeling", "A-3", "doemte") in hidden
    assert ("afdeling", "A-2", "doemte") in hidden
    assert ("afdeling", "A-1", "doemte") not in hidden
    assert ("omraade", "O", "doemte") not in hidden
    assert s.primary >= 1 and s.secondary >= 1


def test_min_cell_one_publishes_everything(tmp_path: Path) -> None:
    rows = [
        person(person_id=i, aar=aar, afdeling="A-1", omraade="O", doemt=i == 1)
        for i in range(3)
        for aar in (2022, 2023)
    ]
    write_parquet(tmp_path / "p.parquet", rows)
    result = run([tmp_path], [2024], min_cell=1)
    assert not result.suppression[2024].hidden
