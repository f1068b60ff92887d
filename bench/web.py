"""Benchmark of the web app: concurrent clients on loopback against a real server.

    .venv/bin/python bench/web.py                      # SQLite, 20 clients, 30 s
    .venv/bin/python bench/web.py --pg-temp            # a throwaway PostgreSQL cluster (initdb/pg_ctl)
    .venv/bin/python bench/web.py --db postgresql://user@127.0.0.1:5432/bench

The server (uvicorn, `--workers` processes, default 1) runs in a child process on a free loopback
port with a fresh database holding the example plan (Mit Kvarter, as `boligsocial serve` starts).
After a warm-up (two passes over every page per worker, so classification, charts and pages are
cached), `--clients` closed-loop clients (each sends its next request as soon as the previous
answer has arrived; `--think-ms` adds a pause) request, in turn, the overview, the departments
table and a department page (cycling through all 28 departments) for `--seconds`, or until
`--max-requests` requests. `--uncached-pages` makes every address unique, so each page is rendered
again rather than served from the page cache (the classified plan stays cached): the cost after
a write, or of many different filters.

Every page needs sign-in: the benchmark creates one user (an administrator of every plan), signs
in once through /logind and sends the session cookie with every request, as a browser does.

`--uncached` is the harder mode (issue 12): first the cached mode above for `--baseline-seconds`
(the baseline, same run), then `--seconds` in which every request is a different address over
every page of the plan (overview and its list years, the departments table with different sorts
and filters, every department, the areas and each area, the indicators and each indicator, the
texts, the audit trail with different filters; HTML, JSON and CSV), each with a parameter no other
request has, while one writer saves an indicator value through the web app every `--write-every`
seconds (as the signed-in editor, with the CSRF token), so every data-version-keyed cache is
invalidated. Then the floor, in the same run and with the same clients, no writes: the app's
signed-in front page (the plan list) with every address distinct, and a bare FastAPI route
returning a fixed HTML page from its own uvicorn process (what the framework, the event loop, the
thread pool and the shared machine take by themselves). Printed for every phase, with the ratios
uncached/cached and uncached/floor of p95, and the load average before and after (as `uptime`).

The profile of that path (one client, in process, under cProfile) is bench/web_profile.py.

Printed: per page and in total the number of requests, the error count (non-200 answers and
failed connections) and the p50/p95/p99 latency in milliseconds; the last line is one JSON object.
Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGET = 0.050  # p95 target, seconds
FLOOR_PAGES = {"forside": ["/"]}  # the app's signed-in front page: the list of plans
BENCH_USER = "bench@example.dk"
BENCH_PASSWORD = "en lang bench-adgangskode"
SETUP = """
import sys
from boligsocial.store import SYSTEM_ACTOR, UserService, bootstrap
users = UserService(bootstrap(sys.argv[1]), SYSTEM_ACTOR)
if not any(u.email == sys.argv[2] for u in users.users()):
    users.add_user(sys.argv[2], sys.argv[3], "administrator")
"""

SERVER = """
import sys, uvicorn
url, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import os
os.environ["BOLIGSOCIAL_DB"] = url
uvicorn.run("boligsocial.web.app:create_app_from_env", factory=True, host="127.0.0.1", port=port,
            workers=workers, log_level="warning", access_log=False)
"""

# The floor: a bare FastAPI route returning a fixed page of about the size of the app's pages, in a
# worker thread as the app builds a page anew, served by uvicorn as the app is.
BARE_SERVER = """
import sys, uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
PAGE = "<!doctype html><html lang=da><head><title>Gulv</title></head><body>" + "<p>Boligsocial.</p>" * 1000
app = FastAPI()
@app.get("/")
def page() -> HTMLResponse:
    return HTMLResponse(PAGE)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), workers=1, log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --------------------------------------------------------------------------------------------------
