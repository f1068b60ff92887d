#!/usr/bin/env python3
"""Set up and run boligsocial on a fresh machine that has only Python 3.11+.

    python3 dev.py start    # set up, print the list table for the bundled example, open the web app
    python3 dev.py test     # set up, install the test system packages, run the whole test suite
    python3 dev.py check    # set up and run `boligsocial check` on the bundled example only

Kept in plain Python (no make, no shell tricks) so the two README commands work anywhere. The
test suite needs programs that pip cannot install: PostgreSQL (the store is tested on it as well
as SQLite), Chromium (browser tests) and LibreOffice without its GUI with the Carlito font (the
application's Word and Excel files are printed to PDF as a word processor would lay them out; Carlito
has Calibri's metrics, the template's font). On Debian/Ubuntu as root they are installed with
apt-get (LibreOffice and Carlito add about 75 packages, 1-2 minutes); elsewhere the script says
what is missing and stops.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# Debian package -> a file pattern it installs. Not just /usr/lib/postgresql: the client package
# alone (psql) creates that folder too, without the server the tests start.
# The LibreOffice parts are checked by their own libraries: both install /usr/bin/soffice.
DEBIAN_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "postgresql": "/usr/lib/postgresql/*/bin/initdb",
    "libreoffice-writer-nogui": "/usr/lib/libreoffice/program/libswlo.so",
    "libreoffice-calc-nogui": "/usr/lib/libreoffice/program/libsclo.so",
    "fonts-crosextra-carlito": "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
}


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def setup_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the project is installed
        sys.exit(f"boligsocial kræver Python 3.11 eller nyere (dette er {sys.version.split()[0]}).")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[dev]")


def setup_system_packages() -> None:
    missing = [name for name, pattern in DEBIAN_PACKAGES.items() if not glob.glob(pattern)]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
        return
    sys.exit(
        "Testene kræver disse systempakker, som ikke er installeret: "
        + ", ".join(missing)
        + ". Installér dem (fx `sudo apt-get install "
        + " ".join(missing)
        + "`) og kør igen."
    )


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "test"
    os.chdir(ROOT)
    if command == "test":
        setup_python()
        setup_system_packages()
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *argv[1:]])
    elif command in ("check", "start"):
        setup_python()
        boligsocial = BIN / "boligsocial"
        check = [str(boligsocial), "check", "examples/mit-kvarter", "--year", "2022"]
        if command == "check":
            os.execv(boligsocial, [*check, *argv[1:]])
        subprocess.run(check, check=True)
        # The web app on an SQLite file in the working folder, created with the example on first start.
        os.execv(boligsocial, [str(boligsocial), "serve", *argv[1:]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
