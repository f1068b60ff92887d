"""Benchmark of assessing a plan: classify once (plan/assessment.py) against the old way, twice.

    .venv/bin/python bench/assessment.py [--repeat 21] [--plan examples/mit-kvarter]

Before issue 9 every loader of a plan (the reports' `load_context`, the store's `plan_context`)
classified its key figures twice: as the law stands, and with the resident minimum set aside
("as areas"). `assess` classifies once and makes the second evaluation only when a page asks for
it. Measured in one process, after a warm-up, the median of --repeat runs of:

- baseline: read the plan folder and its key figures, classify twice (what the loaders did);
- assess:   `load_assessment(folder)`: read and classify once;
- assess + as areas: the same, then the evaluation as areas (what the department table needs).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import median_time  # noqa: E402

from boligsocial.law.classify import Options, classify  # noqa: E402
from boligsocial.plan.assessment import load_assessment  # noqa: E402
from boligsocial.plan.folder import load_plan, noegletal_path  # noqa: E402
from boligsocial.plan.keyfigures import read_key_figures  # noqa: E402


def classify_twice(folder: Path) -> None:
    plan = load_plan(folder)
    path = noegletal_path(plan, folder)
    assert path is not None and plan.liste_aar is not None
    units = read_key_figures(path)
    classify(units, plan.liste_aar, Options())
    classify(units, plan.liste_aar, Options(ignore_min_residents=True))


def assess_with_as_areas(folder: Path) -> None:
    assessment = load_assessment(folder)
    assert assessment.as_areas is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", type=Path, default=ROOT / "examples" / "mit-kvarter")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    plan: Path = args.plan
    repeat: int = args.repeat

    classify_twice(plan)  # warm-up: imports, law parameters
    assess_with_as_areas(plan)
    baseline = median_time(lambda: classify_twice(plan), repeat)
    once = median_time(lambda: load_assessment(plan), repeat)
    both = median_time(lambda: assess_with_as_areas(plan), repeat)

    print(f"Vurdering af {plan.name}: {repeat} kørsler, median (sekunder)")
    print(f"  grundlinje: læs + klassificér to gange   {baseline:6.3f}")
    print(f"  load_assessment (én klassificering)      {once:6.3f}   {once / baseline:.2f} × grundlinjen")
    print(f"  load_assessment + som områder            {both:6.3f}   {both / baseline:.2f} × grundlinjen")
    summary = {
        "benchmark": "assessment",
        "plan": plan.name,
        "repeat": repeat,
        "baseline_classify_twice_s": round(baseline, 4),
        "assess_s": round(once, 4),
        "assess_with_as_areas_s": round(both, 4),
        "ratio_assess_to_baseline": round(once / baseline, 2),
        "ratio_assess_with_as_areas_to_baseline": round(both / baseline, 2),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
