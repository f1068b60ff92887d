"""`boligsocial check`'s output (table, JSON or CSV), classified and written in chunks that run
in parallel on a national file (issue 12: 9.000 units within 2 s).

The year's units are cut into contiguous runs; this process classifies and writes the first,
forked worker processes the others, and the texts are joined in order. Each chunk's text is
what the serial renderers write for those units, and the header (which names the units that
need the national conviction average, from every chunk) is written here once all are back, so
the output is the serial output byte for byte (tests/test_check_run.py). A `LawError` in a
chunk is raised here as it would be serially: the first chunk's in order, with its message.

Forking is used only where it is the start method to have (Linux) and for files of at least
`PARALLEL_FROM` units: below that, start-up of the workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal, TypeVar

from boligsocial.law.classify import Chunk, Classification, Options
from boligsocial.law.figures import UnitFigures
from boligsocial.law.parameters import Law
from boligsocial.law.render import csv_header, csv_rows, explanation_lines, table_rows, table_text
from boligsocial.law.verdicts import UnitResult
from boligsocial.law.verdicts_json import result_json_pieces, units_json

Format = Literal["table", "json", "csv"]
PARALLEL_FROM = 1000  # units; smaller files are classified in this process alone
T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(units: int) -> int:
    """How many chunks to cut `units` units into: one per core, where forking is the platform's
    way and the file is large enough to gain from it; else one."""
    if sys.platform != "linux" or units < PARALLEL_FROM:
        return 1
    return max(1, min(cores(), units // PARALLEL_FROM))


def bounds(count: int, chunks: int) -> list[tuple[int, int]]:
    """`chunks` contiguous runs of nearly equal length covering range(count)."""
    chunks = max(1, min(chunks, count))
    return [(count * i // chunks, count * (i + 1) // chunks) for i in range(chunks)]


def _outcome(work: Callable[[int, int], T], start: int, stop: int) -> tuple[bool, object]:
    try:
        return True, work(start, stop)
    except Exception as error:
        return False, error


def _child(work: Callable[[int, int], object], start: int, stop: int, connection: Connection) -> None:
    done, value = _outcome(work, start, stop)
    try:
        payload = pickle.dumps((done, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an error that does not pickle still reaches the parent, as its text
        payload = pickle.dumps((False, RuntimeError(f"{type(value).__name__}: {value}")))
    connection.send_bytes(payload)
    connection.close()


def in_chunks(work: Callable[[int, int], T], count: int, chunks: int) -> list[T]:
    """`[work(start, stop) for start, stop in bounds(count, chunks)]`, the first run here and
    the others in forked processes (which inherit everything `work` needs). The first exception
    in order is raised, as running the chunks one after the other would raise it."""
    runs = bounds(count, chunks)
    if len(runs) == 1:
        return [work(*runs[0])]
    context = multiprocessing.get_context("fork")
    workers: list[tuple[BaseProcess, Connection]] = []
    try:
        for start, stop in runs[1:]:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, start, stop, sending), daemon=True)
            process.start()
            sending.close()
            workers.append((process, receiving))
        outcomes = [_outcome(work, *runs[0])]
        if outcomes[0][0]:
            for worker, receiving in workers:
                try:
                    outcomes.append(pickle.loads(receiving.recv_bytes()))
                except EOFError:  # the worker died without a word (killed, out of memory)
                    worker.join()
                    outcomes.append((False, RuntimeError(f"en arbejdsproces stoppede (kode {worker.exitcode})")))
                if not outcomes[-1][0]:
                    break
    finally:
        for worker, receiving in workers:
            receiving.close()
            if worker.is_alive():
                worker.terminate()
            worker.join()
    values: list[T] = []
    for done, value in outcomes:
        if not done:
            assert isinstance(value, BaseException)
            raise value
        values.append(value)  # type: ignore[arg-type]
    return values


def check_output(
    units: Sequence[UnitFigures],
    year: int,
    options: Options,
    output: Format,
    title: str | None = None,
    law: Law | None = None,
    workers: int | None = None,
) -> list[str]:
    """The text `check` writes, in pieces to be written in order (a national JSON is 130 MB).

    `workers`: how many chunks to classify and write at once (default: `default_workers`)."""
    classification = Classification(units, year, options, law)
    count = len(classification.units)
    chunks = default_workers(count) if workers is None else workers

    def work(start: int, stop: int) -> _Written:
        part = classification.chunk(start, stop)
        # Only the text goes back, not the units (pickling their Fractions would cost more).
        written = _Written(_without_units(part), list(part.units[0].lists) if part.units else [])
        if output == "json":
            written.text = units_json(part.units)
        elif output == "csv":
            written.text = csv_rows(year, part.units, written.list_names)
        else:
            written.rows = table_rows(part.units, written.list_names)
            written.lines = explanation_lines(part.units, classification.rules.min_residents)
        return written

    done = in_chunks(work, count, chunks)
    result = classification.result([w.chunk for w in done])
    list_names = next((w.list_names for w in done if w.list_names), [])
    if output == "json":
        return [*result_json_pieces(result, [w.text for w in done]), "\n"]
    if output == "csv":
        return [csv_header(list_names), *(w.text for w in done)]
    rows = [row for w in done for row in w.rows]
    lines = [line for w in done for line in w.lines]
    return [table_text(result, list_names, rows, lines, title)]


@dataclass
class _Written:
    """A chunk's result without its units, and its units written in the output's format."""

    chunk: Chunk
    list_names: list[str]
    text: str = ""  # JSON or CSV
    rows: list[list[str]] = field(default_factory=list)  # the table's rows and explanation lines
    lines: list[str] = field(default_factory=list)


def _without_units(chunk: Chunk) -> Chunk:
    empty: tuple[UnitResult, ...] = ()
    return Chunk(empty, chunk.needing, chunk.needing_history)
