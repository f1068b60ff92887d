"""The atlas: every list year from person data in one pass equals each year computed alone, and
the files and the command line carry it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligsocial.cli import app
from boligsocial.law.classify import Options, classify
from boligsocial.law.figures import Measure
from boligsocial.register.atlas import Atlas, AtlasEntry, atlas_from_key_figures, atlas_from_persons, atlas_from_run
from boligsocial.register.atlas_files import atlas_csv, atlas_json, entry_dict, write_atlas
from boligsocial.register.lists import RegisterRun, run, write_figures
from boligsocial.register.synth import SynthSpec, synth
from boligsocial.store import SYSTEM_ACTOR, AtlasService
from boligsocial.store.db import create_engine_for, session_factory

FIRST, LAST = 2010, 2025
HISTORY_LISTS = ("omdannelsesomraade",)  # looks back at earlier years: not decided by one year alone

runner = CliRunner()


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic country with the 20 data years list years 2010-2025 need."""
    folder = tmp_path_factory.mktemp("atlas_country")
    synth(SynthSpec(persons=20_000, years=20, seed=3, last_year=2024), folder)
    return folder


@pytest.fixture(scope="module")
def atlas(country: Path) -> Atlas:
    return atlas_from_persons([country], FIRST, LAST)


@pytest.fixture(scope="module")
def alone(country: Path) -> dict[int, RegisterRun]:
    """Each list year computed in a pass of its own."""
    return {year: run([country], [year]) for year in range(FIRST, LAST + 1)}


def test_the_atlas_holds_every_unit_in_every_year(atlas: Atlas) -> None:
    assert atlas.years == tuple(range(FIRST, LAST + 1))
    areas = {e.name for e in atlas.of_kind("omraade")}
    assert len(areas) >= 5
    for year in atlas.years:
        assert {e.name for e in atlas.of_kind("omraade") if e.list_year == year} == areas
    lists_2015 = {name for e in atlas.entries if e.list_year == 2015 for name in e.lists}
    lists_2022 = {name for e in atlas.entries if e.list_year == 2022 for name in e.lists}
    assert lists_2015 == {"parallelsamfund"}  # the ghetto list, reported by today's name
    assert lists_2022 == {"udsat_boligomraade", "parallelsamfund", "omdannelsesomraade", "forebyggelsesomraade"}
    assert all(e.region and e.region.startswith("Region ") for e in atlas.entries)
    assert any(e.principal != "ingen" for e in atlas.of_kind("omraade"))


def test_one_pass_gives_the_figures_of_each_year_alone(
    country: Path, atlas: Atlas, alone: dict[int, RegisterRun]
) -> None:
    together = run([country], range(FIRST, LAST + 1))
    assert together.national_averages() == {y: r.national_averages()[y] for y, r in alone.items()}
    for year, single in alone.items():
        assert single.units() == [u for u in together.units() if u.list_year == year], year


def test_one_pass_gives_the_atlas_of_the_years_computed_alone(atlas: Atlas, alone: dict[int, RegisterRun]) -> None:
    """The same atlas, entry by entry (criteria, bounds, thresholds and statuses), from the
    sixteen single-year passes put together."""
    parts = list(alone.values())
    merged = RegisterRun(
        years=[y for r in parts for y in r.years],
        suppression={k: v for r in parts for k, v in r.suppression.items()},
        method=parts[0].method,
        min_cell=parts[0].min_cell,
        source=parts[0].source,
        files=parts[0].files,
    )
    assert atlas_from_run(merged).entries == atlas.entries


def test_each_year_alone_gives_the_statuses_that_need_no_history(atlas: Atlas, alone: dict[int, RegisterRun]) -> None:
    """Classifying one year from its own pass only: every list but the look-back one is the same."""
    from boligsocial.law.parameters import load_law
    from boligsocial.register.lists import _with_computed_averages

    compared = 0
    for year, single in alone.items():
        listed = classify(single.units(), year, Options(), law=_with_computed_averages(load_law(), single))
        for unit in listed.units:
            entry = next(
                e
                for e in atlas.entries
                if e.key == (unit.kind, unit.name, unit.boligorganisation or "") and e.list_year == year
            )
            for name, result in unit.lists.items():
                if name not in HISTORY_LISTS:
                    assert entry.lists[name] == result.status, (year, unit.name, name)
                    compared += 1
    assert compared > 500


