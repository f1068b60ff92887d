"""`boligsocial check`'s output (table, JSON or CSV), classified and written in chunks that run
in parallel on a national file (issue 12: 9.000 units within 2 s).

The year's units are cut into contiguous runs; this process classifies the first, forked
worker processes the others. Each worker sends back what its chunk adds to the result's header
(the units that need the national conviction average) as soon as it has classified, then the
chunk's text: the JSON's units one by one (made whole while this process writes the header and
its own units, then read in batches), the table's rows and explanations, the CSV's rows. Each
chunk's text is what the serial renderers write for those units, and the header is written
once every chunk has classified, so the output is the serial output byte for byte
(tests/test_check_run.py). An error in a chunk is raised here as it would be serially: the
first chunk's in order, with its message (a `LawError`'s Danish text reaches the command).

Forking is used only where it is the start method to have (Linux), for files of at least
`PARALLEL_FROM` units (below that, start-up of the workers costs more than it saves) and with
a worker for each core that was idle while the file was read (`default_workers`): each worker
fills its own memos (a few hundred distinct states' statuses and flips) again, which only a
core of its own pays for."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Literal, TypeVar

from boligsocial.law.classify import Chunk, Classification, Options
from boligsocial.law.figures import UnitFigures
from boligsocial.law.parameters import Law
from boligsocial.law.render import csv_header, csv_rows, explanation_lines, table_rows, table_text
from boligsocial.law.verdicts import UnitResult
from boligsocial.law.verdicts_json import result_json_pieces, unit_texts

Format = Literal["table", "json", "csv"]
PARALLEL_FROM = 1000  # units; smaller files are classified in this process alone
T = TypeVar("T")
S = TypeVar("S")
Work = Callable[[int, int], tuple[T, Iterable[S]]]  # (start, stop) -> (value, stream)


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(units: int, idle: float | None = None, load: float | None = None) -> int:
    """How many chunks to cut `units` units into: this process's and one per other idle core,
    where forking is the platform's way and the file is large enough to gain from it; else one.

    A worker only pays where it has a core to itself: it redoes the memos and its results travel
    through a pipe (a quarter more CPU in all on the national file), so on a machine whose cores
    are busy the chunks run in turn in this process instead, which is then the faster
    (bench/README.md, issue 12). A core counts as free when it was idle (three quarters of the
    time or more) while this process read the file (`idle`: `idle_cores`, the cores besides this
    process's) and the 1-minute load average (`load`, read when not given) leaves it free too:
    half a second of reading alone can fall between another program's runs."""
    if sys.platform != "linux" or units < PARALLEL_FROM:
        return 1
    if load is None:
        load = os.getloadavg()[0]
    free = cores() - max(load, 1.0)  # the load counts this process once it has run a while
    if idle is not None:
        free = min(free, idle)
    return max(1, min(1 + int(free + 0.25), cores(), units // PARALLEL_FROM))


def cpu_times() -> tuple[int, int] | None:
    """(idle, all) clock ticks of the machine's CPUs since boot (/proc/stat); None without it."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(field) for field in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return ticks[3] + ticks[4], sum(ticks)


def idle_cores(since: tuple[int, int] | None) -> float | None:
    """How many of the machine's cores were idle on average since `since` (`cpu_times`); None
    when unknown or too short a time to tell (under 10 ticks a core)."""
    now = cpu_times()
    count = os.cpu_count() or 1
    if since is None or now is None or now[1] - since[1] < 10 * count:
        return None
    return (now[0] - since[0]) / (now[1] - since[1]) * count


def bounds(count: int, chunks: int) -> list[tuple[int, int]]:
    """`chunks` contiguous runs of nearly equal length covering range(count)."""
    chunks = max(1, min(chunks, count))
    return [(count * i // chunks, count * (i + 1) // chunks) for i in range(chunks)]


BATCH = 256  # units' texts a worker sends at a time


def _child(work: Work[T, S], start: int, stop: int, connection: Connection) -> None:
    """Run a chunk in a worker: its value first (as soon as it is known), then its stream in
    batches, then "end"; an error instead, where one is raised. The stream is made whole before
    it is sent, pickled batch by batch: the parent reads it only once it has written the chunks
    before it, and the worker should not wait for that to make it."""
    try:
        value, stream = work(start, stop)
        connection.send_bytes(_pickled(("value", value)))
        batches: list[bytes] = []
        batch: list[S] = []
        for item in stream:
            batch.append(item)
            if len(batch) == BATCH:
                batches.append(_pickled(("items", batch)))
                batch = []
        batches.append(_pickled(("items", batch)))
        batches.append(_pickled(("end", None)))
        for message in batches:
            connection.send_bytes(message)
    except OSError:
        pass  # the parent stopped reading (it stops the workers on an error of its own)
    except Exception as error:
        try:
            message = _pickled(("error", error))
        except Exception:  # an error that does not pickle still reaches the parent, as its text
            message = _pickled(("error", RuntimeError(f"{type(error).__name__}: {error}")))
        with contextlib.suppress(OSError):
            connection.send_bytes(message)
    finally:
        connection.close()


def _pickled(message: tuple[str, object]) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _receive(worker: BaseProcess, connection: Connection) -> tuple[str, Any]:
    try:
        return pickle.loads(connection.recv_bytes())  # type: ignore[no-any-return]
    except EOFError:  # the worker died without a word (killed, out of memory)
        worker.join()
        return "error", RuntimeError(f"en arbejdsproces stoppede (kode {worker.exitcode})")


def in_chunks(work: Work[T, S], count: int, chunks: int) -> tuple[list[T], Iterator[S]]:
    """`work(start, stop)` for each of `bounds(count, chunks)`: the first run here and the others
    in forked processes (which inherit everything `work` needs). `work` gives a value and a
    stream; the values are returned at once, the streams one after the other in order, each
    made while the ones before are read (a national JSON's units: 130 MB, never held whole).
    The first exception in order is raised, as running the chunks one after the other would
    raise it: a value's here, a stream's when it is read."""
    runs = bounds(count, chunks)
    if len(runs) == 1:
        value, stream = work(*runs[0])
        return [value], iter(stream)
    context = multiprocessing.get_context("fork")
    workers: list[tuple[BaseProcess, Connection]] = []
    try:
        for start, stop in runs[1:]:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, start, stop, sending), daemon=True)
            process.start()
            sending.close()
            workers.append((process, receiving))
        own, own_stream = work(*runs[0])
        values = [own]
        for worker, receiving in workers:
            kind, value = _receive(worker, receiving)
            if kind == "error":
                raise value
            values.append(value)
    except BaseException:
        _stop(workers)
        raise
    return values, _streams(own_stream, workers)


def _streams(own: Iterable[S], workers: list[tuple[BaseProcess, Connection]]) -> Iterator[S]:
    try:
        yield from own
        for worker, receiving in workers:
            while True:
                kind, items = _receive(worker, receiving)
                if kind == "error":
                    raise items
                if kind == "end":
                    break
                yield from items
    finally:
        _stop(workers)


def _stop(workers: list[tuple[BaseProcess, Connection]]) -> None:
    for worker, receiving in workers:
        receiving.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


def check_output(
    units: Sequence[UnitFigures],
    year: int,
    options: Options,
    output: Format,
    title: str | None = None,
    law: Law | None = None,
    workers: int | None = None,
    started: tuple[int, int] | None = None,
) -> Iterable[str]:
    """The text `check` writes, in pieces to be written in order (a national JSON is 130 MB).

    `workers`: how many chunks to classify and write at once; by default `default_workers`,
    from the cores idle since `started` (`cpu_times` when the command started)."""
    classification = Classification(units, year, options, law)
    count = len(classification.units)
    chunks = default_workers(count, idle_cores(started)) if workers is None else workers

    def work(start: int, stop: int) -> tuple[_Written, Iterable[str]]:
        part = classification.chunk(start, stop)
        # Only what is written goes back from a worker, not the units (pickling their Fractions
        # would cost more); a JSON's units are written after the value is sent, as a stream.
        written = _Written(_without_units(part), list(part.units[0].lists) if part.units else [])
        if output == "json":
            return written, unit_texts(part.units)
        if output == "csv":
            written.texts = [csv_rows(year, part.units, written.list_names)]
        else:
            written.rows = table_rows(part.units, written.list_names)
            written.lines = explanation_lines(part.units, classification.rules.min_residents)
        return written, ()

    done, stream = in_chunks(work, count, chunks)
    result = classification.result([w.chunk for w in done])
    list_names = next((w.list_names for w in done if w.list_names), [])
    if output == "json":
        return itertools.chain(result_json_pieces(result, [stream]), ["\n"])
    for _ in stream:  # nothing in it: read to its end, which waits for the workers to finish
        raise AssertionError("a table's or CSV's chunk streams nothing")
    if output == "csv":
        return [csv_header(list_names), *(text for w in done for text in w.texts)]
    rows = [row for w in done for row in w.rows]
    lines = [line for w in done for line in w.lines]
    return [table_text(result, list_names, rows, lines, title)]


@dataclass
class _Written:
    """A chunk's result without its units, and its units written as a table's or CSV's."""

    chunk: Chunk
    list_names: list[str]
    texts: list[str] = field(default_factory=list)  # CSV
    rows: list[list[str]] = field(default_factory=list)  # the table's rows and explanation lines
    lines: list[str] = field(default_factory=list)


def _without_units(chunk: Chunk) -> Chunk:
    empty: tuple[UnitResult, ...] = ()
    return Chunk(empty, chunk.needing, chunk.needing_history)
