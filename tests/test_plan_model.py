"""The helhedsplan model, its validation, and the plan-folder format (load, save, errors)."""

from __future__ import annotations

import copy
import re
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from boligsocial.danish import format_ungrouped_number, parse_ungrouped_number
from boligsocial.plan.folder import PLAN_FILENAME, PlanError, load_plan, plan_to_toml, save_plan
from boligsocial.plan.model import (
    INDSATSOMRAADER,
    AfdelingRef,
    AfdelingStatus,
    Enhed,
    ForumNiveau,
    Helhedsplan,
    Liste,
    RettelseArt,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"

# English fragments that must never reach a user.
ENGLISH = re.compile(
    r"Field required|Value error|validation error|Input should|Traceback|Expected|Invalid|line \d|pydantic",
)


def base_plan() -> dict[str, Any]:
    return {
        "navn": "Testplan",
        "kommune": "Testrup Kommune",
        "ansoeger": "Boligselskabet A",
        "periode": {"start": date(2025, 1, 1), "slut": date(2028, 12, 31)},
        "boligorganisationer": [
            {"kortnavn": "A", "navn": "Boligselskabet A", "aliaser": ["Bolig A"]},
            {"kortnavn": "B", "navn": "Boligselskabet B"},
        ],
        "afdelinger": [
            {"navn": "Parken", "boligorganisation": "A", "boliger": 100, "aliaser": ["Parkvej"]},
            {"navn": "Engen", "boligorganisation": "A", "boliger": 50},
            {"navn": "Parken", "boligorganisation": "B", "boliger": 20, "status": "betinget", "betingelse": "Hvis x."},
        ],
        "omraader": [
            {"navn": "Parkområdet", "afdelinger": [{"afdeling": "Parken", "boligorganisation": "A"}, "Engen"]},
        ],
        "indsatsomraader": [{"navn": "Beskæftigelse"}],
        "indikatorer": [
            {
                "id": "beskaeftigede",
                "navn": "Beskæftigede",
                "enhed": "pct",
                "gaelder": "Testplan",
                "indsatsomraade": "Beskæftigelse",
                "maalinger": [{"vaerdi": "58,7", "aar": 2023}],
            }
        ],
        "rettelser": [{"original": "Engenn", "rettet": "Engen", "art": "navn"}],
    }


def messages(exc: ValidationError) -> str:
    return str(exc)


# ---- the model -------------------------------------------------------------------------------


def test_base_plan_is_valid() -> None:
    plan = Helhedsplan.model_validate(base_plan())
    assert plan.total_boliger == 170
    assert [a.navn for a in plan.afdelinger_i_plan] == ["Parken", "Engen"]
    assert plan.structural_problems() == []
    assert plan.afdelinger_by_boligorganisation() == {
        "A": plan.afdelinger[:2],
        "B": plan.afdelinger[2:],
    }


def test_periode_start_before_slut() -> None:
    data = base_plan()
    data["periode"] = {"start": date(2028, 1, 1), "slut": date(2025, 1, 1)}
    with pytest.raises(ValidationError, match=r"periodens start .* skal ligge før"):
        Helhedsplan.model_validate(data)


def test_indsatsomraade_must_be_one_of_four() -> None:
    data = base_plan()
    data["indsatsomraader"] = [{"navn": "Integration"}]
    with pytest.raises(ValidationError, match="ikke et af LBF's fire indsatsområder"):
        Helhedsplan.model_validate(data)
    data["indsatsomraader"] = [{"navn": "uddannelse og Livschancer"}]
    with pytest.raises(ValidationError, match='mente du "Uddannelse og livschancer"'):
        Helhedsplan.model_validate(data)
    for navn in INDSATSOMRAADER:
        data["indsatsomraader"] = [{"navn": navn}]
        data["indikatorer"] = []
        assert Helhedsplan.model_validate(data).indsatsomraader[0].navn == navn


def test_duplicate_indsatsomraade() -> None:
    data = base_plan()
    data["indsatsomraader"] = [{"navn": "Beskæftigelse"}, {"navn": "Beskæftigelse"}]
    with pytest.raises(ValidationError, match="er nævnt før"):
        Helhedsplan.model_validate(data)


def test_unknown_boligorganisation() -> None:
    data = base_plan()
    data["afdelinger"][1]["boligorganisation"] = "C"
    with pytest.raises(ValidationError) as info:
        Helhedsplan.model_validate(data)
    (error,) = info.value.errors()
    assert error["type"] == "plan_reference"
    assert error["ctx"]["problems"] == [
        (
            ("afdelinger", 1, "boligorganisation"),
            'boligorganisationen "C" findes ikke i planens boligorganisationer (kendte kortnavne: "A", "B")',
        )
    ]


def test_boligorganisation_alias_suggests_kortnavn() -> None:
    data = base_plan()
    data["afdelinger"][1]["boligorganisation"] = "Bolig A"
    with pytest.raises(ValidationError, match='brug kortnavnet "A"'):
        Helhedsplan.model_validate(data)


def test_duplicate_afdeling_in_same_organisation() -> None:
    data = base_plan()
    data["afdelinger"][1]["navn"] = "parken"
    with pytest.raises(ValidationError, match='har allerede en afdeling ved navn "parken"'):
        Helhedsplan.model_validate(data)


def test_same_name_in_two_organisations_needs_qualified_reference() -> None:
    data = base_plan()
    data["omraader"][0]["afdelinger"][0] = "Parken"
    with pytest.raises(ValidationError, match=r'flere afdelinger ved navn "Parken".*angiv boligorganisation'):
        Helhedsplan.model_validate(data)
    plan = Helhedsplan.model_validate(base_plan())
    with pytest.raises(LookupError, match="flere afdelinger"):
        plan.find_afdeling("Parken")
    found = plan.find_afdeling("Parken", boligorganisation="Boligselskabet B")
    assert found is not None and found.boliger == 20


def test_area_member_must_exist() -> None:
    data = base_plan()
    data["omraader"][0]["afdelinger"].append("Skoven")
    with pytest.raises(ValidationError, match='afdelingen "Skoven" findes ikke'):
        Helhedsplan.model_validate(data)
    data["omraader"][0]["afdelinger"][-1] = "Parkvej"
    with pytest.raises(ValidationError, match='brug navnet "Parken"'):
        Helhedsplan.model_validate(data)
    data["omraader"][0]["afdelinger"][-1] = "Engen"
    with pytest.raises(ValidationError, match="nævnt to gange"):
        Helhedsplan.model_validate(data)
    data["omraader"][0]["afdelinger"] = []
    with pytest.raises(ValidationError):
        Helhedsplan.model_validate(data)


def test_organisation_alias_collision() -> None:
    data = base_plan()
    data["boligorganisationer"][1]["aliaser"] = ["boligselskabet a"]
    with pytest.raises(ValidationError, match="navn eller alias for en anden boligorganisation"):
        Helhedsplan.model_validate(data)
    data["boligorganisationer"][1]["kortnavn"] = "A"
    data["boligorganisationer"][1]["aliaser"] = []
    with pytest.raises(ValidationError, match='kortnavnet "A" er brugt før'):
        Helhedsplan.model_validate(data)


def test_alias_collisions() -> None:
    data = base_plan()
    data["afdelinger"][1]["aliaser"] = ["Parken"]
    with pytest.raises(ValidationError, match="er navnet på en anden afdeling"):
        Helhedsplan.model_validate(data)
    data["afdelinger"][1]["aliaser"] = ["PARKVEJ"]
    with pytest.raises(ValidationError, match='også alias for afdelingen "Parken"'):
        Helhedsplan.model_validate(data)
    data["afdelinger"][1]["aliaser"] = ["engen"]
    with pytest.raises(ValidationError, match="det samme som afdelingens navn"):
        Helhedsplan.model_validate(data)


def test_indicator_references() -> None:
    data = base_plan()
    data["indikatorer"][0]["indsatsomraade"] = "Kriminalitetsforebyggelse"
    with pytest.raises(ValidationError, match="ikke med i planens indsatsomraader"):
        Helhedsplan.model_validate(data)
    data = base_plan()
    data["indikatorer"].append(copy.deepcopy(data["indikatorer"][0]))
    with pytest.raises(ValidationError, match='id "beskaeftigede" er brugt før'):
        Helhedsplan.model_validate(data)
    data = base_plan()
    data["indikatorer"][0]["id"] = "Beskæftigede"
    with pytest.raises(ValidationError):
        Helhedsplan.model_validate(data)
    data = base_plan()
    data["indikatorer"][0]["maalinger"] = [{"vaerdi": "1", "aar": 2020, "til_aar": 2019}]
    with pytest.raises(ValidationError, match="til_aar"):
        Helhedsplan.model_validate(data)


def test_betinget_without_betingelse_loads_and_is_exposed() -> None:
    data = base_plan()
    del data["afdelinger"][2]["betingelse"]
    plan = Helhedsplan.model_validate(data)
    assert [a.boligorganisation for a in plan.betingede_uden_betingelse] == ["B"]
    data["afdelinger"][2]["betingelse"] = "   "
    assert len(Helhedsplan.model_validate(data).betingede_uden_betingelse) == 1


def test_unknown_key_is_rejected() -> None:
    data = base_plan()
    data["afdelinger"][0]["boliiger"] = 3
    with pytest.raises(ValidationError, match="boliiger"):
        Helhedsplan.model_validate(data)


def test_noegletal_path_must_be_relative() -> None:
    data = base_plan()
    data["noegletal"] = "/data/noegletal.csv"
    with pytest.raises(ValidationError, match="skal være relativ"):
        Helhedsplan.model_validate(data)
    data["noegletal"] = "C:\\data\\noegletal.csv"
    with pytest.raises(ValidationError, match="skal være relativ"):
        Helhedsplan.model_validate(data)
    data["noegletal"] = "data/noegletal.csv"
    assert Helhedsplan.model_validate(data).noegletal == "data/noegletal.csv"


def test_rettelse_must_change_something() -> None:
    data = base_plan()
    data["rettelser"] = [{"original": "Engen", "rettet": "Engen", "art": "navn"}]
    with pytest.raises(ValidationError, match="den rettede tekst er den samme"):
        Helhedsplan.model_validate(data)


def test_lookup_follows_corrections_and_aliases() -> None:
    plan = Helhedsplan.model_validate(base_plan())
    found = plan.find_afdeling("ENGENN")
    assert found is not None and found.navn == "Engen"
    found = plan.find_afdeling("parkvej")
    assert found is not None and (found.navn, found.boligorganisation) == ("Parken", "A")
    assert plan.find_afdeling("Engen", boligorganisation="B") is None
    assert plan.find_afdeling("Engen", boligorganisation="Ukendt") is None
    assert plan.resolve(AfdelingRef(afdeling="Parken", boligorganisation="B")).boliger == 20
    with pytest.raises(LookupError):
        plan.resolve(AfdelingRef(afdeling="Parkvej"))


def test_structural_problems_after_mutation() -> None:
    plan = Helhedsplan.model_validate(base_plan())
    plan.afdelinger[0].boligorganisation = "X"
    assert [loc for loc, _ in plan.structural_problems()] == [
        ("afdelinger", 0, "boligorganisation"),
        ("omraader", 0, "afdelinger", 0),  # {Parken, A} no longer resolves
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,21", Decimal("8.21")),
        ("8.21", Decimal("8.21")),
        ("0.125", Decimal("0.125")),
        ("1.9645", Decimal("1.9645")),
        (" 338,4 ", Decimal("338.4")),
        ("-1,5", Decimal("-1.5")),
        ("439", Decimal("439")),
        (439, Decimal("439")),
        (8.21, Decimal("8.21")),
        (Decimal("60.73"), Decimal("60.73")),
    ],
)
def test_parse_ungrouped_number(text: object, expected: Decimal) -> None:
    value = parse_ungrouped_number(text)
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize("text", ["1.964,5", "8,2,1", "abc", "", "1 000", "٣", True, None, [1]])
def test_parse_ungrouped_number_rejects(text: object) -> None:
    with pytest.raises(ValueError, match="tal"):
        parse_ungrouped_number(text)


