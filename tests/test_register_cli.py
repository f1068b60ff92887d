"""`boligsocial register synth | compute`: end to end, the key-figure file `check` reads, the output
formats, and bad input: one Danish message naming file and column, a non-zero exit, and no file
left behind."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boligsocial.cli import app as main_app
from boligsocial.plan.keyfigures import read_key_figures
from boligsocial.register.cli import register_app
from register_helpers import SCHEMA, in_years, person, write_csv, write_parquet

runner = CliRunner()


def register(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(register_app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "persondata"
    code, _, err = register("synth", "--persons", "20000", "--years", "2", "--seed", "1", "--out", folder)
    assert code == 0, err
    return folder


def test_synth_writes_one_file_per_year_and_a_manifest(country: Path) -> None:
    assert sorted(p.name for p in country.iterdir()) == ["personer_2022.parquet", "personer_2023.parquet", "synth.json"]
    manifest = json.loads((country / "synth.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == 40_000
    assert {"P", "U", "F", "G60", "G60+"} <= set(manifest["areas"].values())


def test_synth_is_deterministic(tmp_path: Path, country: Path) -> None:
    again = tmp_path / "again"
    assert register("synth", "--persons", "20000", "--years", "2", "--seed", "1", "--out", again)[0] == 0
    for name in ("personer_2022.parquet", "personer_2023.parquet"):
        assert (again / name).read_bytes() == (country / name).read_bytes()


def _check(path: Path, year: int, stderr: str, fmt: str = "json") -> Any:
    """Run `boligsocial check` with exactly the command `register compute` printed."""
    match = re.search(r"boligsocial check (\S+) --year (\d+)((?: --convicted-national-avg \S+)*)", stderr)
    assert match, stderr
    args = ["check", match.group(1), "--year", match.group(2), *match.group(3).split(), "--format", fmt]
    result = runner.invoke(main_app, args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def test_synth_compute_check_end_to_end(tmp_path: Path, country: Path) -> None:
    figures = tmp_path / "noegletal.csv"
    code, out, err = register("compute", country, "--year", "2024", "--out", figures, "--format", "json")
    assert code == 0, err
    computed = json.loads(out)
    assert computed["list_year"] == 2024
    assert computed["register"]["discretion"]["min_cell"] == 5
    assert computed["register"]["national_conviction"]["average_pct"] > 0
    units = read_key_figures(figures)
    kinds = {u.kind for u in units}
    assert kinds == {"afdeling", "omraade"}
    checked = _check(figures, 2024, err)
    # check on the written file reproduces compute's verdicts for every area, criterion by criterion
    by_name = {u["name"]: u for u in checked["units"] if u["kind"] == "omraade"}
    assert len(by_name) == len(computed["units"])
    for unit in computed["units"]:
        assert by_name[unit["name"]]["lists"] == unit["lists"], unit["name"]
        verdicts = {c["key"]: c["verdict"] for c in unit["criteria"]}
        assert {c["key"]: c["verdict"] for c in by_name[unit["name"]]["criteria"]} == verdicts
    # the planted areas land where they were planted
    roles = json.loads((country / "synth.json").read_text(encoding="utf-8"))["areas"]
    lists = {roles[u["name"]]: u["lists"] for u in computed["units"]}
    assert lists["P"]["parallelsamfund"] is True
    assert lists["U"]["udsat_boligomraade"] is True and lists["U"]["parallelsamfund"] is False
    assert lists["F"]["forebyggelsesomraade"] is True
    assert lists["G60"]["udsat_boligomraade"] is False  # exactly 60.0 %: "overstiger" is not met
    assert lists["G60+"]["udsat_boligomraade"] is True  # one person more
    grundskole = {roles[u["name"]]: u for u in computed["units"]}["G60"]["criteria"]
    assert next(c for c in grundskole if c["key"] == "kun_grundskole")["value"] == 60.0


def test_history_years_decide_omdannelsesomraade(tmp_path: Path) -> None:
    folder = tmp_path / "seks"
    assert register("synth", "--persons", "20000", "--years", "6", "--out", folder)[0] == 0
    figures = tmp_path / "noegletal.csv"
    code, out, err = register(
        "compute", folder, "--year", "2024", "--from-year", "2020", "--out", figures, "--format", "json"
    )
    assert code == 0, err
    roles = json.loads((folder / "synth.json").read_text(encoding="utf-8"))["areas"]
    lists = {roles[u["name"]]: u["lists"] for u in json.loads(out)["units"]}
    assert lists["P"]["omdannelsesomraade"] is True  # parallelsamfund in each of 2020-2024
    assert lists["U"]["omdannelsesomraade"] is False
    assert {u.list_year for u in read_key_figures(figures)} == {2020, 2021, 2022, 2023, 2024}
    checked = _check(figures, 2024, err)
    by_name = {u["name"]: u["lists"] for u in checked["units"] if u["kind"] == "omraade"}
    assert all(by_name[u["name"]] == u["lists"] for u in json.loads(out)["units"])


def test_data_without_areas_still_gives_the_afdelinger(tmp_path: Path) -> None:
    rows = [r for p in range(40) for r in in_years(person(afdeling=f"A-{p % 4}", alder=20 + p), (2022, 2023))]
    path = write_parquet(tmp_path / "data" / "personer.parquet", rows)
    figures = tmp_path / "noegletal.csv"
    for fmt in ("table", "json", "csv"):
        code, out, err = register("compute", path, "--year", "2024", "--out", figures, "--format", fmt)
        assert code == 0, err
    assert {u.name for u in read_key_figures(figures)} == {"A-0", "A-1", "A-2", "A-3"}
    code, out, err = register("compute", path, "--year", "2024")
    assert "ingen boligområder" in out


def test_table_and_csv_outputs(country: Path) -> None:
    code, out, err = register("compute", country, "--year", "2024")
    assert code == 0, err
    assert "Områdelister 2024, beregnet fra persondata" in out
    assert "Landsgennemsnit for dømte" in out
    assert "Diskretion: tal bygget på færre end 5 personer vises ikke" in out
    code, out, err = register("compute", country, "--year", "2024", "--format", "csv")
    assert code == 0, err
    header = out.splitlines()[0].split(";")
    assert header[:3] == ["listeaar", "enhed", "type"]
    assert all(line.split(";")[2] == "omraade" for line in out.splitlines()[1:])


def test_xlsx_output_is_read_by_check(tmp_path: Path, country: Path) -> None:
    figures = tmp_path / "noegletal.xlsx"
    code, _, err = register("compute", country, "--year", "2024", "--out", figures, "--format", "csv")
    assert code == 0, err
    assert figures.exists()
    assert {u.kind for u in read_key_figures(figures)} == {"afdeling", "omraade"}


def test_method_parameters_are_recorded(country: Path) -> None:
    code, out, err = register(
        "compute", country, "--year", "2024", "--format", "json", "--method", "averaging=mean", "--min-cell", "1"
    )
    assert code == 0, err
    data = json.loads(out)["register"]
    assert data["method"]["averaging"] == "mean"
    assert data["discretion"] == {"min_cell": 1, "suppressed_primary": 0, "suppressed_secondary": 0}


# --------------------------------------------------------------------------------------------
# Bad input


def _assert_fails(tmp_path: Path, persons: list[Path] | Path, *words: str, year: int = 2024) -> str:
    out = tmp_path / "out" / "noegletal.csv"
    out.parent.mkdir(exist_ok=True)
    paths = persons if isinstance(persons, list) else [persons]
    code, stdout, err = register("compute", *paths, "--year", str(year), "--out", out)
    assert code != 0
    assert stdout == ""
    assert err.startswith("Fejl: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert list(out.parent.iterdir()) == []  # nothing written, not even a temporary file
    return err


def _people(years: tuple[int, ...] = (2022, 2023), **overrides: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(30):
        rows += in_years(person(afdeling="A-1", omraade="O", alder=20 + i, **overrides), years)
    return rows


def test_file_that_does_not_exist(tmp_path: Path) -> None:
    _assert_fails(tmp_path, tmp_path / "findes-ikke.parquet", "findes-ikke.parquet", "findes ikke")


def test_folder_without_data_files(tmp_path: Path) -> None:
    (tmp_path / "tom").mkdir()
    _assert_fails(tmp_path, tmp_path / "tom", "ingen .parquet- eller .csv-filer")


def test_missing_column(tmp_path: Path) -> None:
    rows = _people()
    schema = SCHEMA.remove(SCHEMA.get_field_index("doemt"))
    path = write_parquet(
        tmp_path / "data" / "personer.parquet", [{k: v for k, v in r.items() if k != "doemt"} for r in rows], schema
    )
    _assert_fails(tmp_path, path, "personer.parquet", 'kolonnen "doemt" mangler')


def test_wrong_type_in_parquet(tmp_path: Path) -> None:
    import pyarrow as pa

    rows = [{**r, "alder": str(r["alder"])} for r in _people()]
    schema = SCHEMA.set(SCHEMA.get_field_index("alder"), pa.field("alder", pa.string()))
    path = write_parquet(tmp_path / "data" / "personer.parquet", rows, schema)
    _assert_fails(tmp_path, path, "personer.parquet", 'kolonnen "alder" har typen VARCHAR', "heltal")


def test_wrong_type_in_csv(tmp_path: Path) -> None:
    rows = _people()
    rows[7]["alder"] = "fyrre"
    path = write_csv(tmp_path / "data" / "personer.csv", rows)
    _assert_fails(tmp_path, path, "personer.csv", "linje 9", 'kolonne "alder"', '"fyrre"', "alder mellem 0 og 125")


def test_age_out_of_range(tmp_path: Path) -> None:
    rows = _people()
    rows[5]["alder"] = 130
    path = write_parquet(tmp_path / "data" / "personer.parquet", rows)
    err = _assert_fails(tmp_path, path, "personer.parquet", 'kolonnen "alder" er 130', "række 6", "mellem 0 og 125")
    assert f"person_id {rows[5]['person_id']}" in err


def test_age_out_of_range_in_csv(tmp_path: Path) -> None:
    rows = _people()
    rows[3]["alder"] = -1
    path = write_csv(tmp_path / "data" / "personer.csv", rows)
    _assert_fails(tmp_path, path, "personer.csv", 'kolonnen "alder" er -1', "mellem 0 og 125")


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("herkomst", "svensk", ['kolonnen "herkomst" er "svensk"', "'dansk', 'indvandrer', 'efterkommer'"]),
        ("uden_for_promille", 1001, ['kolonnen "uden_for_promille" er 1001', "mellem 0 og 1000"]),
        ("region", 1090, ['kolonnen "region" er 1090', "regionskode"]),
        ("doemt", None, ['kolonnen "doemt" mangler', "sand/falsk"]),
        ("vestlig", None, ['kolonnen "vestlig" mangler', "kun mangle for personer af dansk oprindelse"]),
    ],
)
def test_invalid_values(tmp_path: Path, column: str, value: object, words: list[str]) -> None:
    rows = _people()
    rows[4][column] = value
    if column == "vestlig":
        rows[4]["herkomst"] = "indvandrer"
    path = write_parquet(tmp_path / "data" / "personer.parquet", rows)
    _assert_fails(tmp_path, path, "personer.parquet", *words)


def test_income_missing_for_a_tax_liable_person(tmp_path: Path) -> None:
    rows = _people()
    rows[2]["bruttoindkomst"] = None
    path = write_csv(tmp_path / "data" / "personer.csv", rows)
    _assert_fails(tmp_path, path, "personer.csv", 'kolonnen "bruttoindkomst" mangler', "ikke er skattepligtige")


def test_duplicate_person_year(tmp_path: Path) -> None:
    rows = _people()
    write_parquet(tmp_path / "data" / "a.parquet", rows)
    write_parquet(tmp_path / "data" / "b.parquet", [rows[0]])
    err = _assert_fails(tmp_path, tmp_path / "data", 'kolonnerne "person_id" og "aar"', "a.parquet", "b.parquet")
    assert f"person_id {rows[0]['person_id']} står 2 gange i data for {rows[0]['aar']}" in err


def test_duplicates_are_found_by_the_hash_check_too(tmp_path: Path) -> None:
    from boligsocial.register.compute import EngineOptions
    from boligsocial.register.lists import run
    from boligsocial.register.schema import RegisterError

    rows = _people()
    write_parquet(tmp_path / "data" / "a.parquet", [*rows, rows[3]])
    with pytest.raises(RegisterError, match=f"person_id {rows[3]['person_id']} står 2 gange"):
        run([tmp_path / "data"], [2024], engine=EngineOptions(full_duplicate_check=True))
    write_parquet(tmp_path / "data" / "a.parquet", rows)
    assert run([tmp_path / "data"], [2024], engine=EngineOptions(full_duplicate_check=True)).years


@pytest.mark.parametrize("per_year", [False, True], ids=["one-bitmap-for-all-years", "one-bitmap-per-year"])
def test_a_duplicate_is_found_in_its_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_year: bool) -> None:
    """The same person in both data years is no duplicate; twice in 2023 is, whether one bitmap
    covers both years or (ids too many for one) each year has its own."""
    from boligsocial.register import compute
    from boligsocial.register.lists import run
    from boligsocial.register.schema import RegisterError

    rows = _people()
    if per_year:  # room for one year's ids, not for two
        ids = [r["person_id"] for r in rows]
        monkeypatch.setattr(compute, "BITMAP_LIMIT", max(ids) - min(ids) + 1)
    write_parquet(tmp_path / "data" / "a.parquet", rows)
    assert run([tmp_path / "data"], [2024]).years
    twice = next(r for r in rows if r["aar"] == 2023)
    write_parquet(tmp_path / "data" / "a.parquet", [*rows, twice])
    with pytest.raises(RegisterError, match=f"person_id {twice['person_id']} står 2 gange i data for 2023"):
        run([tmp_path / "data"], [2024])


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_an_invalid_row_is_reported_before_a_duplicate(tmp_path: Path, fmt: str) -> None:
    """The duplicate check runs alongside the pass (from the start where the statistics give the
    id range, as in Parquet; after the pass in CSV); the pass's errors still come first, and a
    duplicate alone is still found in CSV."""
    from boligsocial.register.lists import run
    from boligsocial.register.schema import RegisterError

    write = write_parquet if fmt == "parquet" else write_csv
    rows = _people()
    twice = next(r for r in rows if r["aar"] == 2023)
    write(tmp_path / "data" / f"a.{fmt}", [*rows, twice])
    with pytest.raises(RegisterError, match=f"person_id {twice['person_id']} står 2 gange i data for 2023"):
        run([tmp_path / "data"], [2024])
    rows[2]["bruttoindkomst"] = None
    write(tmp_path / "data" / f"a.{fmt}", [*rows, twice])
    with pytest.raises(RegisterError, match='kolonnen "bruttoindkomst" mangler'):
        run([tmp_path / "data"], [2024])


def test_a_duplicate_is_reported_before_an_error_of_the_tally(tmp_path: Path) -> None:
    """The tally runs while the duplicate check finishes; a duplicate is still the error reported,
    as when the check ran to its end before the tally."""
    from boligsocial.register.lists import run
    from boligsocial.register.schema import RegisterError

    rows = [r for i in range(30) for r in in_years(person(afdeling="A-1", omraade="O", alder=i % 18), (2022, 2023))]
    # nobody of 18 or over: no national average of convictions
    write_parquet(tmp_path / "data" / "a.parquet", rows)
    with pytest.raises(RegisterError, match="ingen beboere på 18 år og derover"):
        run([tmp_path / "data"], [2024])
    twice = next(r for r in rows if r["aar"] == 2022)
    write_parquet(tmp_path / "data" / "a.parquet", [*rows, twice])
    with pytest.raises(RegisterError, match=f"person_id {twice['person_id']} står 2 gange i data for 2022"):
        run([tmp_path / "data"], [2024])


def test_bad_herkomst_in_csv_and_in_a_year_not_used(tmp_path: Path) -> None:
    """In CSV, herkomst is checked in the pass; in Parquet from the dictionaries, but still only
    in the data years the list year uses."""
    rows = _people()
    rows[3]["herkomst"] = "svensk"
    path = write_csv(tmp_path / "data" / "personer.csv", rows)
    _assert_fails(tmp_path, path, "personer.csv", 'kolonnen "herkomst" er "svensk"')
    from boligsocial.register.lists import run

    old = _people(years=(2019,))
    old[0]["herkomst"] = "svensk"
    path.unlink()
    write_parquet(tmp_path / "data" / "personer.parquet", [*_people(), *old])
    assert run([tmp_path / "data"], [2024]).years


def test_missing_data_year_for_the_two_year_average(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "data" / "personer.parquet", _people(years=(2023,)))
    _assert_fails(tmp_path, path, "listeår 2024 kræver data for 2022", 'kolonnen "aar"', "2023", "doemte (2022, 2023)")


def test_afdeling_in_two_areas(tmp_path: Path) -> None:
    rows = _people()
    rows[0]["omraade"] = "Andet område"
    path = write_parquet(tmp_path / "data" / "personer.parquet", rows)
    _assert_fails(tmp_path, path, "personer.parquet", 'kolonnerne "afdeling" og "omraade"', '"A-1"', "Andet område")


def test_mixed_formats_and_unknown_suffix(tmp_path: Path) -> None:
    write_parquet(tmp_path / "data" / "a.parquet", _people())
    write_csv(tmp_path / "data" / "b.csv", _people())
    _assert_fails(tmp_path, tmp_path / "data", "blande Parquet- og CSV-filer")
    odd = tmp_path / "x.txt"
    odd.write_text("hej", encoding="utf-8")
    _assert_fails(tmp_path, odd, "x.txt", "Parquet (.parquet) eller CSV (.csv)")


def test_not_a_parquet_file(tmp_path: Path) -> None:
    bad = tmp_path / "data" / "personer.parquet"
    bad.parent.mkdir()
    bad.write_text("ikke parquet", encoding="utf-8")
    _assert_fails(tmp_path, bad, "personer.parquet", "kan ikke læses som Parquet")


def test_bad_options(tmp_path: Path, country: Path) -> None:
    code, _, err = register("compute", country, "--year", "2024", "--method", "averaging=median")
    assert code != 0 and "averaging=median" in err and "pooled, mean" in err
    code, _, err = register("compute", country, "--year", "2024", "--method", "rounding=1")
    assert code != 0 and "NAVN=VÆRDI" in err
    code, _, err = register("compute", country, "--year", "2024", "--out", tmp_path / "x.pdf")
    assert code != 0 and ".csv eller .xlsx" in err
    code, _, err = register("compute", country, "--year", "2009")
    assert code != 0 and "Ingen regler i kraft for listeår 2009" in err
    code, _, err = register("compute", country, "--year", "2024", "--memory-limit", "lots")
    assert code != 0 and "motorindstilling" in err
