"""`boligsocial check` end to end on the bundled example, its formats, errors, and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from boligsocial.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mit-kvarter"
TODAYS_DEPARTMENTS = {
    "Folehaven", "Grønrisvej", "Händelsvej", "Damagervej", "Stubmøllevej", "Ved Rosenhaven",
    "Hammelstruphus", "Valby ejendommene", "Sjælør Boulevard", "Havekildegård", "Elleparken",
    "Hornemanns Vænge", "Afd. 50",
}  # fmt: skip

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def check_json(*args: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run("check", str(EXAMPLE), "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_json_classifies_all_28_departments_and_the_area() -> None:
    data = check_json("--year", "2022")
    assert data["list_year"] == 2022
    kinds = [u["kind"] for u in data["units"]]
    assert kinds.count("afdeling") == 28
    assert kinds.count("omraade") == 1
    for unit in data["units"]:
        assert set(unit["lists"]) == {
            "udsat_boligomraade",
            "parallelsamfund",
            "omdannelsesomraade",
            "forebyggelsesomraade",
        }
        assert set(unit) >= {"name", "kind", "residents", "approximate", "lists", "criteria"}


def test_seed_claims_folehaven_and_sjaeloer_are_forebyggelsesomraader() -> None:
    units = {(u["kind"], u["name"]): u for u in check_json("--year", "2022")["units"]}
    folehaven = units[("afdeling", "Folehaven")]
    assert folehaven["lists"]["forebyggelsesomraade"] is True
    assert folehaven["lists"]["udsat_boligomraade"] is False
    assert folehaven["on_any_list"] is True
    area = units[("omraade", "Sjælør Boulevard")]
    assert area["residents"] == 1227
    assert area["approximate"] is True
    assert area["lists"]["forebyggelsesomraade"] is True
    assert area["members"] == ["Afd. 50", "Sjælør Boulevard"]


def test_criteria_carry_threshold_operator_margin_and_citation() -> None:
    units = {u["name"]: u for u in check_json("--year", "2022")["units"] if u["kind"] == "afdeling"}
    criteria = {c["key"]: c for c in units["Folehaven"]["criteria"]}
    convicted = criteria["forebyggelse_doemte"]
    assert (convicted["value"], convicted["threshold"], convicted["operator"]) == (1.79, 1.45, "≥")
    assert convicted["verdict"] == "opfyldt"
    assert convicted["margin_pp"] == 0.34
    assert "§ 61 b" in convicted["citation"]["paragraph"]
    assert criteria["doemte"]["verdict"] == "ikke_opfyldt"
    assert criteria["doemte"]["margin_pp"] == -0.39


def test_small_departments_are_on_no_list_but_most_would_be_as_areas() -> None:
    plain = {u["name"]: u for u in check_json("--year", "2022")["units"] if u["kind"] == "afdeling"}
    assert plain["Elleparken"]["lists"]["parallelsamfund"] is False
    assert plain["Elleparken"]["as_area"]["parallelsamfund"] is True
    ignored = {u["name"]: u for u in check_json("--year", "2022", "--ignore-min-residents")["units"]}
    qualifying = [name for name in TODAYS_DEPARTMENTS if any(s is True for s in ignored[name]["lists"].values())]
    assert len(qualifying) > len(TODAYS_DEPARTMENTS) / 2, qualifying


def test_suppressed_department_is_undetermined_not_guessed() -> None:
    units = {u["name"]: u for u in check_json("--year", "2022")["units"] if u["kind"] == "afdeling"}
    assert set(units["Stubmøllevej"]["lists"].values()) == {None}


def undated_copy(folder: Path) -> Path:
    """The example's figures without the list-year column, to evaluate under any year's rules."""
    rows = (EXAMPLE / "noegletal.csv").read_text(encoding="utf-8").splitlines()
    undated = folder / "noegletal.csv"
    undated.write_text("\n".join(line.rsplit(";", 1)[0] for line in rows) + "\n", encoding="utf-8")
    return undated


def test_earlier_years_use_todays_names_and_omit_lists_that_did_not_exist(tmp_path: Path) -> None:
    undated = undated_copy(tmp_path)
    expected = {
        2012: {"parallelsamfund"},
        2015: {"parallelsamfund"},
        2019: {"udsat_boligomraade", "parallelsamfund", "omdannelsesomraade"},
    }
    for year, lists in expected.items():
        code, out, err = run("check", str(undated), "--year", str(year), "--format", "json")
        assert code == 0, err
        assert all(set(unit["lists"]) == lists for unit in json.loads(out)["units"])


def test_missing_national_average_is_asked_for_where_it_decides(tmp_path: Path) -> None:
    undated = str(undated_copy(tmp_path))
    code, out, err = run("check", undated, "--year", "2023")
    assert code == 0, err
    assert "Dømte: landsgennemsnittet er ikke kendt for listeår 2023" in out
    assert "afhænger af det for: Sjælør Boulevard (område)." in out
    assert "--convicted-national-avg 2023:PCT" in out
    assert "Traceback" not in out + err
    code, out, err = run("check", undated, "--year", "2023", "--convicted-national-avg", "0,725", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["conviction_thresholds"]["3"]["threshold"] == 2.175
    assert data["conviction_thresholds"]["2"]["citation"]["certainty"] == "user"


def test_year_without_rules_is_an_error() -> None:
    code, _, err = run("check", str(EXAMPLE), "--year", "2009")
    assert code != 0
    assert "listeår 2009" in err


def test_csv_and_table_formats() -> None:
    code, out, _ = run("check", str(EXAMPLE), "--year", "2022", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("listeaar;enhed;type")
    assert len(lines) == 1 + 29
    assert any(line.startswith("2022;Folehaven;afdeling;3B;;1964;nej;30,9000;") for line in lines)
    code, out, _ = run("check", str(EXAMPLE), "--year", "2022")
    assert code == 0
    assert "Forlader listen, hvis ikke-vestlige indvandrere og efterkommere falder til 30 pct." in out


def test_bad_input_gives_a_danish_message_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "noegletal.csv"
    bad.write_text("afdeling;beboere\nA;12,5\n", encoding="utf-8")
    code, out, err = run("check", str(bad), "--year", "2022")
    assert code == 2
    assert "noegletal.csv" in err and "Traceback" not in out + err
    code, _, err = run("check", str(tmp_path / "findes-ikke.csv"))
    assert code == 2 and "findes ikke" in err
    code, _, err = run("check", str(EXAMPLE), "--convicted-national-avg", "abc")
    assert code == 2 and "abc" in err


def test_readme_table_is_what_the_command_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- check-table:start -->\n```\n(.*?)```", readme, re.S)
    assert block is not None
    _, out, _ = run("check", str(EXAMPLE), "--year", "2022")
    printed = out.splitlines()
    for line in block.group(1).splitlines():
        assert line in printed, line


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "dev.py test" in line).strip()
    assert command in readme