@pytest.mark.parametrize("text", ["1.964", "-12.500", "455.000"])
def test_parse_ungrouped_number_refuses_ambiguous_thousands(text: str) -> None:
    with pytest.raises(ValueError, match="tvetydigt"):
        parse_ungrouped_number(text)
    # Unambiguous forms of the same digits are fine.
    assert parse_ungrouped_number(text.replace(".", ",")) == Decimal(text)
    assert parse_ungrouped_number(text.replace(".", "")) == Decimal(text.replace(".", ""))


def test_float_values_are_exact() -> None:
    data = base_plan()
    data["indikatorer"][0]["maalinger"] = [{"vaerdi": 0.1}, {"vaerdi": "0,1"}]
    plan = Helhedsplan.model_validate(data)
    assert [m.vaerdi for m in plan.indikatorer[0].maalinger] == [Decimal("0.1"), Decimal("0.1")]


def test_format_ungrouped_number() -> None:
    assert format_ungrouped_number(Decimal("8.21")) == "8,21"
    assert format_ungrouped_number(Decimal("455.00")) == "455,00"
    assert format_ungrouped_number(Decimal("1E+3")) == "1000"
    assert format_ungrouped_number(Decimal("-0.5")) == "-0,5"


def test_enum_labels() -> None:
    assert Enhed.PR_1000_BOERN.label == "pr. 1.000 børn"
    assert Enhed.PCT.label == "%"
    assert AfdelingStatus.BETINGET.label == "Betinget deltagelse"


