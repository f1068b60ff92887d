"""Benchmark of the application package for the Mit Kvarter example (see bench/README.md).

    .venv/bin/python bench/application.py [--repeat 7] [--plan examples/mit-kvarter]

Measures, in one process after a warm-up run (imports, fonts and the chart renderer loaded once):

- package:  `build_package(plan, out)`: load and classify, build the document, write the DOCX, the
            PDF, the XLSX annex and the lint (the whole of `boligsocial application`);
- parts:    each step of the package on its own (load, document, docx, pdf, annex, lint);
- baseline: loading the plan and classifying its key figures (`load_assessment`) — the floor every
            report pays — and rendering the PDF alone.

Each measurement is repeated --repeat times; the median is reported (the machine may be shared).
It also times one cold `build_package` in a fresh interpreter (imports included). The target is a
package in at most 3 seconds. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import median_time  # noqa: E402

from boligsocial.plan.assessment import load_assessment  # noqa: E402
from boligsocial.reports.annex import write_annex  # noqa: E402
from boligsocial.reports.docx_render import render_docx  # noqa: E402
from boligsocial.reports.lint import run_lint  # noqa: E402
from boligsocial.reports.package import build_package  # noqa: E402
from boligsocial.reports.pdf_render import render_pdf  # noqa: E402
from boligsocial.reports.projektbeskrivelse import build_projektbeskrivelse  # noqa: E402

LIMIT_S = 3.0


def cold_run(plan: Path, out: Path) -> float:
    """Wall time of one package in a fresh interpreter, imports included."""
    code = (
        "import sys, time; t = time.perf_counter(); "
        "from pathlib import Path; from boligsocial.reports.package import build_package; "
        f"build_package(Path({str(plan)!r}), Path({str(out)!r})); print(time.perf_counter() - t)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", type=Path, default=ROOT / "examples" / "mit-kvarter")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    plan: Path = args.plan
    repeat: int = args.repeat

    with tempfile.TemporaryDirectory(prefix="bench-application-") as tmp:
        work = Path(tmp)
        result = build_package(plan, work / "warm")  # warm-up: imports, fonts, chart renderer
        pages = result.pdf_pages

        package = median_time(lambda: build_package(plan, work / "pakke"), repeat)
        ctx = load_assessment(plan)
        document = build_projektbeskrivelse(ctx)
        parts = {
            "load": median_time(lambda: load_assessment(plan), repeat),
            "document": median_time(lambda: build_projektbeskrivelse(ctx), repeat),
            "docx": median_time(lambda: render_docx(document, work / "x.docx"), repeat),
            "pdf": median_time(lambda: render_pdf(document, work / "x.pdf"), repeat),
            "annex": median_time(lambda: write_annex(ctx, work / "x.xlsx"), repeat),
            "lint": median_time(lambda: run_lint(ctx, pdf_pages=pages), repeat),
        }
        cold = cold_run(plan, work / "kold")

    print(f"Ansøgningspakke for {plan.name}: {repeat} kørsler, median (sekunder)")
    print(f"  hele pakken (build_package)        {package:6.3f}   grænse {LIMIT_S:.1f} s")
    print(f"  kold, ny fortolker inkl. import    {cold:6.3f}")
    for name, seconds in parts.items():
        print(f"    {name:<32} {seconds:6.3f}   ({seconds / package:5.1%} af pakken)")
    print(
        f"  grundlinje: indlæs + klassificér   {parts['load']:6.3f}   "
        f"pakken = {package / parts['load']:.1f} × grundlinjen"
    )
    print(
        f"  grundlinje: kun PDF                {parts['pdf']:6.3f}   pakken = {package / parts['pdf']:.1f} × PDF alene"
    )
    print(f"  PDF-sider: {pages}")
    summary = {
        "benchmark": "application",
        "plan": plan.name,
        "repeat": repeat,
        "package_median_s": round(package, 3),
        "cold_package_s": round(cold, 3),
        "parts_median_s": {k: round(v, 3) for k, v in parts.items()},
        "baseline_load_s": round(parts["load"], 3),
        "baseline_pdf_s": round(parts["pdf"], 3),
        "ratio_package_to_load": round(package / parts["load"], 2),
        "ratio_package_to_pdf": round(package / parts["pdf"], 2),
        "pdf_pages": pages,
        "limit_s": LIMIT_S,
        "within_limit": package <= LIMIT_S,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
