"""`serve`: the first start creates the SQLite file, loads the example plan and prints the local
address in Danish; the app answers there."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from boligsocial.web.app import local_url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_local_url() -> None:
    assert local_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert local_url("0.0.0.0", 8080) == "http://127.0.0.1:8080/"
    assert local_url("::1", 8000) == "http://[::1]:8000/"


def test_serve_creates_the_database_and_prints_the_address(tmp_path: Path) -> None:
    database = tmp_path / "ny.db"
    port = free_port()
    code = "import sys; from boligsocial.web.app import serve; serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, f"sqlite:///{database}", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"boligsocial kører nu på http://127.0.0.1:{port}/" in first
        assert database.is_file()
        credentials = re.fullmatch(r"Log ind med e-mail (\S+) og adgangskode (\S+)\n", process.stdout.readline())
        assert credentials is not None
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                refused = httpx.get(f"{base}/plan/1.json", timeout=30)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert refused.status_code == 401  # nothing without signing in
        with httpx.Client(base_url=base, timeout=30) as browser:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/logind").text)
            assert token is not None
            fields = {"email": credentials[1], "adgangskode": credentials[2], "csrf_token": token[1]}
            assert browser.post("/logind", data=fields).status_code == 303
            response = browser.get("/plan/1.json")
        assert response.status_code == 200
        assert response.json()["plan"]["navn"] == "Mit Kvarter"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_refuses_to_open_a_database_without_users_to_other_machines(tmp_path: Path) -> None:
    code = "import sys; from boligsocial.web.app import serve; serve(sys.argv[1], '0.0.0.0', int(sys.argv[2]))"
    database = tmp_path / "ingen-brugere.db"
    result = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{database}", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Databasen har ingen brugere endnu" in result.stderr
    assert "boligsocial users add" in result.stderr and "--host 0.0.0.0" in result.stderr
    assert "kører nu" not in result.stdout


def test_serve_refuses_a_port_in_use_in_danish(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = "import sys; from boligsocial.web.app import serve; serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]))"
        result = subprocess.run(
            [sys.executable, "-c", code, f"sqlite:///{tmp_path / 'x.db'}", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"kan ikke lytte på 127.0.0.1:{port}" in result.stderr


def test_serve_refuses_an_unknown_database_in_danish() -> None:
    code = "from boligsocial.web.app import serve; serve('mysql://x@y/z', '127.0.0.1', 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "understøttes ikke" in result.stderr
