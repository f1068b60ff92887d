"""The Mit Kvarter example plan: transcribed completely and consistent with its key-figure file."""

from __future__ import annotations

import csv
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from boligsocial.danish import format_ungrouped_number
from boligsocial.plan.folder import PLAN_FILENAME, load_plan, noegletal_path, plan_to_toml, save_plan
from boligsocial.plan.model import (
    INDSATSOMRAADER,
    AfdelingStatus,
    Enhed,
    Helhedsplan,
    Indikator,
    Maaling,
    RettelseArt,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter"
# The seed application as received, kept verbatim in the example (typos and all).
SEED = Path(__file__).resolve().parents[1] / "examples" / "mit-kvarter" / "kilde" / "projektbeskrivelse-original.txt"


SYNTHETIC_SOURCE = "Syntetisk eksempeltal"


def application_values(indikator: Indikator) -> list[Maaling]:
    """The measurements transcribed from the application: the example's synthetic follow-up values
    (illustrative, for the status report; their source says so) left out."""
    return [m for m in indikator.maalinger if not (m.kilde or "").startswith(SYNTHETIC_SOURCE)]


@pytest.fixture(scope="module")
def plan() -> Helhedsplan:
    return load_plan(EXAMPLE)


def _csv_rows() -> list[dict[str, str]]:
    with (EXAMPLE / "noegletal.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _strings(value: object) -> list[str]:
    """Every string in a dumped plan (values and keys)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# ---- the plan itself -----------------------------------------------------------------------------


def test_header_fields(plan: Helhedsplan) -> None:
    assert plan.navn == "Mit Kvarter"
    assert plan.kommune == "Københavns Kommune"
    assert plan.ansoeger == "3B v. KAB"
    assert plan.periode.start.isoformat() == "2025-01-01"
    assert plan.periode.slut.isoformat() == "2028-12-31"
    assert plan.periode.aar == [2025, 2026, 2027, 2028]
    assert plan.liste_aar == 2022
    assert plan.beboere_dato is not None and plan.beboere_dato.isoformat() == "2022-01-01"
    assert plan.noegletal == "noegletal.csv"
    path = noegletal_path(plan, EXAMPLE)
    assert path is not None and path.is_file()


def test_boligorganisationer(plan: Helhedsplan) -> None:
    assert [o.kortnavn for o in plan.boligorganisationer] == ["3B", "AKB, København", "SAB", "PAB", "VIBO", "AAB"]
    b3 = plan.find_boligorganisation("3B")
    assert b3 is not None and b3.navn == "Boligforeningen 3B" and b3.administrator == "KAB"
    pab = plan.find_boligorganisation("PAB/fa09")
    assert pab is not None and pab.kortnavn == "PAB"
    akb = plan.find_boligorganisation("akb, kbh")
    assert akb is not None and akb.kortnavn == "AKB, København"


def test_afdelinger_counts(plan: Helhedsplan) -> None:
    assert len(plan.afdelinger) == 28
    assert plan.total_boliger == 5980
    assert len(plan.afdelinger_i_plan) == 13
    assert len(plan.afdelinger_betinget) == 15
    assert all(a.betingelse and "betinget" in a.betingelse for a in plan.afdelinger_betinget)
    assert all(a.betingelse is None for a in plan.afdelinger_i_plan)
    assert plan.betingede_uden_betingelse == []
    assert plan.boliger_by_boligorganisation() == {
        "3B": 1832,
        "AKB, København": 3126,
        "SAB": 270,
        "PAB": 288,
        "VIBO": 190,
        "AAB": 274,
    }


def test_betinget_are_frederiksholm_and_groennegaarden(plan: Helhedsplan) -> None:
    betinget = {a.navn for a in plan.afdelinger_betinget}
    assert betinget == {f"Frederiksholm karre {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 17, 18)} | {
        "Grønnegården"
    }
    assert all(a.boligorganisation == "AKB, København" for a in plan.afdelinger_betinget)
    for afdeling in plan.afdelinger_betinget:
        assert afdeling.betingelse is not None
        for phrase in ("øget medfinansiering", "partnerskabsstillinger", "fremskudte kommunale stillinger"):
            assert phrase in afdeling.betingelse
        assert "delaftalerne" in afdeling.betingelse and "strategiske aftale" in afdeling.betingelse


def test_seed_order_and_dwellings(plan: Helhedsplan) -> None:
    grouped = plan.afdelinger_by_boligorganisation()
    assert [(a.navn, a.boliger) for a in grouped["3B"]] == [
        ("Folehaven", 973),
        ("Grønrisvej", 66),
        ("Händelsvej", 113),
        ("Damagervej", 141),
        ("Stubmøllevej", 56),
        ("Ved Rosenhaven", 38),
        ("Hammelstruphus", 56),
        ("Valby ejendommene", 389),
    ]
    assert [a.navn for a in grouped["AKB, København"]] == [
        "Sjælør Boulevard",
        *(f"Frederiksholm karre {n}" for n in (17, 18, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15)),
        "Grønnegården",
    ]
    # The seed lists the organisations' afdelinger in this order: 3B, AKB, VIBO, SAB, PAB, AAB.
    order = [a.boligorganisation for a in plan.afdelinger]
    assert list(dict.fromkeys(order)) == ["3B", "AKB, København", "VIBO", "SAB", "PAB", "AAB"]


def test_afdelingsnumre(plan: Helhedsplan) -> None:
    numbers = {a.navn: a.afdelingsnummer for a in plan.afdelinger if a.afdelingsnummer is not None}
    assert numbers == {"Afd. 50": "50", "Hornemanns Vænge": "18", "Havekildegård": "105"}
    afd50 = plan.find_afdeling("Afd. 50")
    assert afd50 is not None and afd50.boligorganisation == "AAB"


# ---- consistency with noegletal.csv --------------------------------------------------------------


def test_afdeling_names_match_noegletal_csv(plan: Helhedsplan) -> None:
    rows = _csv_rows()
    csv_names = [r["afdeling"] for r in rows]
    plan_names = [a.navn for a in plan.afdelinger]
    assert len(csv_names) == len(set(csv_names)) == 28
    assert set(plan_names) == set(csv_names)
    assert {(r["boligorganisation"], r["afdeling"]) for r in rows} == {
        (a.boligorganisation, a.navn) for a in plan.afdelinger
    }


def test_boliger_match_noegletal_csv(plan: Helhedsplan) -> None:
    csv_boliger = {r["afdeling"]: int(r["boliger"]) for r in _csv_rows()}
    assert {a.navn: a.boliger for a in plan.afdelinger} == csv_boliger


def test_omraade_matches_noegletal_csv(plan: Helhedsplan) -> None:
    csv_members = {(r["boligorganisation"], r["afdeling"]) for r in _csv_rows() if r["omraade"] == "Sjælør Boulevard"}
    omraade = plan.find_omraade("Sjælør Boulevard")
    assert omraade is not None
    members = plan.omraade_afdelinger(omraade)
    assert {(a.boligorganisation, a.navn) for a in members} == csv_members
    assert [(a.boligorganisation, a.navn) for a in members] == [
        ("AAB", "Afd. 50"),
        ("AKB, København", "Sjælør Boulevard"),
    ]
    assert omraade.afgraensning == "Statens områdeafgrænsning"
    assert any("statens områdeafgrænsning" in n for n in omraade.noter)


# ---- look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Valby", "Valby ejendommene"),
        ("Valbyejendommene", "Valby ejendommene"),
        ("valby  EJENDOMMENE", "Valby ejendommene"),
        ("50", "Afd. 50"),
        ("AAB afd. 50", "Afd. 50"),
        ("18, Hornemanns Vænge", "Hornemanns Vænge"),
        ("Sjælør", "Sjælør Boulevard"),
        ("Afd. 105, Havekildegård", "Havekildegård"),
        # Corrected typos are not aliases, but look-up follows the recorded correction.
        ("Stubmøllevvej", "Stubmøllevej"),
        ("Havekilddegård", "Havekildegård"),
    ],
)
def test_find_afdeling(plan: Helhedsplan, query: str, expected: str) -> None:
    found = plan.find_afdeling(query)
    assert found is not None
    assert found.navn == expected


def test_typos_are_corrections_not_aliases(plan: Helhedsplan) -> None:
    aliases = {alias for a in plan.afdelinger for alias in a.aliaser}
    originals = {r.original for r in plan.rettelser}
    assert "Stubmøllevvej" in originals and "Havekilddegård" in originals
    assert not aliases & originals
    assert plan.find_afdeling("Stubmøllevvej", boligorganisation="AKB, København") is None
    assert plan.find_afdeling("Elleparken", boligorganisation="SAB") is not None
    assert plan.find_afdeling("Ingen afdeling") is None


# ---- indsatsomraader, indicators ----------------------------------------------------------------


def test_four_indsatsomraader(plan: Helhedsplan) -> None:
    assert [i.navn for i in plan.indsatsomraader] == list(INDSATSOMRAADER)
    for omraade in plan.indsatsomraader:
        assert omraade.maalgrupper, omraade.navn
        assert omraade.problemstillinger, omraade.navn
        assert omraade.indsatser, omraade.navn
    beskaeftigelse = plan.find_indsatsomraade("Beskæftigelse")
    assert beskaeftigelse is not None
    assert [str(r) for r in beskaeftigelse.afdelinger] == ["Folehaven", "Elleparken", "Valby ejendommene"]
    sammen = plan.find_indsatsomraade("Sammenhængskraft og medborgerskab")
    assert sammen is not None and sammen.fokusomraader == ["Demokratisk deltagelse", "Fællesskaber"]


# id -> (unit, gaelder, [(value, year)], [(label, value, year)], source)
EXPECTED_INDICATORS: dict[
    str, tuple[Enhed, str, list[tuple[str, int | None]], list[tuple[str, str, int | None]], str | None]
] = {
    "fravaer-grundskole": (
        Enhed.PCT,
        "Mit Kvarter",
        [("8.21", 2021)],
        [("Gennemsnit for de øvrige almene", "7.68", None)],
        None,
    ),
    "socialsager": (
        Enhed.PR_1000_BOERN,
        "Mit Kvarter",
        [("439", None)],
        [("Gennemsnit i de almene afdelinger (København)", "338.4", None)],
        None,
    ),
    "boern-enlige-forsoergere": (Enhed.PCT, "Mit Kvarter", [("45.32", 2022)], [], "LBF beboerdata, 2022"),
    "folkeskole-02-dansk-matematik": (
        Enhed.PCT,
        "Mit Kvarter",
        [("82.2", 2017), ("93.9", 2021)],
        [],
        "Boligsociale data, LBF",
    ),
    "uddannelse-18-29": (
        Enhed.PCT,
        "Mit Kvarter",
        [("56.7", 2018), ("60.8", 2022)],
        [("Gennemsnit for kommunen", "86", None)],
        "LBF beboerdata",
    ),
    "beskaeftigelse": (
        Enhed.PCT,
        "Mit Kvarter",
        [("58.7", 2023)],
        [("Almene gennemsnit i kommunen", "60", 2023), ("Gennemsnit for kommunen", "76.44", 2021)],
        "KK 2023",
    ),
    "sigtede-15-29": (Enhed.PCT, "Mit Kvarter", [("5.3", 2021)], [("Københavns Kommune", "1.6", 2021)], "LBF 2021"),
    "fritidstilbud-10-13": (Enhed.PCT, "Mit Kvarter", [("46", 2021)], [], "KK 2021"),
    "ssp-sager-kategori-1-2": (Enhed.ANTAL, "Valby/Sydhavnen", [("309", 2022)], [], "SSP-årsplaner for KK 2022"),
    "valgdeltagelse-kv21": (
        Enhed.PCT,
        "Beboerne i helhedsplanen",
        [("37.4", 2021)],
        [("Københavns Kommune", "60", 2021), ("Den almene sektor", "51.8", 2021)],
        "Boligsociale data",
    ),
    "tillid-i-boligomraadet": (
        Enhed.PCT,
        "Sjælør/Sydhavn",
        [("32", 2021)],
        [("Alle helhedsplaner", "44", 2021)],
        "VIVE 2021",
    ),
    "enlige-uden-boern": (Enhed.PCT, "Mit Kvarter (den nuværende helhedsplan)", [("45", None)], [], "LBF, beboerdata"),
    "enlige-uden-boern-frederiksholm": (
        Enhed.PCT,
        "Frederiksholm Karréerne og Grønnegården",
        [("60.73", None)],
        [],
        "LBF, beboerdata",
    ),
    "aktivitetsparate-frederiksholm": (
        Enhed.PCT,
        "Frederiksholm Karréerne",
        [("5.5", None)],
        [("Alle almene", "2.9", None)],
        None,
    ),
    "socialsager-frederiksholm": (
        Enhed.PR_1000_BOERN,
        "Frederiksholm Karréerne",
        [("478.4", None)],
        [("Det almene gennemsnit", "338.4", None)],
        None,
    ),
    "enkeltsager-saerligt-saarbare": (Enhed.ANTAL, "Mit Kvarter", [("265", 2022)], [], None),
}


def test_indicator_ids(plan: Helhedsplan) -> None:
    assert [i.id for i in plan.indikatorer] == list(EXPECTED_INDICATORS)


@pytest.mark.parametrize("indikator_id", list(EXPECTED_INDICATORS))
def test_indicator_values(plan: Helhedsplan, indikator_id: str) -> None:
    enhed, gaelder, values, comparisons, kilde = EXPECTED_INDICATORS[indikator_id]
    indikator = plan.find_indikator(indikator_id)
    assert indikator is not None
    assert indikator.enhed is enhed
    assert indikator.gaelder == gaelder
    assert [(m.vaerdi, m.aar) for m in application_values(indikator)] == [(Decimal(v), y) for v, y in values]
    assert [(s.betegnelse, s.vaerdi, s.aar) for s in indikator.sammenligninger] == [
        (label, Decimal(v), y) for label, v, y in comparisons
    ]
    assert indikator.kilde == kilde


def test_key_indicator_comparisons(plan: Helhedsplan) -> None:
    fravaer = plan.find_indikator("fravaer-grundskole")
    assert fravaer is not None
    assert application_values(fravaer)[-1].vaerdi == Decimal("8.21")
    assert fravaer.sammenligninger[0].vaerdi == Decimal("7.68")
    social = plan.find_indikator("socialsager")
    assert social is not None and social.seneste is not None
    assert social.seneste.vaerdi == Decimal("439")
    assert social.sammenligninger[0].vaerdi == Decimal("338.4")
    assert social.definition is not None and "§52" in social.definition
    serie = plan.find_indikator("folkeskole-02-dansk-matematik")
    assert serie is not None and serie.foerste is not None and serie.seneste is not None
    assert (serie.foerste.aar, application_values(serie)[-1].aar, serie.seneste.aar) == (2017, 2021, 2025)
    aktivitetsparate = plan.find_indikator("aktivitetsparate-frederiksholm")
    assert aktivitetsparate is not None and aktivitetsparate.maalinger[0].kvalifikator == "godt"


def test_indicators_refer_to_declared_indsatsomraader(plan: Helhedsplan) -> None:
    declared = {i.navn for i in plan.indsatsomraader}
    used = {i.indsatsomraade for i in plan.indikatorer if i.indsatsomraade is not None}
    assert used == declared
    assert len(plan.indikatorer_for("Kriminalitetsforebyggelse")) == 3


# ---- partners and organisation ----------------------------------------------------------------


def test_partnere(plan: Helhedsplan) -> None:
    names = [p.navn for p in plan.partnere]
    assert names == [
        "SOF, BBU og BUF, herunder skoler og Ungeværker",
        "Tryghedspartnerskabet",
        "BIF",
        "KFF",
        "SSP Lokaludvalg og SSP-følgegruppe",
        "Fremskudt UU-vejleder",
        "Københavns Politi",
        "Lokalt virksomhedsnetværk",
        "Servicecentre",
        "Afdelingsbestyrelserne i de 13 boligafdelinger",
        "NGO'er og frivilligforeninger",
    ]
    by_name = {p.navn: p for p in plan.partnere}
    assert by_name["Tryghedspartnerskabet"].medlemmer == [
        "BUF",
        "SOF",
        "KFF",
        "ØKF",
        "TMF",
        "SSP",
        "Københavns Politi",
        "Valby Lokaludvalg",
    ]
    assert "fremskudt beskæftigelsesindsats" in (by_name["BIF"].bidrag or "")
    assert "partnerskabsstilling" in (by_name["KFF"].bidrag or "")
    assert "efter 2025" in (by_name["Tryghedspartnerskabet"].bidrag or "")
    assert "ny periode" in (by_name["Fremskudt UU-vejleder"].bidrag or "")
    assert all(p.gruppe == "Københavns Kommune" for p in plan.partnere[:6])
    assert all(p.gruppe is None for p in plan.partnere[6:])


def test_organisation(plan: Helhedsplan) -> None:
    organisation = plan.organisation
    assert organisation is not None
    fora = {f.navn: f for f in organisation.fora}
    assert list(fora) == [
        "Samarbejdsforum",
        "Københavns Bydelsbestyrelse",
        "Boligsociale ledergrupper",
        "Boligsociale styre-/følgegrupper (Politiske følgegrupper)",
        "Styregruppen for Mit Kvarter",
        "Administrativ følgegruppe",
    ]
    assert fora["Samarbejdsforum"].forkortelse == "SAF"
    assert organisation.bestyrelse is fora["Københavns Bydelsbestyrelse"]
    styregruppe = fora["Styregruppen for Mit Kvarter"]
    assert styregruppe.moedefrekvens == "3-4 gange årligt"
    assert styregruppe.deltagere == [
        "Ejendomsledere",
        "Driftschefer",
        "Bestyrelsesmedlemmer fra samtlige boligafdelinger",
    ]
    assert organisation.team is not None
    assert organisation.team.baser == ["Valby", "Sydhavnen"]
    assert [s.titel for s in organisation.team.stillinger] == ["Boligsocial leder", "Faglig udviklingskonsulent"]


# ---- corrections -------------------------------------------------------------------------------


def test_corrections_recorded(plan: Helhedsplan) -> None:
    corrections = {r.original: r for r in plan.rettelser}
    for original, rettet in [
        ("Stubmøllevvej", "Stubmøllevej"),
        ("Havekilddegård", "Havekildegård"),
        ("lejebolige", "lejeboliger"),
        ("lømmepengejob", "lommepengejob"),
        ("lommepegejobbere", "lommepengejobbere"),
    ]:
        assert corrections[original].rettet == rettet
    assert corrections["Stubmøllevvej"].art is RettelseArt.NAVN
    assert all(r.sted for r in plan.rettelser)


def test_plan_text_carries_no_corrected_typo(plan: Helhedsplan) -> None:
    data = plan.model_dump(mode="json", exclude={"rettelser"})
    text = "\n".join(_strings(data))
    for rettelse in plan.rettelser:
        # Whole words only: "andelen af dømt" is a typo, "andelen af dømte" is not.
        pattern = r"(?<!\w)" + re.escape(rettelse.original) + r"(?!\w)"
        assert re.search(pattern, text) is None, rettelse.original


def test_transcription_against_seed(plan: Helhedsplan) -> None:
    seed = SEED.read_text(encoding="utf-8")
    for rettelse in plan.rettelser:
        assert rettelse.original in seed, rettelse.original
    # Every figure of every indicator is written in the application in Danish notation.
    for indikator in plan.indikatorer:
        for value in [m.vaerdi for m in application_values(indikator)] + [s.vaerdi for s in indikator.sammenligninger]:
            assert format_ungrouped_number(value) in seed, (indikator.id, value)
    for kilde in {i.kilde for i in plan.indikatorer if i.kilde}:
        assert kilde in seed, kilde
    corrected = seed
    for rettelse in plan.rettelser:
        corrected = corrected.replace(rettelse.original, rettelse.rettet)
    for afdeling in plan.afdelinger:
        for alias in afdeling.aliaser:
            # "AAB afd. 50" joins the table's organisation column and number; the rest are verbatim.
            assert alias == "AAB afd. 50" or alias in corrected, (afdeling.navn, alias)
        assert afdeling.navn in corrected, afdeling.navn


# ---- round trip ----------------------------------------------------------------------------------


def test_example_round_trip(plan: Helhedsplan, tmp_path: Path) -> None:
    save_plan(plan, tmp_path)
    reloaded = load_plan(tmp_path)
    assert reloaded == plan
    assert plan_to_toml(reloaded) == (tmp_path / PLAN_FILENAME).read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [PLAN_FILENAME]


def test_save_over_example_copy_keeps_other_files(plan: Helhedsplan, tmp_path: Path) -> None:
    folder = tmp_path / "mit-kvarter"
    shutil.copytree(EXAMPLE, folder)
    csv_before = (folder / "noegletal.csv").read_bytes()
    save_plan(plan, folder)
    assert (folder / "noegletal.csv").read_bytes() == csv_before
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())
    assert load_plan(folder) == plan


def test_status_values(plan: Helhedsplan) -> None:
    assert {a.status for a in plan.afdelinger} == {AfdelingStatus.I_PLAN, AfdelingStatus.BETINGET}