# Databases


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port (as the test suite makes one)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    bin_dir = next((Path(c) for c in candidates if (Path(c) / "initdb").is_file()), None)
    if bin_dir is None and shutil.which("initdb"):
        bin_dir = Path(str(shutil.which("initdb"))).parent
    if bin_dir is None:
        sys.exit("initdb/pg_ctl not found: install PostgreSQL (Debian: apt-get install postgresql) or use --db URL")
    root = Path(tempfile.mkdtemp(prefix="boligsocial-bench-pg-"))
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    prefix = [str(shutil.which("runuser")), "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = root / "data"
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off"
    subprocess.run(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        base = f"postgresql://postgres@127.0.0.1:{port}"
        name = f"bench_{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [*prefix, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
        yield f"{base}/{name}"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.pg_temp:
        with temporary_postgres() as url:
            yield url
    elif args.db:
        yield args.db
    else:
        with tempfile.TemporaryDirectory(prefix="boligsocial-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'boligsocial.db'}"


# --------------------------------------------------------------------------------------------------
# Server


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (the uvicorn workers)."""
    process = psutil.Process(pid)
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


@contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    # Migrate, load the example and add the user once, before the workers start (they would race otherwise).
    subprocess.run([PYTHON, "-c", SETUP, url, BENCH_USER, BENCH_PASSWORD], check=True, cwd=ROOT)
    port = free_port()
    with started([PYTHON, "-c", SERVER, url, str(port), str(workers)], port, "/logind") as found:
        yield found


@contextmanager
def bare_server() -> Iterator[tuple[str, int]]:
    """The floor's server: one fixed HTML page from a bare FastAPI route (`BARE_SERVER`)."""
    port = free_port()
    with started([PYTHON, "-c", BARE_SERVER, str(port)], port, "/") as found:
        yield found


@contextmanager
def started(command: list[str], port: int, ready: str) -> Iterator[tuple[str, int]]:
    """A server process on `port`, once `ready` answers 200; stopped afterwards."""
    process = subprocess.Popen(command, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                sys.exit("the web server did not start")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --------------------------------------------------------------------------------------------------
# Load


def sign_in(base: str) -> str:
    """The session token of the benchmark's user, signed in through the sign-in form."""
    with httpx.Client(base_url=base, timeout=60) as browser:
        form = browser.get("/logind").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        fields = {"email": BENCH_USER, "adgangskode": BENCH_PASSWORD, "csrf_token": token}
        signed = browser.post("/logind", data=fields)
        if signed.status_code != 303:
            sys.exit(f"sign-in failed: {signed.status_code}")
        return str(browser.cookies["boligsocial_session"])


def get_json(base: str, session: str, path: str) -> Any:
    answer = httpx.get(base + path, timeout=120, cookies={"boligsocial_session": session})
    answer.raise_for_status()
    return answer.json()


def pages(base: str, session: str) -> dict[str, list[str]]:
    table = get_json(base, session, "/plan/1/afdelinger.json")
    ids = [row["id"] for row in table["afdelinger"]]
    return {
        "oversigt": ["/plan/1"],
        "afdelinger": ["/plan/1/afdelinger"],
        "afdeling": [f"/plan/1/afdelinger/{i}" for i in ids],
    }


def formats(path: str, *suffixes: str) -> list[str]:
    """The page and its JSON/CSV variants (the suffix goes before the query string)."""
    bare, _, query = path.partition("?")
    return [f"{bare}{suffix}{'?' + query if query else ''}" for suffix in ("", *suffixes)]


def every_page(fetch: Callable[[str], Any]) -> dict[str, list[str]]:
    """Every page of the example plan, by kind, with list years, sorts, filters and formats:
    the addresses of `--uncached` (each request adds a parameter of its own). `fetch` reads a
    JSON page."""
    plan = fetch("/plan/1.json")["plan"]
    years = [f"?aar={y}" for y in plan["listeaar_med_noegletal"]]
    departments = [row["id"] for row in fetch("/plan/1/afdelinger.json")["afdelinger"]]
    areas = [a["navn"] for a in fetch("/plan/1/omraader.json")["omraader"]]
    indicators = [i["id"] for i in fetch("/plan/1/indikatorer.json")["indikatorer"]]
    texts = [t["navn"] for t in fetch("/plan/1/tekster.json")["tekster"]]
    table_queries = ["", "?sort=navn&retning=ned", "?sort=beboere", "?naer=1", "?liste=forebyggelsesomraade&status=ja"]
    table_queries += ["?q=a", "?deltagelse=i_plan", *years]
    trail_queries = ["", f"?hvem={BENCH_USER}", "?handling=ret_maaling", "?q=ling", "?enhed=plan", "?side=2"]
    return {
        "oversigt": [v for q in ["", *years] for v in formats(f"/plan/1{q}", ".json")],
        "afdelinger": [v for q in table_queries for v in formats(f"/plan/1/afdelinger{q}", ".json", ".csv")],
        "afdeling": [v for i in departments for v in formats(f"/plan/1/afdelinger/{i}", ".json", ".csv")],
        "omraader": [
            *formats("/plan/1/omraader", ".json", ".csv"),
            *(v for a in areas for v in formats(f"/plan/1/omraader/{a}", ".json")),
        ],
        "indikatorer": [
            *formats("/plan/1/indikatorer", ".json", ".csv"),
            *(v for i in indicators for v in formats(f"/plan/1/indikatorer/{i}", ".json")),
        ],
        "tekster": [*formats("/plan/1/tekster", ".json"), *(f"/plan/1/tekster/{t}" for t in texts)],
        "revision": [v for q in trail_queries for v in formats(f"/plan/1/revision{q}", ".json", ".csv")],
    }


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client on one loopback socket: far less client CPU per
    request than a general client, so the figures measure the server rather than the benchmark."""

    def __init__(self, host: str, port: int, session: str) -> None:
        self.host, self.port, self.session = host, port, session
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: text/html\r\n"
            f"Cookie: boligsocial_session={self.session}\r\n\r\n"
        )
        self.writer.write(request.encode("utf-8"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = (h.partition(":") for h in lines[1:])
        length = next((int(v) for k, _, v in headers if k.lower() == "content-length"), None)
        if length is None:
            raise ConnectionError("answer without Content-Length")
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None


class HttpxConnection:
    """The same with httpx (one client per simulated user): more client CPU per request."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.http = httpx.AsyncClient(
            timeout=30, headers={"Accept": "text/html"}, cookies={"boligsocial_session": session}
        )

    async def get(self, path: str) -> int:
        try:
            response = await self.http.get(self.base + path)
        except httpx.HTTPError as error:
            raise ConnectionError(str(error)) from error
        return response.status_code

    async def close(self) -> None:
        await self.http.aclose()


class Writer:
    """Saves an indicator value through the web app every `every` seconds, as the signed-in user
    (an administrator, so also an editor) with the session's CSRF token: each save is a real write
    that changes the plan's data version, so every version-keyed cache must be rebuilt."""

    def __init__(self, base: str, session: str, every: float) -> None:
        self.base, self.session, self.every = base, session, every
        self.samples: list[float] = []
        self.errors = 0
        self.failures: list[str] = []  # what each failed write answered (status or exception)
        indicator = get_json(base, session, "/plan/1/indikatorer.json")["indikatorer"][0]["id"]
        self.page = f"/plan/1/indikatorer/{indicator}"
        html = httpx.get(base + self.page, timeout=60, cookies={"boligsocial_session": session}).text
        self.csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    async def run(self, stop_at: float) -> None:
        async with httpx.AsyncClient(
            base_url=self.base, timeout=30, cookies={"boligsocial_session": self.session}
        ) as http:
            number, began = 0, time.monotonic()
            while began + (number + 1) * self.every < stop_at:  # on a fixed beat, however long a write takes
                number += 1
                await asyncio.sleep(max(0.0, began + number * self.every - time.monotonic()))
                try:
                    ok = await self.write(http, number)
                except httpx.HTTPError as error:
                    ok = False
                    self.failures.append(type(error).__name__)
                self.errors += 0 if ok else 1

    async def write(self, http: httpx.AsyncClient, number: int) -> bool:
        page = (await http.get(self.page + ".json")).json()
        value = next(v for v in page["vaerdier"] if v["type"] == "maaling")
        fields = {
            "maaling_id": str(value["id"]),
            "version": str(value["version"]),
            "vaerdi": f"{5 + number % 40 / 10:.1f}".replace(".", ","),  # a new value each time
            "csrf_token": self.csrf,
        }
        started = time.perf_counter()
        saved = await http.post(self.page + "/maalinger", data=fields, headers={"Accept": "text/html"})
        self.samples.append(time.perf_counter() - started)
        if saved.status_code != 303:
            self.failures.append(str(saved.status_code))
        return saved.status_code == 303


async def run_load(
    base: str,
    session: str,
    paths: dict[str, list[str]],
    args: argparse.Namespace,
    unique: bool,
    seconds: float,
    writes: bool,
) -> dict[str, Any]:
    kinds = list(paths)
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = dict.fromkeys(kinds, 0)
    budget = {"left": args.max_requests}
    stop_at = time.monotonic() + seconds
    host, port = base.removeprefix("http://").rsplit(":", 1)
    path_quoted = {k: [urllib.parse.quote(p, safe="/?=&") for p in v] for k, v in paths.items()}

    async def client(number: int) -> None:
        connection: RawConnection | HttpxConnection = (
            HttpxConnection(base, session) if args.client == "httpx" else RawConnection(host, int(port), session)
        )
        step = number
        try:
            while time.monotonic() < stop_at and budget["left"] > 0:
                budget["left"] -= 1
                kind = kinds[step % len(kinds)]
                choices = path_quoted[kind]
                path = choices[(step // len(kinds)) % len(choices)]
                if unique:  # a fresh address each time: the page is rendered again
                    path += f"{'&' if '?' in path else '?'}_={number}-{step}"
                step += 1
                started = time.perf_counter()
                try:
                    ok = await connection.get(path) == 200
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                    ok = False
                    await connection.close()
                samples[kind].append(time.perf_counter() - started)
                if not ok:
                    errors[kind] += 1
                if args.think_ms:
                    await asyncio.sleep(args.think_ms / 1000)
        finally:
            await connection.close()

    writer = Writer(base, session, args.write_every) if writes and args.write_every > 0 else None
    started = time.monotonic()
    tasks = [client(i) for i in range(args.clients)]
    await asyncio.gather(*tasks, *([writer.run(stop_at)] if writer else []))
    elapsed = time.monotonic() - started
    return {"samples": samples, "errors": errors, "elapsed": elapsed, "writer": writer}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float], errors: int) -> dict[str, Any]:
    return {
        "requests": len(values),
        "errors": errors,
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
    }


def phase(
    base: str,
    pid: int,
    session: str,
    paths: dict[str, list[str]],
    args: argparse.Namespace,
    unique: bool,
    seconds: float,
    writes: bool | None = None,
) -> dict[str, Any]:
    """One timed load: the figures per kind of page and in total, with the server's CPU. A writer
    runs beside it when `writes` (default: when every address is distinct)."""
    cpu_before, client_before = cpu_seconds(pid), time.process_time()
    result = asyncio.run(run_load(base, session, paths, args, unique, seconds, unique if writes is None else writes))
    server_cpu, client_cpu = cpu_seconds(pid) - cpu_before, time.process_time() - client_before
    everything = [x for v in result["samples"].values() for x in v]
    report: dict[str, Any] = {
        "seconds": round(result["elapsed"], 1),
        "unique_addresses": unique,
        "pages": {k: summary(v, result["errors"][k]) for k, v in result["samples"].items()},
        "total": summary(everything, sum(result["errors"].values())),
        "throughput_rps": round(len(everything) / result["elapsed"], 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(len(everything), 1), 2),
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(len(everything), 1), 2),
    }
    writer: Writer | None = result["writer"]
    if writer is not None:
        report["writes"] = summary(writer.samples, writer.errors) | {"failures": writer.failures}
    report["target_met"] = report["total"]["p95_ms"] <= TARGET * 1000 and report["total"]["errors"] == 0
    return report


def print_phase(title: str, report: dict[str, Any]) -> None:
    print(title)
    print(f"{'page':<12}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [*report["pages"].items(), ("total", report["total"])]
    if "writes" in report:
        rows.append(("writes", report["writes"]))
    for name, s in rows:
        print(f"{name:<12}{s['requests']:>10}{s['errors']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['p99_ms']:>9}")
    if report.get("writes", {}).get("failures"):
        print(f"failed writes answered: {', '.join(report['writes']['failures'])}")
    print(
        f"server CPU {report['server_cpu_ms_per_request']} ms/request, benchmark client CPU "
        f"{report['client_cpu_ms_per_request']} ms/request, throughput {report['throughput_rps']} requests/s; "
        f"target p95 <= 50 ms and 0 errors: {'met' if report['target_met'] else 'NOT met'}"
    )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--pg-temp", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--think-ms", type=float, default=0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--uncached-pages",
        action="store_true",
        help="add a unique parameter to every address, so each page is rendered (the plan stays classified)",
    )
    parser.add_argument(
        "--uncached",
        action="store_true",
        help="every page of the plan, every address distinct, a write every --write-every s; after a cached baseline",
    )
    parser.add_argument("--baseline-seconds", type=float, default=10, help="the cached baseline of --uncached")
    parser.add_argument("--write-every", type=float, default=1.0, help="seconds between writes in --uncached")
    parser.add_argument(
        "--client", choices=["raw", "httpx"], default="raw", help="benchmark client (raw: minimal HTTP/1.1)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 200 or not 0 < args.baseline_seconds <= 600:
        sys.exit("--seconds and --baseline-seconds must be in (0, 600] and --clients in (0, 200]")
    return args


def main(argv: list[str]) -> None:
    args = parse(argv)
    phases: dict[str, dict[str, Any]] = {}
    load_before = os.getloadavg()
    with database(args) as url, server(url, args.workers) as (base, pid):
        session = sign_in(base)
        paths = pages(base, session)
        everything = every_page(lambda path: get_json(base, session, path)) if args.uncached else paths
        warm = time.perf_counter()
        for _ in range(2 * args.workers):  # each worker process has its own cache
            for choices in everything.values():  # --uncached: the charts of every page drawn once
                for path in choices:
                    httpx.get(base + path, timeout=120, cookies={"boligsocial_session": session}).raise_for_status()
        warm_up = time.perf_counter() - warm
        if args.uncached:
            phases["cached"] = phase(base, pid, session, paths, args, False, args.baseline_seconds)
            # The floor of the same app: its signed-in front page (the plan list), each address
            # distinct, no writes: the framework, sign-in, one small read and a template.
            phases["floor_app"] = phase(base, pid, session, FLOOR_PAGES, args, True, args.baseline_seconds, False)
            phases["uncached"] = phase(base, pid, session, everything, args, True, args.seconds)
        else:
            phases["run"] = phase(base, pid, session, paths, args, args.uncached_pages, args.seconds)

    if args.uncached:  # the floor of the framework and the machine: a bare FastAPI route, same clients
        with bare_server() as (bare, bare_pid):
            phases["floor_bare"] = phase(bare, bare_pid, "", {"bare": ["/"]}, args, True, args.baseline_seconds, False)
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    report: dict[str, Any] = {
        "backend": backend,
        "clients": args.clients,
        "workers": args.workers,
        "think_ms": args.think_ms,
        "client": args.client,
        "warm_up_s": round(warm_up, 1),
    }
    setting = f"{args.clients} clients ({args.client}), {args.workers} worker(s)"
    print(f"boligsocial web benchmark: {backend}, {setting}")
    if args.uncached:
        cached, uncached = phases["cached"], phases["uncached"]
        print_phase(f"cached pages (baseline), {cached['seconds']} s:", cached)
        print_phase(f"every address distinct, a write every {args.write_every} s, {uncached['seconds']} s:", uncached)
        floor_app, floor_bare = phases["floor_app"], phases["floor_bare"]
        print_phase(f"floor: the app's signed-in front page, distinct addresses, {floor_app['seconds']} s:", floor_app)
        print_phase(f"floor: a bare FastAPI route, fixed HTML, {floor_bare['seconds']} s:", floor_bare)
        report["write_every_s"] = args.write_every
        report |= phases
        for name, floor in (("floor_app", floor_app), ("floor_bare", floor_bare)):
            report[f"ratio_p95_uncached_to_{name}"] = round(uncached["total"]["p95_ms"] / floor["total"]["p95_ms"], 2)
        print(
            f"ratio uncached/floor p95: {report['ratio_p95_uncached_to_floor_app']} (app front page), "
            f"{report['ratio_p95_uncached_to_floor_bare']} (bare route)"
        )
        report["ratio_p95_uncached_to_cached"] = round(uncached["total"]["p95_ms"] / cached["total"]["p95_ms"], 2)
        report["ratio_cpu_uncached_to_cached"] = round(
            uncached["server_cpu_ms_per_request"] / cached["server_cpu_ms_per_request"], 2
        )
        report["target_met"] = uncached["target_met"] and uncached.get("writes", {}).get("errors", 0) == 0
        print(
            f"ratio uncached/cached: p95 {report['ratio_p95_uncached_to_cached']}, "
            f"server CPU per request {report['ratio_cpu_uncached_to_cached']}"
        )
    else:
        run = phases["run"]
        print_phase(f"{'every address unique' if args.uncached_pages else 'cached pages'}, {run['seconds']} s:", run)
        report |= {"uncached_pages": args.uncached_pages, **run}
    report["cpus"] = os.cpu_count()
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    report["load_average_before"] = [round(x, 2) for x in load_before]  # 1, 5, 15 min, as `uptime`
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"{report['cpus']} CPUs, load average (1, 5, 15 min) before {report['load_average_before']}, "
        f"after {report['load_average_after']}"
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
