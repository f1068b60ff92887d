"""Key-figure files (nøgletal): one row per afdeling, as CSV or XLSX.

`read_key_figures` turns a file into `UnitFigures` (the contract in `law/figures.py`) or raises
`KeyFigureError` with *every* problem found, each naming file, row and column in Danish. It never
returns a partial result. `write_key_figures` writes units in the same format, atomically, and
checks that the file reads back to the same figures before it replaces anything.

The format is documented for users in `docs/key-figures.md`; keep the two in step. The modules:
`columns` (the columns and their accepted headers), `errors`, `cells` and `reading` (from a file to
rows of cells), `parsing` (from rows to units) and `writing`. Import the public names from here.
"""

from boligsocial.plan.keyfigures.columns import (
    ACCEPTED_SUFFIXES,
    COLUMNS,
    EXTRA_AFDELINGSNUMMER,
    EXTRA_INDKOMST_REGION_GNS,
    PCT_COLUMN,
    KeyFigureColumn,
)
from boligsocial.plan.keyfigures.errors import ImportIssue, KeyFigureError
from boligsocial.plan.keyfigures.reading import read_key_figures
from boligsocial.plan.keyfigures.writing import region_average, write_key_figures

__all__ = [
    "ACCEPTED_SUFFIXES",
    "COLUMNS",
    "EXTRA_AFDELINGSNUMMER",
    "EXTRA_INDKOMST_REGION_GNS",
    "PCT_COLUMN",
    "ImportIssue",
    "KeyFigureColumn",
    "KeyFigureError",
    "read_key_figures",
    "region_average",
    "write_key_figures",
]
