"""The app's caches: computed once under concurrency, bounded, and never stale after a write -
including a write by another process (here: a service outside the app, as the command line)."""

# ruff: noqa: F811 - pytest fixtures imported from web_helpers are used as arguments
from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from boligsocial.store import Actor, Services
from boligsocial.web.state import ComputeOnceCache
from web_helpers import client, department, department_id  # noqa: F401


def test_each_key_is_computed_once_under_concurrency() -> None:
    cache: ComputeOnceCache[str, int] = ComputeOnceCache(8)
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> int:
        gate.wait(2)
        calls.append(1)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", compute))) for _ in range(10)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    gate.set()
    for t in threads:
        t.join()
    assert results == [42] * 10 and len(calls) == 1


def test_cache_is_bounded_by_count_and_weight() -> None:
    cache: ComputeOnceCache[int, bytes] = ComputeOnceCache(3, len, 10)
    for i in range(5):
        cache.get(i, lambda i=i: bytes(2))  # type: ignore[misc]
    assert [cache.peek(i) is not None for i in range(5)] == [False, False, True, True, True]
    cache.get(9, lambda: bytes(9))
    assert cache.peek(9) is not None and cache.peek(4) is None  # 9 + 2 > 10: the older ones go
    kept: ComputeOnceCache[int, int] = ComputeOnceCache(3)
    assert kept.get(1, lambda: 5, keep=lambda v: v > 10) == 5 and kept.peek(1) is None


def test_a_write_by_another_process_is_seen_within_the_version_ttl(client: TestClient) -> None:
    state = client.app.state.boligsocial  # type: ignore[attr-defined]
    state.versions.ttl = 0.2
    afd_id = department_id(client, "Folehaven")
    before = department(client, "Folehaven")
    assert before["vurdering"]["lists"]["forebyggelsesomraade"] is True
    outside = Services(state.sessions, Actor("Kommandolinjen"))
    record = outside.key_figures.get_afdeling_figures(1, afd_id)
    outside.key_figures.update_key_figures(1, afd_id, {"ikke_vestlige_pct": "29,0"}, record.version)
    time.sleep(0.3)
    after = department(client, "Folehaven")
    assert after["vurdering"]["lists"]["forebyggelsesomraade"] is False
    assert after["noegletal"]["version"] == before["noegletal"]["version"] + 1
