"""`check` classified and written in chunks by forked workers (law/check_run.py) writes the
pinned serial output byte for byte, and a chunk's error reaches the caller as serially."""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from boligsocial.law.check_run import (
    PARALLEL_FROM,
    bounds,
    check_output,
    cpu_times,
    default_workers,
    idle_cores,
    in_chunks,
)
from boligsocial.law.classify import Options
from boligsocial.law.errors import LawError
from boligsocial.law.given_averages import read_conviction_averages
from boligsocial.plan.inputs import load_key_figure_input
from check_national_golden import CASES, KEY_FIGURES, pinned

needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked on Linux only")


def _arguments(args: list[str]) -> tuple[int, list[str], bool, str]:
    """(year, averages, ignore_min_residents, format) of a pinned case's command line."""
    year, averages, ignore, output = 0, [], False, "table"
    for flag, value in zip(args, [*args[1:], ""], strict=True):
        if flag == "--year":
            year = int(value)
        elif flag == "--convicted-national-avg":
            averages.append(value)
        elif flag == "--format":
            output = value
        ignore = ignore or flag == "--ignore-min-residents"
    return year, averages, ignore, output


@needs_fork
@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("name", sorted(CASES))
def test_chunks_in_workers_write_the_pinned_output(name: str, workers: int) -> None:
    year, averages, ignore, output = _arguments(CASES[name])
    units = load_key_figure_input(KEY_FIGURES).units
    options = Options(ignore, read_conviction_averages(averages, year))
    before = set(_children())  # e.g. the web app's drawing process, started by an earlier test
    written = "".join(check_output(units, year, options, output, workers=workers))  # type: ignore[arg-type]
    assert f"# exit 0\n{written}" == gzip.decompress(pinned(name).read_bytes()).decode()
    assert set(_children()) <= before, "the workers are waited for once the output is written"


def _children() -> list[str]:
    """This process's child processes, finished but not waited for (zombies) included."""
    tasks = Path("/proc/self/task").iterdir()
    return [pid for task in tasks for pid in (task / "children").read_text().split()]


def test_chunks_cover_the_units_in_order() -> None:
    for count in (0, 1, 2, 7, 9000):
        for chunks in (1, 2, 3, 16):
            runs = bounds(count, chunks)
            assert [i for start, stop in runs for i in range(start, stop)] == list(range(count))
            assert len(runs) == max(1, min(chunks, count))
            assert max(stop - start for start, stop in runs) - min(stop - start for start, stop in runs) <= 1


def test_a_small_file_is_classified_in_this_process() -> None:
    assert default_workers(PARALLEL_FROM - 1, idle=8.0, load=0.0) == 1
    assert default_workers(0, idle=8.0, load=0.0) == 1


@needs_fork
def test_a_worker_for_each_other_idle_core() -> None:
    cores = len(os.sched_getaffinity(0))
    many = 100 * PARALLEL_FROM
    assert default_workers(many, idle=cores - 1.0, load=0.2) == cores
    assert default_workers(many, idle=cores - 1.0, load=1.1) == cores  # the load of this process itself
    assert default_workers(many, idle=0.3, load=0.2) == 1  # the other cores were busy while it read
    assert default_workers(many, idle=cores - 1.0, load=cores + 2.0) == 1  # idle by chance, busy by the load
    assert default_workers(many, idle=None, load=cores + 2.0) == 1
    assert default_workers(2 * PARALLEL_FROM, idle=cores - 1.0, load=0.0) == min(cores, 2)


@needs_fork
def test_idle_cores_are_read_from_the_machine() -> None:
    started = cpu_times()
    assert started is not None and 0 <= started[0] <= started[1]
    assert idle_cores(started) is None  # too short a time to tell
    assert idle_cores(None) is None
    idle = idle_cores((started[0] - 500, started[1] - 1000))
    assert idle is not None and 0 <= idle <= os.cpu_count()  # type: ignore[operator]


def _failing_from(first_bad: int) -> Callable[[int, int], tuple[list[int], Iterable[int]]]:
    def work(start: int, stop: int) -> tuple[list[int], Iterable[int]]:
        if stop > first_bad:
            raise LawError(f"fejl i enhederne {start}-{stop}")
        return list(range(start, stop)), range(start * 10, stop * 10)

    return work


@needs_fork
def test_values_and_streams_come_back_in_order() -> None:
    values, stream = in_chunks(_failing_from(10**6), 2000, 3)
    assert values == [list(range(0, 666)), list(range(666, 1333)), list(range(1333, 2000))]
    assert list(stream) == list(range(20000))  # several batches from each worker


@needs_fork
def test_the_first_chunks_error_in_order_is_raised() -> None:
    # Chunks 1 and 2 (of 0-3, 3-6, 6-9) fail in their workers: the error is chunk 1's, as serially.
    with pytest.raises(LawError, match=r"^fejl i enhederne 3-6$"):
        in_chunks(_failing_from(4), 9, 3)
    # This process's own chunk fails first.
    with pytest.raises(LawError, match=r"^fejl i enhederne 0-3$"):
        in_chunks(_failing_from(0), 9, 3)


@needs_fork
def test_an_error_in_a_workers_stream_is_raised_where_it_is_read() -> None:
    def work(start: int, stop: int) -> tuple[int, Iterator[int]]:
        def stream() -> Iterator[int]:
            yield start
            if start > 0:
                raise LawError(f"fejl i strømmen fra {start}")

        return start, stream()

    values, stream = in_chunks(work, 4, 2)
    assert values == [0, 2]
    assert next(stream) == 0
    with pytest.raises(LawError, match=r"^fejl i strømmen fra 2$"):
        next(stream)


@needs_fork
def test_a_worker_that_dies_is_an_error_not_a_missing_chunk() -> None:
    def work(start: int, stop: int) -> tuple[list[int], Iterable[int]]:
        if start > 0:
            os._exit(3)
        return list(range(start, stop)), ()

    with pytest.raises(RuntimeError, match="kode 3"):
        in_chunks(work, 4, 2)
