"""Indicator catalogue, targets, the status rule, the projection and the `status` command."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from boligsocial.plan.folder import PlanError, load_plan
from boligsocial.plan.indicators import (
    CATALOGUE_FILE,
    Catalogue,
    CatalogueError,
    Retning,
    default_catalogue,
    load_catalogue,
    use_catalogue,
)
from boligsocial.plan.model import Enhed, Helhedsplan, Indikator
from boligsocial.plan.status import (
    STATUS_RULE_DA,
    Status,
    StatusError,
    classify,
    indicator_status,
    milestone_for,
    plan_status,
    project,
    status_command,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "status.md"


def plan_with(**indikator: Any) -> Helhedsplan:
    """A minimal plan (2025-2028) with one indicator; `indikator` overrides its keys."""
    data: dict[str, Any] = {
        "id": "fravaer",
        "navn": "Fravær",
        "enhed": "pct",
        "gaelder": "Området",
        "katalog": "fravaer-grundskole",
        "katalog_version": 1,
        "baseline": {"vaerdi": "10", "aar": 2024, "katalog_version": 1},
        "maal": {"vaerdi": "6", "aar": 2028},
        **indikator,
    }
    return Helhedsplan.model_validate(
        {
            "navn": "Testplan",
            "kommune": "Testkommune",
            "ansoeger": "Test",
            "periode": {"start": "2025-01-01", "slut": "2028-12-31"},
            "indikatorer": [data],
        }
    )


def status_of(plan: Helhedsplan, year: int = 2026) -> Any:
    return indicator_status(plan, plan.indikatorer[0], year)


# ---- the catalogue --------------------------------------------------------------------------------


def test_catalogue_covers_the_seed_and_the_standard_sets() -> None:
    catalogue = default_catalogue()
    example = load_plan(EXAMPLE)
    seed_ids = {s for d in catalogue.definitions for s in d.seed_ids}
    assert {i.id for i in example.indikatorer} <= seed_ids
    for ident in (
        "unge-uden-uddannelse-beskaeftigelse",
        "liste-uden-for-arbejdsmarked",
        "liste-doemte",
        "liste-kun-grundskole",
        "liste-indkomst",
        "liste-ikke-vestlige",
    ):
        assert catalogue.latest(ident) is not None, ident
    for d in catalogue.definitions:
        assert d.enhed in {e.value for e in Enhed}, d.ref
        assert d.navn and d.taeller and d.naevner and d.kilde and d.niveauer, d.ref
    for i in example.indikatorer:
        definition = catalogue.for_seed_id(i.id)
        assert definition is not None and i.katalog == definition.id


def test_catalogue_refuses_duplicates_and_gaps() -> None:
    entry = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "src/boligsocial/plan/indicators" / CATALOGUE_FILE).read_text()
    )
    first = entry["definitions"][0]
    with pytest.raises(CatalogueError, match="to gange"):
        load_catalogue({"definitions": [first, first]})
    with pytest.raises(CatalogueError, match="huller"):
        load_catalogue({"definitions": [{**first, "version": 2}]})
    with pytest.raises(KeyError, match="ingen definition"):
        default_catalogue().get("findes-ikke")


# ---- the status rule at its boundaries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9.0", Status.FORAN),
        ("9.0999999", Status.FORAN),
        ("9.1", Status.PAA_SPORET),  # exactly the tolerance better: on track
        ("9.1000001", Status.PAA_SPORET),
        ("9.9", Status.PAA_SPORET),  # exactly the tolerance worse: on track
        ("9.5", Status.PAA_SPORET),
        ("9.9000001", Status.BAGUD),
        ("10.5", Status.BAGUD),
    ],
)
def test_classify_boundaries_lower_is_better(value: str, expected: Status) -> None:
    # Milestone 9.5, tolerance 0.4 (10 % of a distance of 4). Exactly ±0.4 is on track.
    status, _ = classify(Fraction(value), Fraction("9.5"), Fraction("0.4"), Retning.LAVERE_ER_BEDRE)
    assert status is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("60.5", Status.PAA_SPORET), ("60.5001", Status.FORAN), ("59.5", Status.PAA_SPORET), ("59.4999", Status.BAGUD)],
)
def test_classify_boundaries_higher_is_better(value: str, expected: Status) -> None:
    status, deviation = classify(Fraction(value), Fraction(60), Fraction("0.5"), Retning.HOEJERE_ER_BEDRE)
    assert status is expected
    assert deviation == Fraction(value) - 60


def test_status_in_the_plan_boundaries_and_milestones() -> None:
    # Baseline 10 (2024), target 6 (2028): milestone 2026 is 8, tolerance 0.4.
    for value, expected in [("7.6", Status.PAA_SPORET), ("7.59", Status.FORAN), ("8.4", Status.PAA_SPORET)]:
        plan = plan_with(maalinger=[{"vaerdi": value, "aar": 2026}])
        s = status_of(plan)
        assert s.milepael.vaerdi == 8 and s.milepael.kind == "interpoleret"
        assert s.tolerance == Fraction("0.4")
        assert s.status is expected, value
    assert status_of(plan_with(maalinger=[{"vaerdi": "8.41", "aar": 2026}])).status is Status.BAGUD
    # An explicit milestone replaces the interpolation, also for the years around it.
    plan = plan_with(milepaele=[{"aar": 2025, "vaerdi": "9.8"}], maalinger=[{"vaerdi": "8.5", "aar": 2026}])
    indikator = plan.indikatorer[0]
    assert milestone_for(indikator, 2025).vaerdi == Fraction("9.8")  # type: ignore[union-attr]
    assert milestone_for(indikator, 2026).vaerdi == Fraction("9.8") + (6 - Fraction("9.8")) / 3  # type: ignore[union-attr]
    assert milestone_for(indikator, 2028).kind == "maal"  # type: ignore[union-attr]
    assert milestone_for(indikator, 2023) is None


def test_latest_value_is_judged_against_its_own_year() -> None:
    plan = plan_with(maalinger=[{"vaerdi": "9", "aar": 2025}, {"vaerdi": "1", "aar": 2028}])
    s = status_of(plan, 2026)
    assert (s.seneste_aar, s.milepael.aar) == (2025, 2025)
    assert s.milepael.vaerdi == 9  # 10 - 4 * 1/4
    assert s.status is Status.PAA_SPORET
    assert any("Seneste tal er fra 2025" in w for w in s.advarsler)


def test_no_target_no_data_and_context_indicators() -> None:
    assert status_of(plan_with(maal=None, baseline=None)).status is Status.INGEN_MAAL
    assert status_of(plan_with(maalinger=[{"vaerdi": "9", "aar": 2024}])).status is Status.INGEN_TAL
    context = plan_with(
        katalog="enlige-uden-boern", maal=None, baseline=None, maalinger=[{"vaerdi": "45", "aar": 2025}]
    )
    s = status_of(context)
    assert s.status is Status.INGEN_MAAL and "kontekstindikator" in s.forklaring


def test_what_it_takes() -> None:
    s = status_of(plan_with(maalinger=[{"vaerdi": "9", "aar": 2025}, {"vaerdi": "8.5", "aar": 2026}]))
    assert s.kraevet_pr_aar == (6 - Fraction("8.5")) / 2
    assert s.fremskrivning is not None and s.fremskrivning.haeldning == pytest.approx(-0.5)
    assert s.fremskrivning_naar_maal is False
    assert "kræves" in s.forklaring and "tendensen" in s.forklaring


# ---- the frozen baseline ---------------------------------------------------------------------------


def _catalogue_with_v2() -> Catalogue:
    base = default_catalogue()
    v1 = base.get("fravaer-grundskole", 1)
    v2 = v1.model_copy(update={"version": 2, "taeller": "Kun ulovligt fravær", "navn": "Ulovligt fravær"})
    return Catalogue((*base.definitions, v2))


def test_a_changed_definition_does_not_change_a_frozen_baseline() -> None:
    plan = plan_with(maalinger=[{"vaerdi": "8", "aar": 2026}])
    before = status_of(plan)
    catalogue = _catalogue_with_v2()
    # A newer version in the catalogue: the plan still follows v1, the baseline is untouched.
    after = indicator_status(plan, plan.indikatorer[0], 2026, catalogue)
    assert plan.indikatorer[0].baseline.vaerdi == Decimal("10")  # type: ignore[union-attr]
    assert (after.status, after.milepael, after.tolerance) == (before.status, before.milepael, before.tolerance)
    assert any("nyere definition (fravaer-grundskole v2" in w for w in after.advarsler)
    assert not any("nyere" in w for w in before.advarsler)
    # The plan switches its values to v2: the baseline stays v1 and the mismatch is reported.
    with use_catalogue(catalogue):
        switched = plan_with(katalog_version=2, maalinger=[{"vaerdi": "8", "aar": 2026}])
    s = indicator_status(switched, switched.indikatorer[0], 2026, catalogue)
    assert switched.indikatorer[0].baseline == plan.indikatorer[0].baseline
    assert s.milepael == before.milepael
    assert any("version 1, men målingerne følger version 2" in w for w in s.advarsler)
    # Without that catalogue, version 2 does not exist: a clear error.
    with pytest.raises(ValidationError, match="findes ikke i version 2"):
        plan_with(katalog_version=2)


def test_baseline_must_name_its_definition_version() -> None:
    with pytest.raises(ValidationError, match="angiv den version af definitionen"):
        plan_with(baseline={"vaerdi": "10", "aar": 2024})


# ---- bad values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"maalinger": [{"vaerdi": "120", "aar": 2025}]}, "over definitionens største værdi 100"),
        ({"maal": {"vaerdi": "-1", "aar": 2028}}, "under definitionens mindste værdi 0"),
        ({"maal": {"vaerdi": "6", "aar": 2030}}, r"målets år \(2030\) ligger uden for planens periode"),
        ({"milepaele": [{"aar": 2029, "vaerdi": "7"}]}, "milepælen for 2029 skal ligge mellem"),
        ({"baseline": {"vaerdi": "10", "aar": 2026, "katalog_version": 1}}, "efter planens start"),
        ({"baseline": None}, "et mål .* kræver en baseline"),
        ({"katalog": "findes-ikke"}, 'ingen definition "findes-ikke"'),
        ({"enhed": "antal"}, "passer ikke med katalogets definition"),
        ({"katalog": "enlige-uden-boern"}, "kontekstindikator"),
        ({"katalog": None, "katalog_version": None, "baseline": {"vaerdi": "1", "aar": 2024}}, "kræver en retning"),
    ],
)
def test_bad_values_get_clear_errors(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        plan_with(**overrides)


def test_bad_values_in_a_plan_file_name_the_line(tmp_path: Path) -> None:
    text = (EXAMPLE / "helhedsplan.toml").read_text(encoding="utf-8")
    text = text.replace('maal = { vaerdi = "7,5", aar = 2028', 'maal = { vaerdi = "107,5", aar = 2028', 1)
    (tmp_path / "helhedsplan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path)
    message = str(caught.value)
    assert "107.5 er over definitionens største værdi 100" in message
    assert 'indikatorer nr. 1 ("fravaer-grundskole") › maal › vaerdi' in message
    assert "linje" in message


def test_status_year_outside_the_period_and_unknown_format() -> None:
    plan = plan_with()
    with pytest.raises(StatusError, match=r"året 2030 ligger uden for planens periode \(2025-2028\)"):
        plan_status(plan, 2030)
    assert status_command(EXAMPLE, 2024) == ("Fejl: året 2024 ligger uden for planens periode (2025-2028)", 2)
    out, code = status_command(EXAMPLE, 2026, "csv")
    assert code == 2 and "ukendt format" in out
    out, code = status_command(EXAMPLE / "findes-ikke", 2026)
    assert code == 2 and out.startswith("Fejl: ")


# ---- projection -------------------------------------------------------------------------------------


def test_projection_two_points_band_runs_from_no_change_to_double() -> None:
    p = project([(2024, Decimal(10)), (2026, Decimal(9))], 2028)
    assert p is not None and p.metode == "to_maalinger" and p.n == 2
    assert p.haeldning == pytest.approx(-0.5)
    end = p.end
    assert (end.aar, end.vaerdi, end.oevre, end.nedre) == (2028, pytest.approx(8), pytest.approx(9), pytest.approx(7))
    assert p.points[0].nedre == p.points[0].oevre == 9


def test_projection_prediction_interval_and_limits() -> None:
    points = [(2021, Decimal("8")), (2022, Decimal("7.5")), (2023, Decimal("7.2")), (2024, Decimal("6.4"))]
    p = project(points, 2028, default_catalogue().get("fravaer-grundskole"))
    assert p is not None and p.metode == "prediktionsinterval"
    widths = [q.oevre - q.nedre for q in p.points[1:]]
    assert widths == sorted(widths) and widths[0] > 0  # the band widens with the distance
    assert all(q.nedre >= 0 for q in p.points)  # clipped to the definition's range
    assert project(points[:1], 2028) is None
    assert project(points, 2024) is None


# ---- the example and the command --------------------------------------------------------------------


def test_example_status_2026() -> None:
    ps = plan_status(load_plan(EXAMPLE), 2026)
    by_id = {s.indikator.id: s for s in ps.indikatorer}
    assert len(by_id) == 16
    assert by_id["fravaer-grundskole"].status is Status.BAGUD
    assert by_id["folkeskole-02-dansk-matematik"].status is Status.FORAN
    assert by_id["uddannelse-18-29"].status is Status.PAA_SPORET
    assert by_id["uddannelse-18-29"].milepael.kind == "interpoleret"  # type: ignore[union-attr]
    assert by_id["socialsager"].status is Status.INGEN_MAAL
    targeted = [s for s in ps.indikatorer if s.indikator.maal is not None]
    assert len(targeted) == 8 and all(s.indikator.maal.illustrativ for s in targeted)  # type: ignore[union-attr]
    assert all(s.fremskrivning is not None for s in targeted)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def status(
        plan: Path,
        year: Annotated[int, typer.Option("--year")],
        fmt: Annotated[str, typer.Option("--format")] = "table",
    ) -> None:
        text, code = status_command(plan, year, fmt)
        typer.echo(text, err=code != 0)
        raise typer.Exit(code)

    return app


def test_status_command_table_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), [str(EXAMPLE), "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "Status for Mit Kvarter, 2026" in result.output
    assert "Fravær blandt børn i grundskolen" in result.output and "Bagud" in result.output  # names, not ids
    assert "Statusregel:" in result.output
    result = runner.invoke(_app(), [str(EXAMPLE), "--year", "2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["aar"] == 2026 and data["statusregel"] == STATUS_RULE_DA
    first = data["indikatorer"][0]
    assert first["id"] == "fravaer-grundskole" and first["status"] == "bagud"
    assert first["baseline"] == {"vaerdi": 8.21, "aar": 2021, "katalog_version": 1}
    assert first["maal"] == {"vaerdi": 7.5, "aar": 2028, "illustrativ": True}
    assert first["seneste"]["aar"] == 2026 and first["milepael"]["art"] == "interpoleret"
    assert first["fremskrivning"]["betegnelse"] == "Fremskrivning"
    assert data["optaelling"] == {"foran": 2, "paa_sporet": 4, "bagud": 2, "ingen_maal": 8, "ingen_tal": 0}
    result = runner.invoke(_app(), [str(EXAMPLE), "--year", "2031"])
    assert result.exit_code == 2


def test_docs_state_the_status_rule() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert STATUS_RULE_DA in docs.replace("\n", " ")
    for status in Status:
        assert status.label in docs


def test_indicator_targets_need_a_baseline_model_level() -> None:
    with pytest.raises(ValidationError, match="milepæle"):
        Indikator.model_validate(
            {"id": "x", "navn": "X", "enhed": "pct", "gaelder": "Y", "milepaele": [{"aar": 2026, "vaerdi": "1"}]}
        )