def test_values_are_exact_and_thresholds_travel_with_them(atlas: Atlas) -> None:
    entry = next(e for e in atlas.of_kind("omraade") if e.list_year == 2022 and e.residents)
    measures = [c.measure for c in entry.criteria]
    assert measures == list(Measure)
    ikke_vestlige = entry.criterion(Measure.IKKE_VESTLIGE)
    assert ikke_vestlige is not None and ikke_vestlige.value is not None
    assert {(t.list_name, t.threshold) for t in ikke_vestlige.thresholds} >= {("parallelsamfund", 50)}


def test_files_one_row_per_unit_and_year(atlas: Atlas, tmp_path: Path) -> None:
    written = write_atlas(atlas, tmp_path / "ud")
    assert [p.name for p in written] == ["atlas.csv", "atlas.json"]
    lines = (tmp_path / "ud" / "atlas.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == len(atlas.entries) + 1
    assert lines[0].startswith("listeaar;enhedstype;navn;")
    data = json.loads((tmp_path / "ud" / "atlas.json").read_text(encoding="utf-8"))
    assert data["list_years"] == list(range(FIRST, LAST + 1))
    assert len(data["units"]) == len(atlas.entries)
    first = data["units"][0]
    assert set(first) >= {"list_year", "kind", "name", "kommune", "region", "residents", "lists", "criteria"}
    assert "," in atlas_csv(atlas).splitlines()[1]  # Danish decimals


def test_key_figure_files_give_the_same_statuses(country: Path, atlas: Atlas, tmp_path: Path) -> None:
    """The figures written as yearly key-figure files read back to the same atlas statuses, given
    the computed national averages (as `register compute` prints them)."""
    folder = tmp_path / "noegletal"
    folder.mkdir()
    together = run([country], range(2021, 2024))
    write_figures(together, folder / "noegletal.csv")
    from_files = atlas_from_key_figures(folder, 2021, 2023, together.national_averages())

    def statuses(entries: list[AtlasEntry]) -> dict[object, dict[str, object]]:
        # the look-back list sees years before 2021 only in the full atlas
        return {(e.key, e.list_year): {n: s for n, s in e.lists.items() if n not in HISTORY_LISTS} for e in entries}

    expected = statuses([e for e in atlas.entries if 2021 <= e.list_year <= 2023])
    assert statuses(from_files.entries) == expected
    assert sum(1 for lists in expected.values() if True in lists.values()) >= 5


def test_command_writes_files_and_loads_the_database(country: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    result = runner.invoke(
        app, ["atlas", str(country), "--from", "2020", "--to", "2022", "--out", str(tmp_path / "ud"), "--db", url]
    )
    assert result.exit_code == 0, result.output
    assert "boligområder" in result.output and "Indlæste atlasset" in result.output
    assert (tmp_path / "ud" / "atlas.csv").exists() and (tmp_path / "ud" / "atlas.json").exists()
    engine = create_engine_for(url)
    try:
        (source,) = AtlasService(session_factory(engine), SYSTEM_ACTOR).sources()
    finally:
        engine.dispose()
    assert source.name == "persondata" and source.years == (2020, 2021, 2022)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2010", "--to", "2012"], "angiv --out MAPPE"),
        (["--from", "2012", "--to", "2010", "--out", "ud"], "--from (2012) ligger efter --to (2010)"),
        (["--out", "ud", "--official", "lister.csv"], "angiv præcis én kilde"),
    ],
)
def test_command_refuses_in_danish(country: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["atlas", str(country), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_the_atlas_json_is_one_unit_per_line_and_reads_back_as_the_atlas(atlas: Atlas) -> None:
    text = atlas_json(atlas)
    data = json.loads(text)
    assert data["units"] == [entry_dict(e) for e in atlas.entries]
    assert data["list_years"] == list(atlas.years)
    lines = text.splitlines()
    assert len(lines) == 2 + len(atlas.entries)  # the header, a line per unit, the closing bracket
