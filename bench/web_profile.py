"""Profile of the web app's uncached request path: where a page rendered anew spends its time.

    .venv/bin/python bench/web_profile.py                  # SQLite, 600 requests, a write every 30
    .venv/bin/python bench/web_profile.py --pg-temp        # a throwaway PostgreSQL cluster
    .venv/bin/python bench/web_profile.py --out web.prof   # keep the statistics (pstats)

In process and one request at a time (so the profile holds work, not waiting): the app on a fresh
database with the example plan, signed in as in bench/web.py, every page requested once (charts
are drawn once, as on a running server), then `--requests` requests over the addresses of
`bench/web.py --uncached` - every page of the plan, each address distinct - with an indicator
value saved through the web app every `--write-every` requests, so the data-version-keyed caches
are rebuilt as under that benchmark's writer. Every thread is profiled (pages are built in the
thread pool).

Printed: the mean time per request by kind of page (wall clock under the profiler), the top
entries by own and by cumulative time; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from web import BENCH_PASSWORD, BENCH_USER, database, every_page  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from boligsocial.store import SYSTEM_ACTOR, UserService  # noqa: E402
from boligsocial.web.app import create_app  # noqa: E402


def signed_in_client(url: str) -> TestClient:
    client = TestClient(create_app(url), follow_redirects=False)
    users = UserService(client.app.state.boligsocial.sessions, SYSTEM_ACTOR)  # type: ignore[attr-defined]
    users.add_user(BENCH_USER, BENCH_PASSWORD, "administrator")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/logind").text)
    assert token is not None
    fields = {"email": BENCH_USER, "adgangskode": BENCH_PASSWORD, "csrf_token": token.group(1)}
    if client.post("/logind", data=fields).status_code != 303:
        sys.exit("sign-in failed")
    return client


def write(client: TestClient, number: int) -> None:
    """An indicator value saved through the form, as bench/web.py's writer does."""
    first = client.get("/plan/1/indikatorer.json").json()["indikatorer"][0]["id"]
    page = f"/plan/1/indikatorer/{first}"
    html = client.get(page).text
    csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    value = next(v for v in client.get(page + ".json").json()["vaerdier"] if v["type"] == "maaling")
    fields = {
        "maaling_id": str(value["id"]),
        "version": str(value["version"]),
        "vaerdi": f"{5 + number % 40 / 10:.1f}".replace(".", ","),
        "csrf_token": csrf,
    }
    saved = client.post(page + "/maalinger", data=fields, headers={"Accept": "text/html"})
    if saved.status_code != 303:
        sys.exit(f"the write failed: {saved.status_code}")


@contextmanager
def profiled_threads() -> Iterator[list[cProfile.Profile]]:
    """A profiler in every thread started inside the block (the event loop's and the pool's)."""
    profiles: list[cProfile.Profile] = []

    def start(*_: object) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()

    threading.setprofile(start)
    try:
        yield profiles
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]


def merged(profiles: list[cProfile.Profile]) -> pstats.Stats:
    """One statistics of every thread's profile (threads that did nothing are left out)."""
    stats: pstats.Stats | None = None
    for profile in profiles:
        profile.create_stats()
        if not profile.stats:  # type: ignore[attr-defined]
            continue
        if stats is None:
            stats = pstats.Stats(profile)
        else:
            stats.add(profile)
    if stats is None:
        sys.exit("nothing was profiled")
    return stats


def top(stats: pstats.Stats, order: str, count: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(count)
    return out.getvalue()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--pg-temp", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--write-every", type=int, default=30, help="requests between writes")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", help="write the statistics (pstats) to this file")
    args = parser.parse_args(argv)

    times: dict[str, list[float]] = {}
    with database(args) as url, profiled_threads() as profiles, signed_in_client(url) as client:
        paths = every_page(lambda path: client.get(path).json())
        for choices in paths.values():
            for path in choices:
                assert client.get(path).status_code == 200, path
        for profile in profiles:  # the warm-up is not the path under study
            profile.clear()
        kinds = list(paths)
        began = time.perf_counter()
        for step in range(args.requests):
            if args.write_every and step % args.write_every == 0:
                write(client, step // args.write_every)
            kind = kinds[step % len(kinds)]
            choices = paths[kind]
            path = choices[(step // len(kinds)) % len(choices)]
            started = time.perf_counter()
            status = client.get(f"{path}{'&' if '?' in path else '?'}_={step}").status_code
            if status != 200:
                sys.exit(f"{path}: {status}")
            times.setdefault(kind, []).append(time.perf_counter() - started)
        elapsed = time.perf_counter() - began
    stats = merged(profiles)
    if args.out:
        stats.dump_stats(args.out)
    stats.strip_dirs()
    print(f"{args.requests} requests, a write every {args.write_every}, {elapsed:.1f} s (under the profiler)")
    for kind, values in times.items():
        print(f"  {kind:<12} {1000 * sum(values) / len(values):8.1f} ms per request ({len(values)})")
    print(top(stats, "tottime", args.top))
    print(top(stats, "cumulative", args.top))
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    report: dict[str, Any] = {
        "backend": backend,
        "requests": args.requests,
        "write_every": args.write_every,
        "ms_per_request": round(1000 * elapsed / args.requests, 2),
        "ms_by_page": {k: round(1000 * sum(v) / len(v), 2) for k, v in times.items()},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main(sys.argv[1:])
