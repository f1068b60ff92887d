"""Benchmark of `boligsocial register compute` (see bench/README.md).

    .venv/bin/python bench/register.py [--persons 6000000] [--years 2] [--big] [--repeat 3]

Generates (or reuses) the synthetic country in bench/data/, then measures, each in a fresh child
process (peak RSS from the kernel's accounting of that child, wall time inside the child so that
interpreter start and imports are not counted):

- engine:  the register computation (`lists.run`: schema checks, the DuckDB pass with validation
           and duplicate check, exact figures, discretion) for the list year after the last data
           year;
- command: the whole `boligsocial register compute DATA --year Y --out FIGURES --format json`
           process, wall time from the outside (start-up, classification and the key-figure file
           included);
- pandas:  the same figures computed the straightforward way in pandas (checked against the
           engine's numbers);
- floor:   one DuckDB query that reads the same columns from the same files and aggregates them
           per (aar, region, kommune, omraade, afdeling, boligorganisation), without joins.

With --big it also runs the engine over --big-years x --persons rows (every list year the history
supports, one pass) under a 4 GB DuckDB memory limit with a spill folder, once with the default
duplicate check (a bitmap) and once with the hash duplicate check (the one used for sparse ids),
which needs more than 4 GB of state and must spill.

Each measurement is repeated --repeat times and the fastest run is reported: the machine may be
shared. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
COLUMNS = [
    "person_id", "aar", "region", "kommune", "afdeling", "omraade", "boligorganisation", "alder", "herkomst",
    "vestlig", "uden_for_promille", "doemt", "hfaudd", "hfaudd_kilde_udenlandsk", "bruttoindkomst",
    "skattepligtig", "under_uddannelse",
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Data


def ensure_data(persons: int, years: int, last_year: int, seed: int = 1) -> Path:
    folder = DATA / f"register-{persons}x{years}-{last_year}-seed{seed}"
    manifest = folder / "synth.json"
    if manifest.exists():
        spec = json.loads(manifest.read_text(encoding="utf-8"))["spec"]
        if spec == {"persons": persons, "years": years, "seed": seed, "last_year": last_year, "format": "parquet"}:
            return folder
    print(f"Laver syntetiske data: {persons:,} personer x {years} år -> {folder}", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "boligsocial.register.cli", "synth", "--persons", str(persons), "--years", str(years),
         "--seed", str(seed), "--last-year", str(last_year), "--out", str(folder), "--no-progress"],
        check=True,
    )  # fmt: skip
    print(f"  {time.perf_counter() - start:.0f} s", flush=True)
    return folder


# --------------------------------------------------------------------------------------------
# Children (run in a fresh interpreter; print one JSON line)


def child_engine(args: argparse.Namespace) -> dict[str, Any]:
    from boligsocial.register.compute import EngineOptions
    from boligsocial.register.discretion import DEFAULT_MIN_CELL
    from boligsocial.register.lists import run
    from boligsocial.register.method import Method, parse_method_overrides

    method = parse_method_overrides(args.method) if args.method else Method()
    engine = EngineOptions(
        threads=args.threads,
        memory_limit=args.memory_limit,
        temp_directory=Path(args.temp_dir) if args.temp_dir else None,
        full_duplicate_check=args.hash_duplicates,
    )
    start, cpu = time.perf_counter(), time.process_time()
    result = run([Path(args.data)], range(args.first_year, args.year + 1), method, DEFAULT_MIN_CELL, engine)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    year = result.year(args.year)
    areas = {u.name: {m.value: _pair(c) for m, c in u.cells.items()} for u in year.omraader}
    return {"seconds": seconds, "cpu": cpu, "timings": result.timings, "areas": areas, "list_years": len(result.years)}


def _pair(cell: Any) -> list[str]:
    m = cell.measurement
    return [str(m.numerator), str(m.denominator)]


def child_floor(args: argparse.Namespace) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    if args.memory_limit:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
    files = sorted(str(p) for p in Path(args.data).glob("*.parquet"))
    keys = "aar, region, kommune, omraade, afdeling, boligorganisation"
    sql = f"""
        SELECT {keys}, count(*), max(person_id), sum(alder), sum(uden_for_promille), count_if(doemt),
               sum(hfaudd), count_if(hfaudd_kilde_udenlandsk), sum(bruttoindkomst), count_if(skattepligtig),
               count_if(under_uddannelse), count_if(vestlig), count_if(herkomst = 'dansk')
        FROM read_parquet({files!r}) GROUP BY {keys}"""
    start, cpu = time.perf_counter(), time.process_time()
    groups = len(con.execute(sql).fetchall())
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "groups": groups}


def child_pandas(args: argparse.Namespace) -> dict[str, Any]:
    """The figures the way an analyst would write them in pandas: read, flag, group, divide."""
    import math
    from fractions import Fraction

    import pandas as pd

    start, cpu = time.perf_counter(), time.process_time()
    y = args.year
    files = sorted(Path(args.data).glob("*.parquet"))
    df = pd.concat([pd.read_parquet(f, columns=COLUMNS) for f in files], ignore_index=True)
    df = df[df["aar"].isin([y - 2, y - 1])]
    last = df[df["aar"] == y - 1]
    last = last.assign(nw=(last["herkomst"] != "dansk") & (last["vestlig"] == False))  # noqa: E712
    a = df[(df["alder"] >= 18) & (df["alder"] <= 64)]  # outside work: 18-64, both years
    b = df[df["alder"] >= 18]  # convicted: 18 and over, both years
    c = last[(last["alder"] >= 30) & (last["alder"] <= 59)]  # education: 30-59
    # from 2018 foreign self-reported education counts as unknown, and unknown as grundskole
    code = c["hfaudd"]
    unknown = code.isna() | code.isin([0, 1001]) | c["hfaudd_kilde_udenlandsk"].fillna(False)
    c = c.assign(g=unknown | code.between(1002, 1008))
    d = last[(last["alder"] >= 15) & (last["alder"] <= 64) & last["skattepligtig"] & ~last["under_uddannelse"]]
    national = Fraction(int(b["doemt"].sum()) * 100, len(b))
    region = d.groupby("region")["bruttoindkomst"].agg(["sum", "size"])
    region_avg = {
        int(r): Fraction(math.floor(Fraction(int(row["sum"]), int(row["size"])) * 100 + Fraction(1, 2)), 100)
        for r, row in region.iterrows()
    }

    def per(key: str) -> pd.DataFrame:
        return pd.concat(
            [
                last.groupby(key).agg(beboere=("person_id", "size"), nw=("nw", "sum")),
                a.groupby(key).agg(promille=("uden_for_promille", "sum"), n_uf=("uden_for_promille", "size")),
                b.groupby(key).agg(doemte=("doemt", "sum"), n_d=("doemt", "size")),
                c.groupby(key).agg(g=("g", "sum"), n_g=("g", "size")),
                d.groupby(key).agg(s=("bruttoindkomst", "sum"), n_i=("bruttoindkomst", "size"), r=("region", "first")),
            ],
            axis=1,
        )

    areas_frame = per("omraade")
    per("afdeling")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu

    def pair(numerator: Fraction, denominator: Any) -> list[str]:
        return [str(numerator), str(Fraction(int(denominator)))]

    areas: dict[str, dict[str, list[str]]] = {}
    for name, row in areas_frame.iterrows():
        if pd.isna(row["beboere"]):
            continue
        areas[str(name)] = {
            "ikke_vestlige": pair(Fraction(int(row["nw"])), row["beboere"]),
            "uden_for_arbejdsmarked": pair(Fraction(int(row["promille"]), 1000), row["n_uf"]),
            "doemte": pair(Fraction(int(row["doemte"])), row["n_d"]),
            "kun_grundskole": pair(Fraction(int(row["g"])), row["n_g"]),
            "indkomst": pair(Fraction(int(row["s"])) / region_avg[int(row["r"])], row["n_i"]),
        }
    return {"seconds": seconds, "cpu": cpu, "areas": areas, "national": str(national)}


CHILDREN = {"engine": child_engine, "floor": child_floor, "pandas": child_pandas}


# --------------------------------------------------------------------------------------------
# Measuring


def measure(argv: list[str], temp_dir: Path | None = None) -> dict[str, Any]:
    """Run a child; wall time, peak RSS of that child, the child's JSON, and the spill folder's peak."""
    peak_temp = [0]
    done = threading.Event()

    def watch() -> None:
        while temp_dir is not None and not done.wait(0.5):
            size = sum(p.stat().st_size for p in temp_dir.rglob("*") if p.is_file())
            peak_temp[0] = max(peak_temp[0], size)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err.decode()}")
    result: dict[str, Any] = {
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "spill_peak_mb": peak_temp[0] / 2**20,
    }
    lines = out.decode().strip().splitlines()
    if lines and lines[-1].startswith("{"):
        result.update(json.loads(lines[-1]))
    return result


def child_argv(kind: str, data: Path, year: int, first_year: int, extra: list[str]) -> list[str]:
    return [PYTHON, __file__, "--child", kind, "--data", str(data), "--year", str(year), "--first-year",
            str(first_year), *extra]  # fmt: skip


def best(runs: list[dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    chosen = min(runs, key=lambda r: r[key])
    return {**chosen, "all": [round(r[key], 3) for r in runs], "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=6_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--last-year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--big", action="store_true", help="also the long history under a 4 GB limit")
    parser.add_argument("--big-years", type=int, default=40)
    parser.add_argument("--skip-pandas", action="store_true")
    # child options
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("--data")
    parser.add_argument("--year", type=int)
    parser.add_argument("--first-year", type=int)
    parser.add_argument("--memory-limit")
    parser.add_argument("--temp-dir")
    parser.add_argument("--hash-duplicates", action="store_true")
    parser.add_argument("--method", action="append")
    args = parser.parse_args()

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    threads = ["--threads", str(args.threads)]
    year = args.last_year + 1
    data = ensure_data(args.persons, args.years, args.last_year)
    rows = args.persons * args.years
    print(f"\n{rows:,} personrækker ({args.persons:,} personer x {args.years} år), listeår {year}, "
          f"{args.threads} tråde, {os.cpu_count()} kerner", flush=True)  # fmt: skip

    runs: dict[str, list[dict[str, Any]]] = {"engine": [], "floor": [], "command": [], "pandas": []}
    figures = Path(tempfile.mkdtemp(prefix="bench-register-")) / "noegletal.csv"
    for i in range(args.repeat):
        runs["floor"].append(measure(child_argv("floor", data, year, year, threads)))
        runs["engine"].append(measure(child_argv("engine", data, year, year, threads)))
        command = [PYTHON, "-m", "boligsocial.register.cli", "compute", str(data), "--year", str(year), "--out",
                   str(figures), "--format", "json", "--no-progress", *threads]  # fmt: skip
        runs["command"].append(measure(command))
        if not args.skip_pandas and i == 0:
            runs["pandas"].append(measure(child_argv("pandas", data, year, year, [])))
        latest = {kind: r[-1] for kind, r in runs.items() if r}
        print(
            f"  runde {i + 1}: gulv {latest['floor']['seconds']:.2f} s, motor {latest['engine']['seconds']:.2f} s, "
            f"kommando {latest['command']['wall_s']:.2f} s",
            flush=True,
        )
    shutil.rmtree(figures.parent, ignore_errors=True)

    engine, floor = best(runs["engine"]), best(runs["floor"])
    command = best(runs["command"], "wall_s")
    pandas = best(runs["pandas"]) if runs["pandas"] else None
    if pandas is not None:
        same = pandas["areas"] == engine["areas"]
        print(f"  pandas giver de samme tællere og nævnere som motoren: {'ja' if same else 'NEJ'}")
    summary: dict[str, Any] = {
        "rows": rows,
        "persons": args.persons,
        "years": args.years,
        "list_year": year,
        "threads": args.threads,
        "engine_s": round(engine["seconds"], 3),
        "engine_runs_s": engine["all"],
        "engine_timings": {k: round(v, 3) for k, v in engine["timings"].items()},
        "floor_s": round(floor["seconds"], 3),
        "floor_runs_s": floor["all"],
        "command_s": round(command["wall_s"], 3),
        "pandas_s": round(pandas["seconds"], 3) if pandas else None,
        "peak_rss_mb": round(engine["peak_rss_mb"], 1),
        "command_peak_rss_mb": round(command["peak_rss_mb"], 1),
        "floor_peak_rss_mb": round(floor["peak_rss_mb"], 1),
        "pandas_peak_rss_mb": round(pandas["peak_rss_mb"], 1) if pandas else None,
        "engine_cpu_s": round(min(r["cpu"] for r in runs["engine"]), 3),
        "floor_cpu_s": round(min(r["cpu"] for r in runs["floor"]), 3),
        "pandas_cpu_s": round(pandas["cpu"], 3) if pandas else None,
        "engine_over_floor": round(engine["seconds"] / floor["seconds"], 2),
        "pandas_over_engine": round(pandas["seconds"] / engine["seconds"], 1) if pandas else None,
        "engine_s_per_million_rows": round(engine["seconds"] / (rows / 1e6), 4),
    }
    print(f"\nMotor (register compute, data til tal):  {engine['seconds']:.2f} s, {engine['peak_rss_mb']:.0f} MB RSS")
    print(f"Hele kommandoen (start, lister, fil):     {command['wall_s']:.2f} s, {command['peak_rss_mb']:.0f} MB RSS")
    print(f"Gulv (én DuckDB-forespørgsel):            {floor['seconds']:.2f} s")
    if pandas:
        print(
            f"pandas:                                   {pandas['seconds']:.2f} s, {pandas['peak_rss_mb']:.0f} MB RSS"
        )
    print(f"Motor / gulv: {summary['engine_over_floor']}; pandas / motor: {summary['pandas_over_engine']}")
    print(
        f"CPU-tid: motor {summary['engine_cpu_s']} s, gulv {summary['floor_cpu_s']} s, "
        f"pandas {summary['pandas_cpu_s']} s"
    )

    if args.big:
        # data years 2006 and on: the first list year, 2010, averages four years
        big_last = 2005 + args.big_years
        big_data = ensure_data(args.persons, args.big_years, big_last)
        big_year, first = big_last + 1, 2010
        big_rows = args.persons * args.big_years
        spill = Path(tempfile.mkdtemp(prefix="bench-register-spill-"))
        limit = ["--memory-limit", "4GB", "--temp-dir", str(spill)]
        print(f"\n{big_rows:,} personrækker ({args.big_years} år), listeår {first}-{big_year} i én kørsel, "
              "hukommelsesgrænse 4 GB", flush=True)  # fmt: skip
        big = measure(child_argv("engine", big_data, big_year, first, [*threads, *limit]), spill)
        print(f"  motor: {big['seconds']:.1f} s, {big['peak_rss_mb']:.0f} MB RSS, spild {big['spill_peak_mb']:.0f} MB")
        hashed = measure(
            child_argv("engine", big_data, big_year, first, [*threads, *limit, "--hash-duplicates"]), spill
        )
        print(f"  motor med hash-dubletkontrol: {hashed['seconds']:.1f} s, {hashed['peak_rss_mb']:.0f} MB RSS, "
              f"spild {hashed['spill_peak_mb']:.0f} MB", flush=True)  # fmt: skip
        big_floor = measure(child_argv("floor", big_data, big_year, first, [*threads, "--memory-limit", "4GB"]))
        print(f"  gulv: {big_floor['seconds']:.1f} s")
        shutil.rmtree(spill, ignore_errors=True)
        summary["big"] = {
            "rows": big_rows,
            "list_years": big["list_years"],
            "engine_s": round(big["seconds"], 2),
            "engine_timings": {k: round(v, 2) for k, v in big["timings"].items()},
            "peak_rss_mb": round(big["peak_rss_mb"], 1),
            "spill_peak_mb": round(big["spill_peak_mb"], 1),
            "engine_hash_duplicates_s": round(hashed["seconds"], 2),
            "hash_duplicates_peak_rss_mb": round(hashed["peak_rss_mb"], 1),
            "hash_duplicates_spill_peak_mb": round(hashed["spill_peak_mb"], 1),
            "floor_s": round(big_floor["seconds"], 2),
            "engine_cpu_s": round(big["cpu"], 2),
            "floor_cpu_s": round(big_floor["cpu"], 2),
            "engine_s_per_million_rows": round(big["seconds"] / (big_rows / 1e6), 4),
            "engine_over_floor": round(big["seconds"] / big_floor["seconds"], 2),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
