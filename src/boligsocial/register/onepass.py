"""The SQL of the engine's one pass over the person rows, and of its roll-up.

The pass reads every row once and groups by address (`KEYS`), computing the integer counts and
sums of `PASS_FIELDS`, among them the counts that prove the rows valid. It is written to cost
little more than a plain aggregate of the same columns (bench/register.py's "floor"): few and
cheap expressions per row, no CASE, and checks that fall out of counts already made where they
can (see `aggregate_sql`). The roll-up then turns the pass's counts into the figures the tally
reads (`VALUE_FIELDS`), per afdeling, area, region and the whole country.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from boligsocial.law.figures import Measure
from boligsocial.register.measures import AgeBand
from boligsocial.register.method import Method, Students
from boligsocial.register.schema import COLUMNS, HERKOMST, valid_sql
from boligsocial.register.source import NOTHING_PROVEN, Proven, Source

__all__ = ["KEYS", "PASS_FIELDS", "VALUE_FIELDS", "Pass", "aggregate_sql", "herkomst_check_sql", "rollup_sql"]

#: Group keys of the grouped table `g`.
KEYS = ("aar", "region", "kommune", "omraade", "afdeling", "boligorganisation")

#: The figures per unit and data year that the tally reads, each a sum over the pass's groups.
VALUE_FIELDS: dict[str, str] = {
    "beboere": "sum(beboere)",  # all rows
    "iv_n": "sum(iv_n)",  # population of the non-western criterion
    "iv": "sum(iv)",  # of them non-western immigrants and descendants
    "uf_n": "sum(uf_n)",  # population of the outside-work-and-education criterion
    "uf_promille": "sum(uf_promille)",  # sum of thousandths of a year outside
    "uf_personer": "sum(uf_personer)",  # persons with any time outside
    "doemte_n": "sum(doemte_n)",  # population of the conviction criterion
    "doemte": "sum(doemte)",  # of them convicted in the year
    "udd_n": "sum(udd_n)",  # population of the education criterion
    "udd_grund": "sum(udd_grund_alle) - sum(udd_grund_udl)",  # grundskole, Danish/approved source
    "udd_uoplyst": "sum(udd_uoplyst)",  # unknown education
    "udd_grund_udl": "sum(udd_grund_udl)",  # grundskole, foreign self-reported/imputed source
    "udd_hoej_udl": "sum(udd_udl) - sum(udd_grund_udl)",  # above grundskole, foreign source
    "ind_n": "sum(ind_n)",  # tax-liable persons in the income band, not in education
    "ind_sum": "sum(ind_sum)",  # their gross income
    "ind_stud_n": "sum(ind_stud_n)",  # tax-liable persons in the income band in education
    "ind_stud_sum": "sum(ind_stud_sum)",  # their gross income
}

#: The columns of `g`: per address group and data year.
PASS_FIELDS = (
    "beboere",
    "iv_n",
    "iv",
    "uf_n",
    "uf_promille",
    "uf_personer",
    "doemte_n",
    "doemte",
    "udd_n",
    # The education counts. Where every list year of the pass counts education the same way, two
    # (or one) counts say what the tally needs, and the others are 0 (`_education_sums`):
    "udd_grund_alle",  # grundskole, any source
    "udd_uoplyst",
    "udd_grund_udl",
    "udd_udl",  # known education from a foreign self-reported/imputed source
    "ind_n",
    "ind_sum",
    "ind_stud_n",
    "ind_stud_sum",
    "ugyldige",  # rows breaking a rule checked row by row, the rule for `vestlig` among them
    "min_person",
    "max_person",
)


@dataclass(frozen=True)
class Pass:
    """What one pass reads: which data years, by which age bands, with which rules already proven."""

    source: Source
    years: Sequence[int]
    bands: dict[Measure, AgeBand | None]
    method: Method
    proven: Proven = NOTHING_PROVEN
    #: For each list year the pass serves, whether it disregards foreign self-reported education
    #: (`YearPlan.clean_foreign_education`); both values unless all list years agree.
    cleans_foreign_education: frozenset[bool] = frozenset({False, True})

    @property
    def herkomst_apart(self) -> bool:
        """Check `herkomst` in a query of its own: Parquet keeps it dictionary-encoded, so the
        check reads the dictionaries, not the rows (`herkomst_check_sql`); in CSV it is checked
        in the pass."""
        return self.source.format == "parquet"

    def year_filter(self, prefix: str = "") -> str:
        years = ", ".join(str(y) for y in self.years)
        return f"({prefix}aar IN ({years}) OR {prefix}aar IS NULL)"


def _band(spec: Pass, measure: Measure) -> str:
    band = spec.bands[measure]
    return "FALSE" if band is None else band.sql("s.alder")


def _education(method: Method) -> tuple[str, str]:
    """(grundskole, unknown) as SQL over `s.hfaudd`; unknown codes take precedence."""
    low, high = method.grundskole_codes
    codes = method.uoplyst_codes
    unknown = "s.hfaudd IS NULL" + (f" OR s.hfaudd IN ({', '.join(str(c) for c in codes)})" if codes else "")
    grund = f"s.hfaudd BETWEEN {low} AND {high}"
    if any(low <= code <= high for code in codes):
        grund += f" AND NOT ({unknown})"
    return grund, unknown


def _valid(spec: Pass) -> str:
    """The row-by-row rules: every column not proven by statistics, except `vestlig` (whose rule
    shows as an unknown non-western flag, counted in `ugyldige`) and, for Parquet, `herkomst`."""
    apart = {"vestlig", "herkomst"} if spec.herkomst_apart else {"vestlig"}
    present = spec.source.present
    checked = [
        c
        for c in COLUMNS
        if c.name not in KEYS
        and c.name not in apart
        and c.name not in spec.proven.columns
        and (not c.optional or c.name in present)
    ]
    return " AND ".join(valid_sql(c, "s.") for c in checked) or "TRUE"


def _education_sums(spec: Pass) -> dict[str, str]:
    """The education counts over the flags `grund`, `uoplyst` and `udl` of persons in the band.

    The tally (`tally._education`) reads grundskole as `udd_grund` + (`udd_grund_udl` if foreign
    education is not disregarded) and unknown education as `udd_uoplyst` (+ `udd_grund_udl` +
    `udd_hoej_udl` if it is), and with `uoplyst_as_grundskole` only their sum. Where every list
    year of the pass cleans foreign education alike, the pass counts exactly those: grundskole and
    unknown as the list years count them (disjoint, as `grund` excludes unknown codes), or, with
    `uoplyst_as_grundskole`, the one count of their union, and leaves the foreign-source counts 0.
    A NULL `udl` counts as false (`IS NOT TRUE`, and NULL rows are not counted by `count_if`)."""
    if len(spec.cleans_foreign_education) != 1:
        return {
            "udd_grund_alle": "count_if(b_u AND grund)",
            "udd_uoplyst": "count_if(b_u AND uoplyst)",
            "udd_grund_udl": "count_if(b_u AND grund AND udl)",
            "udd_udl": "count_if(b_u AND udl AND NOT uoplyst)",
        }
    (cleaned,) = spec.cleans_foreign_education
    grund, unknown = ("grund AND udl IS NOT TRUE", "uoplyst OR udl") if cleaned else ("grund", "uoplyst")
    if spec.method.uoplyst_as_grundskole:
        either = "grund OR uoplyst OR udl" if cleaned else "grund OR uoplyst"
        counts = {"udd_grund_alle": f"count_if(b_u AND ({either}))", "udd_uoplyst": "0"}
    else:
        counts = {"udd_grund_alle": f"count_if(b_u AND ({grund}))", "udd_uoplyst": f"count_if(b_u AND ({unknown}))"}
    return {**counts, "udd_grund_udl": "0", "udd_udl": "0"}


def _sums(spec: Pass) -> dict[str, str]:
    everyone = spec.bands[Measure.IKKE_VESTLIGE] is not None and _band(spec, Measure.IKKE_VESTLIGE) == "TRUE"
    students = spec.method.students is Students.NONE
    ranged = spec.proven.person_range is None
    sums = {
        "beboere": "count(*)",
        "iv_n": "count(*)" if everyone else "count_if(b_iv)",
        "iv": "count_if(nonwest)" if everyone else "count_if(b_iv AND nonwest)",
        "uf_n": "count_if(b_uf)",
        "uf_promille": "sum(uden_for_promille * b_uf::SMALLINT)",
        # the product `uf_promille` sums, made once for both (common subexpression): one test per row
        "uf_personer": "count_if(uden_for_promille * b_uf::SMALLINT > 0)",
        "doemte_n": "count_if(b_d)",
        "doemte": "count_if(b_d AND doemt)",
        "udd_n": "count_if(b_u)",
        **_education_sums(spec),
        "ind_n": "count_if(b_i AND NOT under_uddannelse)",
        "ind_sum": "sum(bruttoindkomst * (b_i AND NOT under_uddannelse)::BIGINT)",
        "ind_stud_n": "count_if(b_i AND under_uddannelse)" if students else "0",
        "ind_stud_sum": "sum(bruttoindkomst * (b_i AND under_uddannelse)::BIGINT)" if students else "0",
        "ugyldige": "count_if(nonwest IS NULL OR NOT valid)",
        "min_person": "min(person_id)" if ranged else "0",
        "max_person": "max(person_id)" if ranged else "0",
    }
    assert tuple(sums) == PASS_FIELDS
    return sums


def aggregate_sql(spec: Pass, address_year: int | None = None) -> str:
    """The one pass: per-row flags, then integer counts and sums per address group and data year.

    With `address_year`, rows are placed at the person's address in that year (the `current`
    population base), joined on person_id.

    Kept cheap on purpose: `NOT (vestlig OR herkomst = 'dansk')` is the non-western flag (true
    exactly when herkomst is not 'dansk' and vestlig is false) and is NULL exactly when a row
    breaks the rule for `vestlig` (or has no herkomst), so `ugyldige` counts that rule with one
    `IS NULL`; the education counts overlap (grundskole of any source, of a foreign source, any
    known education of a foreign source) so that no CASE is needed, and the roll-up takes the
    differences (`VALUE_FIELDS`) - or, where the list years agree, only the counts the tally
    reads are made (`_education_sums`); conditional sums multiply by the flag instead of a CASE."""
    source = spec.source
    keys_from = "c" if address_year is not None else "s"
    key_sql = []
    for key in KEYS:
        if key == "aar":
            key_sql.append("s.aar")
        elif key == "boligorganisation" and key not in source.present:
            key_sql.append("NULL::VARCHAR AS boligorganisation")
        else:
            key_sql.append(f"{keys_from}.{key}")
    join = ""
    if address_year is not None:
        cols = ", ".join(k for k in KEYS if k != "aar" and (k != "boligorganisation" or k in source.present))
        join = (
            f"JOIN (SELECT person_id, {cols} FROM {source.scan_sql()} WHERE aar = {address_year}) c "
            "ON c.person_id = s.person_id"
        )
    grund, uoplyst = _education(spec.method)
    sums = _sums(spec)
    return f"""