def test_indicator_latest_and_first() -> None:
    data = base_plan()
    data["indikatorer"][0]["maalinger"] = [
        {"vaerdi": "3", "aar": 2021},
        {"vaerdi": "1", "aar": 2017},
        {"vaerdi": "2", "aar": 2019},
    ]
    indikator = Helhedsplan.model_validate(data).indikatorer[0]
    assert indikator.seneste is not None and indikator.seneste.vaerdi == Decimal("3")
    assert indikator.foerste is not None and indikator.foerste.vaerdi == Decimal("1")


# ---- the folder: errors ---------------------------------------------------------------------------


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PLAN_FILENAME
    path.write_text(text, encoding="utf-8")
    return path


def example_text() -> str:
    return (EXAMPLE / PLAN_FILENAME).read_text(encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[occurrence]


def assert_danish(error: PlanError, path: Path) -> str:
    message = str(error)
    assert str(path) in message
    assert ENGLISH.search(message) is None, message
    return message


def test_bad_toml_syntax(tmp_path: Path) -> None:
    text = example_text().replace('kommune = "Københavns Kommune"', "kommune = Københavns Kommune")
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    line = line_of(text, "kommune = Københavns Kommune")
    assert f"linje {line}, kolonne 11" in message
    assert "ugyldig TOML-syntaks" in message
    assert info.value.problems[0].line == line


def test_unclosed_inline_table(tmp_path: Path) -> None:
    path = write(tmp_path, 'navn = "x"\nperiode = { start = 2025-01-01, slut = 2028-12-31\n')
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    assert "linje 2" in message and "er ikke lukket" in message


def test_unknown_organisation_reference(tmp_path: Path) -> None:
    text = example_text()
    needle = 'navn = "Elleparken"\nboligorganisation = "SAB"'
    assert needle in text
    text = text.replace(needle, 'navn = "Elleparken"\nboligorganisation = "SABB"')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    (problem,) = info.value.problems
    assert problem.line == line_of(text, 'boligorganisation = "SABB"')
    assert problem.location == 'afdelinger nr. 26 ("Elleparken") › boligorganisation'
    assert problem.key_path == "afdelinger[25].boligorganisation"
    assert 'boligorganisationen "SABB" findes ikke' in message
    assert f"linje {problem.line}" in message


def test_wrong_indsatsomraade(tmp_path: Path) -> None:
    text = example_text().replace('navn = "Kriminalitetsforebyggelse"', 'navn = "Kriminalitet"')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    (problem,) = info.value.problems
    assert problem.line == line_of(text, 'navn = "Kriminalitet"')
    assert problem.location == 'indsatsomraader nr. 3 ("Kriminalitet") › navn'
    assert "ikke et af LBF's fire indsatsområder" in message


def test_indicator_with_undeclared_indsatsomraade(tmp_path: Path) -> None:
    text = example_text()
    start = text.index('[[indsatsomraader]]\nnavn = "Beskæftigelse"')
    end = text.index('[[indsatsomraader]]\nnavn = "Kriminalitetsforebyggelse"')
    text = text[:start] + text[end:]
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert_danish(info.value, path)
    lines = [p.line for p in info.value.problems]
    assert lines == [
        line_of(text, 'indsatsomraade = "Beskæftigelse"', 0),
        line_of(text, 'indsatsomraade = "Beskæftigelse"', 1),
    ]
    assert all("ikke med i planens indsatsomraader" in p.message for p in info.value.problems)


def test_missing_required_field(tmp_path: Path) -> None:
    text = example_text()
    needle = 'navn = "Grønrisvej"\nboligorganisation = "3B"\nboliger = 66\n'
    assert needle in text
    text = text.replace(needle, 'navn = "Grønrisvej"\nboligorganisation = "3B"\n')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    (problem,) = info.value.problems
    assert problem.location == 'afdelinger nr. 2 ("Grønrisvej") › boliger'
    assert problem.message == "påkrævet nøgle mangler"
    # The key is missing, so the error points at the [[afdelinger]] header of that afdeling.
    assert problem.line == line_of(text, 'navn = "Grønrisvej"') - 1
    assert "påkrævet nøgle mangler" in message


def test_missing_top_level_field_and_several_errors(tmp_path: Path) -> None:
    text = (
        example_text()
        .replace('kommune = "Københavns Kommune"\n', "")
        .replace("boliger = 56\n", 'boliger = "mange"\n', 1)
    )
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    assert message.startswith(f"2 fejl i {path}:")
    by_location = {p.location: p for p in info.value.problems}
    assert by_location["kommune"].message == "påkrævet nøgle mangler"
    assert by_location["kommune"].line is None
    stub = by_location['afdelinger nr. 5 ("Stubmøllevej") › boliger']
    assert stub.message == "skal være et heltal"
    assert stub.line == line_of(text, 'boliger = "mange"')


def test_nested_table_location(tmp_path: Path) -> None:
    text = example_text().replace('niveau = "bydel"', 'niveau = "region"')
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    (problem,) = info.value.problems
    assert problem.location == 'organisation › fora nr. 2 ("Københavns Bydelsbestyrelse") › niveau'
    assert problem.line == line_of(text, 'niveau = "region"')
    assert 'skal være en af: "by", "bydel" eller "helhedsplan"' in message


def test_inline_array_element_location(tmp_path: Path) -> None:
    text = example_text().replace(
        '{ boligorganisation = "AAB", afdeling = "Afd. 50" }', '{ boligorganisation = "AAB", afdeling = "Afd. 51" }'
    )
    write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    (problem,) = info.value.problems
    assert problem.location == 'omraader nr. 1 ("Sjælør Boulevard") › afdelinger nr. 1 ("Afd. 51")'
    assert problem.line == line_of(text, 'afdeling = "Afd. 51"')


def test_bad_number(tmp_path: Path) -> None:
    text = example_text().replace('vaerdi = "8,21"', 'vaerdi = "8;21"', 1)
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    message = assert_danish(info.value, path)
    (problem,) = info.value.problems
    assert problem.location == 'indikatorer nr. 1 ("fravaer-grundskole") › maalinger nr. 1 › vaerdi'
    assert problem.line == line_of(text, '"8;21"')
    assert '"8;21" er ikke et tal' in message


def test_unknown_key(tmp_path: Path) -> None:
    text = example_text().replace("boliger = 973", "boliger = 973\nbeboere = 1964")
    write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    (problem,) = info.value.problems
    assert problem.location == 'afdelinger nr. 1 ("Folehaven") › beboere'
    assert problem.message.startswith("ukendt nøgle")
    assert problem.line == line_of(text, "beboere = 1964")


def test_missing_folder_and_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="mappen findes ikke"):
        load_plan(tmp_path / "findes-ikke")
    with pytest.raises(PlanError, match=f"en plan-mappe skal indeholde {PLAN_FILENAME}"):
        load_plan(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    tmp_path.joinpath(PLAN_FILENAME).write_bytes('navn = "x"\nkommune = "København"\n'.encode("latin-1"))
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert "UTF-8" in str(info.value)
    assert info.value.problems[0].line == 2


def test_unknown_format_version(tmp_path: Path) -> None:
    write(tmp_path, example_text().replace("formatversion = 1", "formatversion = 7"))
    with pytest.raises(PlanError, match="formatversion 7 kendes ikke"):
        load_plan(tmp_path)


def test_toml_file_path_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "anden.toml"
    path.write_text("\ufeff" + example_text(), encoding="utf-8")
    plan = load_plan(path)
    assert plan.navn == "Mit Kvarter"


# ---- the folder: saving ----------------------------------------------------------------------------


def test_save_refuses_invalid_plan_and_keeps_file(tmp_path: Path) -> None:
    plan = load_plan(EXAMPLE)
    save_plan(plan, tmp_path)
    before = (tmp_path / PLAN_FILENAME).read_bytes()
    plan.afdelinger[0].boligorganisation = "Ukendt"
    with pytest.raises(PlanError, match='boligorganisationen "Ukendt" findes ikke'):
        save_plan(plan, tmp_path)
    assert (tmp_path / PLAN_FILENAME).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [PLAN_FILENAME]


def test_save_creates_folder_and_writes_danish_numbers(tmp_path: Path) -> None:
    plan = Helhedsplan.model_validate(base_plan())
    folder = tmp_path / "ny" / "plan"
    save_plan(plan, folder)
    text = (folder / PLAN_FILENAME).read_text(encoding="utf-8")
    assert 'vaerdi = "58,7"' in text
    assert "formatversion = 1" in text
    assert '"Engen",' in text  # a reference without organisation is written as a plain string
    assert load_plan(folder) == plan


def test_round_trip_from_dict_with_floats_and_strings(tmp_path: Path) -> None:
    data = base_plan()
    data["indikatorer"][0]["maalinger"] = [{"vaerdi": 8.21}, {"vaerdi": "455,00"}, {"vaerdi": 7}]
    data["afdelinger"][0]["afdelingsnummer"] = 50
    write(tmp_path, tomli_w.dumps(data))
    plan = load_plan(tmp_path)
    assert plan.afdelinger[0].afdelingsnummer == "50"
    save_plan(plan, tmp_path)
    assert load_plan(tmp_path) == plan


# ---- round trip of generated plans ------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=30)
words = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
numbers = st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(-(10**9), 10**9), st.integers(0, 5))
years = st.integers(1990, 2040)


