"""The pages' Vega-Lite charts, drawn by vl-convert in a process of their own.

vl-convert holds the GIL for the whole of a conversion (0,1-0,2 s for a chart): drawn in a page's
worker thread, it stops every other request of the server process, the event loop included, for
that long (measured: a spinning Python thread ran at under a tenth of its speed while a chart was
drawn). A write to an indicator changes two charts, so under load every write stalled the server.

Here the spec goes, as one line of JSON, to a child process (`python -m boligsocial.web.drawing`)
that draws it with the same vl-convert and fonts (`Chart.svg`) and answers with one line of
JSON: the SVG is the same. The page's thread waits on the pipe without the GIL, so the other
requests go on. A plain child rather than `multiprocessing`: its spawn imports the parent's main
script again, which a script that serves the app need not be written for. Should the child fail
to start or die, the chart is drawn in this process as before (a page never lacks its chart) and
the next chart starts a new child; a chart vl-convert refuses raises `DrawingFailed` as
`Chart.svg` would raise.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Final

from boligsocial.reports.charts.base import Chart

log = logging.getLogger(__name__)

PACKAGE_ROOT: Final = str(Path(__file__).resolve().parents[2])  # the folder holding boligsocial/


class DrawingFailed(Exception):
    """vl-convert refused the spec (its message, as the child reported it)."""


class Drawer:
    """One child process that draws charts, one at a time, started when first needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    def draw(self, chart: Chart) -> str:
        """The chart's SVG, drawn in the child (in this process if the child cannot answer)."""
        try:
            request = json.dumps({"spec": chart.spec}, ensure_ascii=False).encode("utf-8") + b"\n"
        except (TypeError, ValueError):  # not plain JSON: vl-convert takes it from this process
            return chart.svg()
        with self._lock:  # the child draws one chart at a time; the others wait here, without the GIL
            try:
                answer = self._ask(request)
            except (OSError, ValueError) as error:  # no child, or it died: draw here, start anew next time
                log.warning("diagramprocessen svarede ikke (%s); tegner i serverprocessen", error)
                self._stop()
                answer = None
        if answer is None:
            return chart.svg()
        if "error" in answer:
            raise DrawingFailed(str(answer["error"]))
        return str(answer["svg"])

    def _ask(self, request: bytes) -> dict[str, Any]:
        child = self._started()
        stdin, stdout = child.stdin, child.stdout
        assert stdin is not None and stdout is not None
        stdin.write(request)
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise OSError("diagramprocessen stoppede")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _started(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            environment = dict(os.environ)
            paths = [PACKAGE_ROOT, environment.get("PYTHONPATH", "")]
            environment["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
            self._child = subprocess.Popen(
                [sys.executable, "-m", "boligsocial.web.drawing"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        return self._child

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()

    def close(self) -> None:
        """End the child (a new one starts with the next chart)."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None and child.stdin is not None:
            child.stdin.close()  # the child ends at the end of its input
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


DRAWER: Final = Drawer()
"""The process's one drawer: charts are drawn one at a time anyway (one child, 2 cores)."""


def draw(chart: Chart) -> str:
    """The chart's SVG (`Chart.svg`), drawn without holding this process's GIL."""
    return DRAWER.draw(chart)


def serve(lines: IO[bytes], out: IO[bytes]) -> None:
    """The child: a spec per line in, an SVG (or the error) per line out, until the input ends."""
    for line in lines:
        try:
            answer: dict[str, Any] = {"svg": Chart(json.loads(line)["spec"]).svg()}
        except Exception as error:  # vl-convert's refusal goes back to the page that asked
            answer = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server; the child ends with its input
    serve(sys.stdin.buffer, sys.stdout.buffer)