WITH r AS (
  SELECT {", ".join(key_sql)},
    {_band(spec, Measure.IKKE_VESTLIGE)} AS b_iv,
    {_band(spec, Measure.UDEN_FOR_ARBEJDSMARKED)} AS b_uf,
    {_band(spec, Measure.DOEMTE)} AS b_d,
    {_band(spec, Measure.KUN_GRUNDSKOLE)} AS b_u,
    ({_band(spec, Measure.INDKOMST)}) AND s.skattepligtig AS b_i,
    NOT (s.vestlig OR s.herkomst = 'dansk') AS nonwest,
    {grund} AS grund,
    {uoplyst} AS uoplyst,
    s.hfaudd_kilde_udenlandsk AS udl,
    s.doemt, s.uden_for_promille, s.bruttoindkomst, s.under_uddannelse, s.person_id,
    {_valid(spec)} AS valid
  FROM {source.scan_sql()} s {join}
  WHERE {spec.year_filter("s.")}
)
SELECT {", ".join(KEYS)}, {", ".join(f"{sql} AS {name}" for name, sql in sums.items())}
FROM r
GROUP BY {", ".join(KEYS)}
"""


def herkomst_check_sql(spec: Pass) -> str:
    """Rows in the pass's years whose herkomst is missing or not one of `HERKOMST`.

    Written as a filter DuckDB can push into the Parquet reader, which then tests each
    row group's dictionary instead of its rows."""
    allowed = ", ".join(f"'{h}'" for h in HERKOMST)
    return (
        f"SELECT count(*) FROM {spec.source.scan_sql()} "
        f"WHERE (herkomst NOT IN ({allowed}) OR herkomst IS NULL) AND {spec.year_filter()}"
    )


#: The unit kinds the roll-up produces: afdeling, omraade, region and the whole country.
ROLLUP = (
    ("afdeling", "afdeling", "afdeling IS NOT NULL"),
    ("omraade", "omraade", "omraade IS NOT NULL"),
    ("region", "CAST(region AS VARCHAR)", "TRUE"),
    ("land", "''", "TRUE"),
)


def rollup_sql(table: str) -> str:
    value_sums = ", ".join(f"coalesce({sql}, 0)::BIGINT AS {name}" for name, sql in VALUE_FIELDS.items())
    parts = [
        f"SELECT '{kind}' AS kind, {name} AS name, aar, {value_sums} FROM {table} WHERE {where} GROUP BY ALL"
        for kind, name, where in ROLLUP
    ]
    return "\nUNION ALL\n".join(parts)
