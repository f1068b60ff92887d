"""The key-figure annex: `bilag-noegletal.xlsx`, written from a loaded plan (`PlanAssessment`).

One sheet per table, all user-facing text in Danish:

* **Stamdata** - the plan's afdelinger: boligorganisation, afdeling, afdelingsnummer, boliger,
  boligområde, status in the plan and the condition of a conditional afdeling, with total rows
  (`SUM`/`SUMIF` formulas that also carry their computed value, so that readers that do not
  recalculate - previews, pandas, openpyxl - see the number too).
* **Nøgletal** - residents and the five criteria values per afdeling and per område. Values are
  numbers with number formats (`#,##0`, `0.0`, `0.00` for dømte); Excel shows them with Danish
  separators under a Danish locale. Approximate area values have the format `"~"0.0` (shown as
  `~57,3`), are italic and are marked in the `Tilnærmet` column.
* **Listestatus** - per unit the status on each list for the list year (ja/ubestemt, empty for
  nej) and the status it would have as an area (without the resident minimum), filled when on a list.
* **Afstand til grænser** - each criterion's margin in percentage points, with conditional fills
  for met criteria and near misses (a sheet of its own, so both print on A4 at a readable size).
* **Grænseværdier** - each list's criteria for the list year: operator, threshold, wording,
  population and citation, all taken from the evaluation result (never written here).
* **Kilder og noter** - list year, rule set, conviction thresholds and their sources, the notes of
  the evaluation, the approximation note, how suppressed values and colours are shown, and the
  generation date.

**Suppressed values** are written as the text `-` (right-aligned, grey), as the published tables
and the application write them. A printed annex then shows that the value is missing rather than
an empty cell that looks forgotten, and Excel's `SUM`, `AVERAGE`, `MIN` and `MAX` skip text cells,
so the columns stay usable for calculation.

**Printing**: every sheet is landscape A4, fitted to the page width, with its header rows repeated;
every cell with a value names its font (Calibri 10), columns are at least as wide as their header's
longest word, and rows with wrapped text are as high as their lines (`cells.finish_sheet`). Text the
same in most rows (a condition, a source) is written once as a note under the table.

The file is written atomically: to a temporary file in the target folder, then renamed.

The sheets are written by `plan_sheets` (Stamdata, Nøgletal), `listestatus`, `margins` and `sources`
(Grænseværdier, Kilder og noter), from the rows of `units`, with the cell styles of `cells`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Final

from openpyxl import Workbook  # type: ignore[import-untyped]

from boligsocial.files import write_atomically
from boligsocial.plan.assessment import PlanAssessment
from boligsocial.reports.annex.cells import Cached, finish_sheet
from boligsocial.reports.annex.listestatus import sheet_listestatus
from boligsocial.reports.annex.margins import sheet_afstande
from boligsocial.reports.annex.plan_sheets import sheet_noegletal, sheet_stamdata
from boligsocial.reports.annex.sources import sheet_graenser, sheet_kilder
from boligsocial.reports.annex.units import annex_rows

__all__ = ["ANNEX_FILENAME", "SHEET_NAMES", "annex_bytes", "write_annex"]

ANNEX_FILENAME: Final = "bilag-noegletal.xlsx"

SHEET_STAMDATA: Final = "Stamdata"
SHEET_NOEGLETAL: Final = "Nøgletal"
SHEET_LISTESTATUS: Final = "Listestatus"
SHEET_AFSTANDE: Final = "Afstand til grænser"
SHEET_GRAENSER: Final = "Grænseværdier"
SHEET_KILDER: Final = "Kilder og noter"
SHEET_NAMES: Final = (
    SHEET_STAMDATA,
    SHEET_NOEGLETAL,
    SHEET_LISTESTATUS,
    SHEET_AFSTANDE,
    SHEET_GRAENSER,
    SHEET_KILDER,
)


def _cached_value_replacement(value: int | float) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{match.group(1)}<v>{value!r}</v>"


def _with_cached_values(data: bytes, workbook: Workbook, cached: Cached) -> bytes:
    """Put the computed values of formula cells into the saved file (`<v>` after `<f>`)."""
    if not cached.values:
        return data
    parts = {
        f"xl/worksheets/sheet{index}.xml": cached.values[ws.title]
        for index, ws in enumerate(workbook.worksheets, start=1)
        if ws.title in cached.values
    }
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in parts:
                text = content.decode("utf-8")
                for coordinate, value in parts[info.filename].items():
                    pattern = re.compile(rf'(<c r="{coordinate}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?')
                    text, count = pattern.subn(_cached_value_replacement(value), text, count=1)
                    if count != 1:
                        raise RuntimeError(f"formula cell {coordinate} not found in {info.filename}")
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def _workbook(ctx: PlanAssessment, generated: date) -> tuple[Workbook, Cached]:
    workbook = Workbook()
    rows = annex_rows(ctx)
    cached = Cached()
    sheets = {name: (workbook.active if i == 0 else workbook.create_sheet()) for i, name in enumerate(SHEET_NAMES)}
    for name, ws in sheets.items():
        ws.title = name
    sheet_stamdata(sheets[SHEET_STAMDATA], ctx, cached)
    sheet_noegletal(sheets[SHEET_NOEGLETAL], ctx, rows)
    sheet_listestatus(sheets[SHEET_LISTESTATUS], ctx, rows)
    sheet_afstande(sheets[SHEET_AFSTANDE], ctx, rows)
    sheet_graenser(sheets[SHEET_GRAENSER], ctx)
    sheet_kilder(sheets[SHEET_KILDER], ctx, rows, generated)
    for ws in workbook.worksheets:
        finish_sheet(ws)
    workbook.properties.title = f"{ctx.plan.navn}: bilag med nøgletal, listeår {ctx.list_year}"
    workbook.properties.creator = "boligsocial"
    workbook.properties.language = "da-DK"
    return workbook, cached


def annex_bytes(ctx: PlanAssessment, *, generated: date | None = None) -> bytes:
    """The annex workbook as bytes (what `write_annex` writes)."""
    workbook, cached = _workbook(ctx, generated or date.today())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_cached_values(buffer.getvalue(), workbook, cached)


def write_annex(ctx: PlanAssessment, path: Path, *, generated: date | None = None) -> None:
    """Write the key-figure annex to `path` (normally `bilag-noegletal.xlsx`), atomically: nothing
    at `path` is replaced unless the whole workbook was written. `generated` is the date shown as
    the generation date (default: today)."""
    write_atomically(path, annex_bytes(ctx, generated=generated), create_folder=True)
