"""The official lists by year as an atlas: the good file, and a Danish error naming file, row and
column for each bad one."""

from __future__ import annotations

import pytest

from boligsocial.register.atlas_official import AtlasFileError, atlas_from_official_bytes

GOOD = """omraade;kommune;listeaar;liste
Mjølnerparken;København;2018;ghettoomraade
Mjølnerparken;København;2018;haardt_ghettoomraade
Mjølnerparken;København;2018;Udsat boligområde
Mjølnerparken;Københavns Kommune;2022;parallelsamfund
Vollsmose;Odense;2015;Ghettoområde
Gellerupparken;Aarhus;2022;forebyggelsesomraade
"""


def _atlas(text: str | bytes) -> object:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return atlas_from_official_bytes(data, "lister.csv", last_year=2025)


def test_a_good_file_gives_every_area_in_every_year() -> None:
    atlas = atlas_from_official_bytes(("\ufeff" + GOOD).encode("utf-8"), "lister.csv", last_year=2025)
    assert atlas.source == "officiel"
    assert atlas.years == (2015, 2018, 2022)
    by = {(e.name, e.list_year): e for e in atlas.entries}
    assert len(by) == 3 * 3  # three areas, three years: absent from a year's rows = on no list
    assert by[("Mjølnerparken", 2018)].lists == {
        "udsat_boligomraade": True,
        "parallelsamfund": True,
        "omdannelsesomraade": True,
    }
    assert by[("Mjølnerparken", 2022)].lists["parallelsamfund"] is True
    assert by[("Mjølnerparken", 2022)].kommune == "København"  # "Københavns Kommune" read as the kommune
    assert by[("Vollsmose", 2015)].lists == {"parallelsamfund": True}
    assert by[("Vollsmose", 2018)].principal == "ingen"
    assert by[("Gellerupparken", 2022)].principal == "forebyggelsesomraade"
    assert by[("Gellerupparken", 2022)].region == "Region Midtjylland"
    assert by[("Mjølnerparken", 2018)].principal == "omdannelsesomraade"


def test_comma_separated_files_are_read_too() -> None:
    atlas = atlas_from_official_bytes(GOOD.replace(";", ",").encode(), "lister.csv", last_year=2025)
    assert len(atlas.entries) == 9


def _error(text: str | bytes) -> AtlasFileError:
    with pytest.raises(AtlasFileError) as caught:
        _atlas(text)
    return caught.value


HEADER = "omraade;kommune;listeaar;liste\n"


@pytest.mark.parametrize(
    ("body", "row", "column", "words"),
    [
        ("Vollsmose;Odense;2015;ghetto\n", 2, "liste", 'ukendt liste "ghetto"'),
        ("Vollsmose;Odense;2015;forebyggelsesomraade\n", 2, "liste", "fandtes ikke i listeår 2015"),
        ("Vollsmose;Odense;2009;ghettoomraade\n", 2, "listeaar", "listeår 2009 er ukendt"),
        ("Vollsmose;Odense;2031;parallelsamfund\n", 2, "listeaar", "ikke offentliggjort endnu"),
        ("Vollsmose;Odense;i år;parallelsamfund\n", 2, "listeaar", "ikke et årstal"),
        ("Vollsmose;Odensee;2022;parallelsamfund\n", 2, "kommune", 'mente du "Odense"'),
        ("Vollsmose;;2022;parallelsamfund\n", 2, "kommune", "cellen er tom"),
        (
            "Vollsmose;Odense;2022;parallelsamfund\nVollsmose;Odense;2022;Parallelsamfund\n",
            3,
            None,
            "gentager række 2",
        ),
    ],
)
def test_each_bad_row_is_named(body: str, row: int, column: str | None, words: str) -> None:
    error = _error(HEADER + body)
    (issue,) = error.issues
    assert (issue.file, issue.row, issue.column) == ("lister.csv", row, column)
    assert words in issue.message
    where = f"lister.csv, række {row}" + (f', kolonne "{column}"' if column else "")
    assert where in str(error)


def test_every_problem_is_reported_at_once() -> None:
    error = _error(HEADER + "A;Odense;2009;x\nB;Odense;2022;parallelsamfund\nC;Nowhere;2022;udsat\n")
    assert [(i.row, i.column) for i in error.issues] == [(2, "listeaar"), (4, "kommune"), (4, "liste")]


def test_wrong_encoding_is_named() -> None:
    error = _error((HEADER + "Ræven;Århus;2022;parallelsamfund\n").encode("cp1252"))
    assert "ikke UTF-8" in str(error) and "CSV UTF-8" in str(error)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "filen er tom"),
        ("\n  \n", "filen er tom"),
        (HEADER, "ingen rækker under overskriften"),
        ("omraade;kommune;aar\nA;Odense;2022\n", "kolonnen mangler: liste"),
        ("omraade;kommune;listeaar;liste;farve\nA;Odense;2022;parallelsamfund;rød\n", 'kolonne "farve"'),
    ],
)
def test_empty_files_and_bad_headers(text: str, words: str) -> None:
    assert words in str(_error(text))
