"""The input schema for person-level register data: one row per person per data year.

The schema is the single description of the input: the engine builds its type checks and its
row-validity predicate from it, the synthetic generator writes exactly these columns, and
`docs/register.md` documents them (a test keeps the two in step).

A row describes a person at the end of data year `aar`: the address (afdeling, boligomraade,
kommune, region) on 1 January `aar + 1`, the age on that date, and the year's outcomes (share of
the year outside work and education, conviction, income) and status (highest education,
tax liability, education).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COLUMNS",
    "HERKOMST",
    "KOMMUNER",
    "MAX_AGE",
    "REGIONER",
    "Column",
    "RegisterError",
    "column",
]


class RegisterError(Exception):
    """Bad input or an impossible computation; the message (Danish) names file and column."""


ColumnKind = Literal["integer", "text", "boolean"]


@dataclass(frozen=True)
class Column:
    """One input column. `sql_type` is the type the engine reads it as (CSV) or accepts (Parquet:
    any integer width for integers). `nullable` says when NULL is allowed (True, False, or an SQL
    condition with column names in braces); `bounds` and `values` restrict non-NULL values.
    `rule_da` says all of it in Danish, for error messages."""

    name: str
    sql_type: str
    kind: ColumnKind
    nullable: bool | str
    rule_da: str
    description: str
    bounds: tuple[int, int] | None = None
    values: tuple[str | int, ...] | None = None
    optional: bool = False  # the column may be absent from the files altogether

    def check_sql(self, prefix: str = "") -> str | None:
        """SQL a non-NULL value must satisfy, or None when any value of the type is fine."""
        name = f"{prefix}{self.name}"
        if self.bounds is not None:
            return f"{name} BETWEEN {self.bounds[0]} AND {self.bounds[1]}"
        if self.values is not None:
            shown = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in self.values)
            return f"{name} IN ({shown})"
        return None


MAX_AGE = 125
MIN_YEAR = 1900
MAX_YEAR = 2100

#: Origin groups as DST defines them (criteria.md §3.1).
HERKOMST = ("dansk", "indvandrer", "efterkommer")

#: Danish regions with DST codes.
REGIONER: dict[int, str] = {
    1081: "Region Nordjylland",
    1082: "Region Midtjylland",
    1083: "Region Syddanmark",
    1084: "Region Hovedstaden",
    1085: "Region Sjælland",
}

#: The 98 municipalities since 2007 (DST codes): code -> (name, region code).
_KOMMUNER_BY_REGION: dict[int, str] = {
    1084: "101 København, 147 Frederiksberg, 151 Ballerup, 153 Brøndby, 155 Dragør, 157 Gentofte, 159 Gladsaxe, "
    "161 Glostrup, 163 Herlev, 165 Albertslund, 167 Hvidovre, 169 Høje-Taastrup, 173 Lyngby-Taarbæk, 175 Rødovre, "
    "183 Ishøj, 185 Tårnby, 187 Vallensbæk, 190 Furesø, 201 Allerød, 210 Fredensborg, 217 Helsingør, 219 Hillerød, "
    "223 Hørsholm, 230 Rudersdal, 240 Egedal, 250 Frederikssund, 260 Halsnæs, 270 Gribskov, 400 Bornholm",
    1085: "253 Greve, 259 Køge, 265 Roskilde, 269 Solrød, 306 Odsherred, 316 Holbæk, 320 Faxe, 326 Kalundborg, "
    "329 Ringsted, 330 Slagelse, 336 Stevns, 340 Sorø, 350 Lejre, 360 Lolland, 370 Næstved, 376 Guldborgsund, "
    "390 Vordingborg",
    1083: "410 Middelfart, 420 Assens, 430 Faaborg-Midtfyn, 440 Kerteminde, 450 Nyborg, 461 Odense, 479 Svendborg, "
    "480 Nordfyns, 482 Langeland, 492 Ærø, 510 Haderslev, 530 Billund, 540 Sønderborg, 550 Tønder, 561 Esbjerg, "
    "563 Fanø, 573 Varde, 575 Vejen, 580 Aabenraa, 607 Fredericia, 621 Kolding, 630 Vejle",
    1082: "615 Horsens, 657 Herning, 661 Holstebro, 665 Lemvig, 671 Struer, 706 Syddjurs, 707 Norddjurs, 710 Favrskov, "
    "727 Odder, 730 Randers, 740 Silkeborg, 741 Samsø, 746 Skanderborg, 751 Aarhus, 756 Ikast-Brande, "
    "760 Ringkøbing-Skjern, 766 Hedensted, 779 Skive, 791 Viborg",
    1081: "773 Morsø, 787 Thisted, 810 Brønderslev, 813 Frederikshavn, 820 Vesthimmerlands, 825 Læsø, 840 Rebild, "
    "846 Mariagerfjord, 849 Jammerbugt, 851 Aalborg, 860 Hjørring",
}
KOMMUNER: dict[int, tuple[str, int]] = {
    int(entry.split(" ", 1)[0]): (entry.split(" ", 1)[1], region)
    for region, text in _KOMMUNER_BY_REGION.items()
    for entry in text.split(", ")
}


#: Every column, in the order the synthetic generator writes them.
COLUMNS: tuple[Column, ...] = (
    Column(
        name="person_id", sql_type="BIGINT", kind="integer", nullable=False,
        rule_da="et heltal, som ikke må mangle",
        description="Pseudonymised person number, the same in every data year.",
    ),
    Column(
        name="aar", sql_type="SMALLINT", kind="integer", nullable=False, bounds=(MIN_YEAR, MAX_YEAR),
        rule_da=f"et årstal mellem {MIN_YEAR} og {MAX_YEAR}",
        description="Data year. The row describes the person at the end of this year (address and age on "
        "1 January `aar + 1`) and the year's outcomes.",
    ),
    Column(
        name="region", sql_type="SMALLINT", kind="integer", nullable=False, values=tuple(REGIONER),
        rule_da=f"en regionskode fra Danmarks Statistik ({', '.join(str(r) for r in REGIONER)})",
        description="Region of the address (DST code 1081-1085), for everyone, also outside social housing.",
    ),
    Column(
        name="kommune", sql_type="SMALLINT", kind="integer", nullable=False, bounds=(1, 999),
        rule_da="en kommunekode mellem 1 og 999",
        description="Municipality of the address (DST code, e.g. 101 = København).",
    ),
    Column(
        name="afdeling", sql_type="VARCHAR", kind="text", nullable=True,
        rule_da="en tekst (tom uden for almene boliger)",
        description="Key of the almen boligafdeling of the address; NULL outside social housing. Unique in the "
        "country (e.g. organisation number and department number).",
    ),
    Column(
        name="omraade", sql_type="VARCHAR", kind="text", nullable=True,
        rule_da="en tekst (tom uden for boligområder)",
        description="Key of the boligomraade (area delimited by parcels, almenboligloven § 61 a, stk. 3) of the "
        "address; NULL outside. A person may be in an area without being in an afdeling.",
    ),
    Column(
        name="boligorganisation", sql_type="VARCHAR", kind="text", nullable=True, optional=True,
        rule_da="en tekst",
        description="Name of the housing organisation owning the afdeling (optional column).",
    ),
    Column(
        name="alder", sql_type="SMALLINT", kind="integer", nullable=False, bounds=(0, MAX_AGE),
        rule_da=f"en alder mellem 0 og {MAX_AGE} år",
        description="Age in whole years on 1 January `aar + 1`.",
    ),
    Column(
        name="herkomst", sql_type="VARCHAR", kind="text", nullable=False, values=HERKOMST,
        rule_da="en af " + ", ".join(f"'{h}'" for h in HERKOMST),
        description="Origin group as defined by DST: 'dansk', 'indvandrer' or 'efterkommer'.",
    ),
    Column(
        name="vestlig", sql_type="BOOLEAN", kind="boolean", nullable="{herkomst} = 'dansk'",
        rule_da="sand/falsk; må kun mangle for personer af dansk oprindelse",
        description="Whether the country of origin is western (DST's list). NULL for persons of Danish origin.",
    ),
    Column(
        name="uden_for_promille", sql_type="SMALLINT", kind="integer", nullable=False, bounds=(0, 1000),
        rule_da="et heltal mellem 0 og 1000 (promille af et år)",
        description="Share of the year outside work and education in full-time equivalents, in thousandths "
        "(0-1000), so that sums stay integers. 250 = three months on kontanthjælp.",
    ),
    Column(
        name="doemt", sql_type="BOOLEAN", kind="boolean", nullable=False,
        rule_da="sand/falsk",
        description="Convicted in the year under straffeloven, våbenloven or lov om euforiserende stoffer.",
    ),
    Column(
        name="hfaudd", sql_type="INTEGER", kind="integer", nullable=True, bounds=(0, 9999),
        rule_da="en uddannelseskode mellem 0 og 9999",
        description="Highest completed education, DST-style 4-digit code: NULL, 0 or 1001 = uoplyst, "
        "1002-1008 = grundskole, higher codes = above grundskole (see the method parameters).",
    ),
    Column(
        name="hfaudd_kilde_udenlandsk", sql_type="BOOLEAN", kind="boolean", nullable=True,
        rule_da="sand/falsk (tom = falsk)",
        description="The education record comes from self-reported or imputed foreign education "
        "(disregarded from list year 2018 on). NULL = false.",
    ),
    Column(
        name="bruttoindkomst", sql_type="BIGINT", kind="integer", nullable="NOT {skattepligtig}",
        rule_da="et beløb i hele kroner; må kun mangle for personer, der ikke er skattepligtige",
        description="Gross income of the year in whole kroner; NULL only for persons who are not tax-liable.",
    ),
    Column(
        name="skattepligtig", sql_type="BOOLEAN", kind="boolean", nullable=False,
        rule_da="sand/falsk",
        description="Fully tax-liable in Denmark in the year.",
    ),
    Column(
        name="under_uddannelse", sql_type="BOOLEAN", kind="boolean", nullable=False,
        rule_da="sand/falsk",
        description="In education (the student flag, see the method parameter `students`).",
    ),
)  # fmt: skip

_BY_NAME = {c.name: c for c in COLUMNS}


def column(name: str) -> Column:
    return _BY_NAME[name]


class _Qualified(dict[str, str]):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, key: str) -> str:
        return f"{self.prefix}{key}"


def valid_sql(c: Column, prefix: str = "") -> str:
    """SQL predicate, never NULL: the column's value in this row is acceptable. `prefix`
    qualifies the column names (e.g. "s.")."""
    names = _Qualified(prefix)
    name = f"{prefix}{c.name}"
    check = c.check_sql(prefix)
    if c.nullable is True:
        sql = f"({name} IS NULL OR {check})" if check else "TRUE"
    elif c.nullable is False:
        sql = f"coalesce({check}, FALSE)" if check else f"({name} IS NOT NULL)"
    else:
        allowed = f"coalesce({c.nullable.format_map(names)}, FALSE)"
        sql = f"({name} IS NOT NULL OR {allowed})"
        if check:
            sql = f"({sql} AND ({name} IS NULL OR {check}))"
    return sql