@st.composite
def maalinger(draw: st.DrawFn, comparison: bool = False) -> dict[str, Any]:
    aar = draw(st.none() | years)
    item: dict[str, Any] = {"vaerdi": draw(numbers), "aar": aar}
    if aar is not None and draw(st.booleans()):
        item["til_aar"] = aar + draw(st.integers(1, 5))
    item["kvalifikator"] = draw(st.none() | st.sampled_from(["godt", "ca.", "over"]))
    item["kilde"] = draw(st.none() | texts)
    if comparison:
        item["betegnelse"] = draw(words).strip() or "x"
    return item


@st.composite
def plans(draw: st.DrawFn) -> Helhedsplan:
    start = draw(st.dates(date(2000, 1, 1), date(2030, 12, 31)))
    orgs = [
        {
            "kortnavn": f"{draw(words)} {i}",
            "navn": f"{draw(words)} n",
            "administrator": draw(st.none() | words.map(lambda w: w + "x")),
            "aliaser": [f"{draw(words)} a{i}-{j}" for j in range(draw(st.integers(0, 2)))],
            "noter": draw(st.lists(texts, max_size=2)),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    afdelinger = []
    for k in range(draw(st.integers(0, 6))):
        status = draw(st.sampled_from(AfdelingStatus))
        afdelinger.append(
            {
                "navn": f"{draw(words)} {k}",
                "boligorganisation": draw(st.sampled_from(orgs))["kortnavn"],
                "afdelingsnummer": draw(st.none() | st.integers(1, 999)),
                "boliger": draw(st.integers(0, 5000)),
                "status": status,
                "betingelse": draw(st.none() | texts),
                "aliaser": [f"{draw(words)} alias{k}-{j}" for j in range(draw(st.integers(0, 2)))],
                "oplyst_paa_lister": draw(st.lists(st.sampled_from(Liste), unique=True, max_size=2)),
                "noter": draw(st.lists(texts, max_size=2)),
            }
        )

    def refs() -> list[Any]:
        if not afdelinger:
            return []
        chosen = draw(st.lists(st.sampled_from(afdelinger), unique_by=lambda a: a["navn"], max_size=3))
        return [
            {"afdeling": a["navn"], "boligorganisation": a["boligorganisation"]} if draw(st.booleans()) else a["navn"]
            for a in chosen
        ]

    omraader = []
    if afdelinger:
        for m in range(draw(st.integers(0, 2))):
            members = refs() or [afdelinger[0]["navn"]]
            omraader.append(
                {
                    "navn": f"{draw(words)} {m}",
                    "afdelinger": members,
                    "afgraensning": draw(st.none() | texts),
                    "oplyst_paa_lister": draw(st.lists(st.sampled_from(Liste), unique=True, max_size=2)),
                }
            )

    def tema(navn: str) -> dict[str, Any]:
        return {
            "navn": navn,
            "beskrivelse": draw(st.none() | texts),
            "fokusomraader": [f"{w} f" for w in draw(st.lists(words, max_size=2))],
            "maalgrupper": draw(st.lists(texts, max_size=2)),
            "problemstillinger": draw(st.lists(texts, max_size=2)),
            "indsatser": draw(st.lists(texts, max_size=2)),
            "afdelinger": refs(),
            "noter": draw(st.lists(texts, max_size=1)),
        }

    chosen_areas = draw(st.lists(st.sampled_from(INDSATSOMRAADER), unique=True))
    indikatorer = [
        {
            "id": f"i{n}-{draw(st.from_regex(r'[a-z0-9]{1,6}', fullmatch=True))}",
            "navn": draw(words).strip() or "x",
            "enhed": draw(st.sampled_from(Enhed)),
            "gaelder": f"{draw(words)} g",
            "indsatsomraade": draw(st.none() | st.sampled_from(chosen_areas)) if chosen_areas else None,
            "kilde": draw(st.none() | texts),
            "definition": draw(st.none() | texts),
            "afsnit": draw(st.none() | words.map(lambda w: w + " s")),
            "afdelinger": refs(),
            "maalinger": draw(st.lists(maalinger(), max_size=3)),
            "sammenligninger": draw(st.lists(maalinger(comparison=True), max_size=2)),
            "noter": draw(st.lists(texts, max_size=1)),
        }
        for n in range(draw(st.integers(0, 3)))
    ]
    organisation = None
    if draw(st.booleans()):
        organisation = {
            "beskrivelse": draw(st.none() | texts),
            "fora": [
                {
                    "navn": f"{draw(words)} forum",
                    "forkortelse": draw(st.none() | st.sampled_from(["SAF", "BB"])),
                    "niveau": draw(st.none() | st.sampled_from(ForumNiveau)),
                    "er_bestyrelse": draw(st.booleans()),
                    "deltagere": draw(st.lists(texts, max_size=2)),
                    "ansvar": draw(st.none() | texts),
                    "moedefrekvens": draw(st.none() | st.just("3-4 gange årligt")),
                }
                for _ in range(draw(st.integers(0, 2)))
            ],
            "team": draw(
                st.none()
                | st.builds(
                    lambda b, t: {"baser": b, "stillinger": [{"titel": t, "antal": 1, "opgaver": "x"}]},
                    st.lists(words.map(lambda w: w + " b"), max_size=2),
                    words.map(lambda w: w + " t"),
                )
            ),
        }
    data = {
        "navn": f"{draw(words)} plan",
        "kommune": f"{draw(words)} kommune",
        "ansoeger": f"{draw(words)} a",
        "periode": {"start": start, "slut": start + timedelta(days=draw(st.integers(1, 3000)))},
        "liste_aar": draw(st.none() | years),
        "beboere_dato": draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 1, 1))),
        "noegletal": draw(st.none() | st.sampled_from(["noegletal.csv", "data/tal.xlsx"])),
        "baggrund": draw(st.none() | texts),
        "kriterier_tekst": draw(st.none() | texts),
        "boligorganisationer": orgs,
        "afdelinger": afdelinger,
        "omraader": omraader,
        "indsatsomraader": [tema(n) for n in chosen_areas],
        "opmaerksomhedspunkter": [tema(f"{draw(words)} p") for _ in range(draw(st.integers(0, 2)))],
        "indikatorer": indikatorer,
        "partnere": [
            {
                "navn": f"{draw(words)} p{n}",
                "gruppe": draw(st.none() | st.just("Københavns Kommune")),
                "medlemmer": [f"{w} m" for w in draw(st.lists(words, max_size=3))],
                "bidrag": draw(st.none() | texts),
            }
            for n in range(draw(st.integers(0, 3)))
        ],
        "organisation": organisation,
        "forkortelser": {f"{k} k": v for k, v in draw(st.dictionaries(words, texts, max_size=3)).items()},
        "rettelser": [
            {
                "original": f"{draw(words)} o{n}",
                "rettet": f"{draw(words)} r{n}",
                "art": draw(st.sampled_from(RettelseArt)),
                "sted": draw(st.none() | texts),
                "begrundelse": draw(st.none() | texts),
            }
            for n in range(draw(st.integers(0, 2)))
        ],
    }
    return Helhedsplan.model_validate(data)


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_plan_round_trip(plan: Helhedsplan) -> None:
    with tempfile.TemporaryDirectory() as folder:
        save_plan(plan, Path(folder))
        reloaded = load_plan(Path(folder))
    assert reloaded == plan
    assert plan_to_toml(reloaded) == plan_to_toml(plan)


# ---- documentation ------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plan-folder.md"


def _models(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = {model}
    for field in model.model_fields.values():
        for arg in _type_args(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in found:
                found |= _models(arg)
    return found


def _type_args(annotation: object) -> list[object]:
    args = list(get_args(annotation))
    return [annotation, *(a for arg in args for a in _type_args(arg))]


def test_docs_describe_every_key() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in _models(Helhedsplan)
        for name in model.model_fields
        if not re.search(rf"`{name}`|\[\[?(?:[a-z_]+\.)*{name}\]", docs)
    )
    assert missing == []
    for value in [*Enhed, *ForumNiveau, *AfdelingStatus, *Liste, *RettelseArt, *INDSATSOMRAADER]:
        assert f'"{value}"' in docs, value


def test_docs_error_example_is_current() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    example = next(line for line in docs.splitlines() if line.startswith("Fejl i examples/"))
    text = example_text().replace(
        'navn = "Elleparken"\nboligorganisation = "SAB"', 'navn = "Elleparken"\nboligorganisation = "SABB"'
    )
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        with pytest.raises(PlanError) as info:
            load_plan(Path(folder))
    assert str(info.value).replace(str(path), "examples/mit-kvarter/helhedsplan.toml") == example
