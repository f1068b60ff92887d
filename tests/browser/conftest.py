"""Browser tests: the real app served by uvicorn on a free loopback port, driven by Chromium.

Chromium is Debian's (`/usr/bin/chromium`, or the path in $BOLIGSOCIAL_CHROMIUM), launched
headless by Playwright; `playwright install` is never used. If Chromium is missing the tests FAIL
(CI installs it). Each step saves a screenshot to tests/browser/artifacts/ (git-ignored), or to
the folder in $BOLIGSOCIAL_SCREENSHOTS.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from boligsocial.store import SYSTEM_ACTOR, UserService
from boligsocial.web.app import create_app

CHROMIUM_ENV = "BOLIGSOCIAL_CHROMIUM"
SCREENSHOTS_ENV = "BOLIGSOCIAL_SCREENSHOTS"
PASSWORD = "en lang browser-adgangskode"
USERS = {
    "browser@example.dk": ("administrator", None),  # administrator of every plan: the `page` fixture
    "jens@example.dk": ("redaktoer", 1),
    "laeser@example.dk": ("laeser", 1),
}
"""The people on the test server (all with `PASSWORD`)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get(CHROMIUM_ENV, "/usr/bin/chromium")
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium was not found at {path}; the browser tests need it. Install Debian's chromium "
            f"(`apt-get install chromium`; `python3 dev.py test` does this as root) or set {CHROMIUM_ENV}.",
            pytrace=False,
        )
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread for as long as the block runs; yields its address."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a fresh SQLite file with the example plan, served by uvicorn in a thread."""
    database = tmp_path_factory.mktemp("browser") / "boligsocial.db"
    app = create_app(f"sqlite:///{database}")
    users = UserService(app.state.boligsocial.sessions, SYSTEM_ACTOR)
    for email, (role, plan_id) in USERS.items():
        users.add_user(email, PASSWORD, role, plan_id)
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def sign_in(page: Page, server_url: str, email: str = "browser@example.dk") -> None:
    """Sign in through the sign-in form, as a person does."""
    page.goto(server_url + "/logind")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/logind" not in url)


@pytest.fixture
def sign_in_as(server_url: str) -> Callable[[Page, str], None]:
    """`sign_in_as(tab, email)`: sign another tab in as one of `USERS`."""
    return lambda tab, email: sign_in(tab, server_url, email)


@pytest.fixture
def anonymous_page(browser: Browser) -> Iterator[Page]:
    """A browser tab that has not signed in (its JavaScript errors fail the test as for `page`)."""
    yield from _tab(browser)


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A browser tab signed in as an administrator of every plan."""
    for opened in _tab(browser):
        sign_in(opened, server_url)
        yield opened


def _tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK")
    errors: list[str] = []
    opened = context.new_page()
    opened.set_default_timeout(20_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    # Expected noise: the browser logs the 4xx answers that htmx swaps in (errors by the field,
    # conflicts), and htmx logs a request it aborted because a newer one replaced it (hx-sync).
    benign = ("the server responded with", "htmx:sendAbort", "htmx:afterRequest")
    real = [e for e in errors if not any(b in e for b in benign)]
    assert not real, f"JavaScript errors in the page: {real}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or Path(__file__).resolve().parent / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshots(tab: Page, artifacts: Path) -> Callable[[str], Path]:
    """`take(name)` saves a full-page screenshot of the tab's current state as `<name>.png`."""

    def take(name: str) -> Path:
        path = artifacts / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def shot(page: Page, artifacts: Path) -> Callable[[str], Path]:
    """Screenshots of `page` (the administrator's tab)."""
    return screenshots(page, artifacts)


@pytest.fixture
def anonymous_shot(anonymous_page: Page, artifacts: Path) -> Callable[[str], Path]:
    """Screenshots of `anonymous_page` (the tab that signs in by itself)."""
    return screenshots(anonymous_page, artifacts)
