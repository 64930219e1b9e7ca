"""Browser tests: Debian's chromium driven by Playwright, against waitress on loopback.

The live server runs in a thread of the test process on its own SQLite database with the
demo congress, so the browser sees exactly what `make run` shows. Screenshots go to
``test-artifacts/`` (kept by CI as evidence). axe-core comes from npm (``package.json``).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from waitress.server import create_server

from poster_review import migrate
from poster_review.config import configure
from poster_review.db import get_session_factory, make_engine
from poster_review.demo.load import load_demo
from poster_review.settings import parse
from tests.conftest import REPO_ROOT, require
from tests.smtp import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def live_server(live_dir: Path) -> Iterator[str]:
    tmp = live_dir
    port = free_port()
    raw = {
        "here": str(REPO_ROOT),
        "sqlalchemy.url": f"sqlite:///{tmp / 'live.sqlite'}",
        "poster_review.environment": "testing",
        "poster_review.secret": "live-secret-" + "y" * 32,
        "poster_review.public_url": f"http://127.0.0.1:{port}",
        "poster_review.upload_dir": str(tmp / "uploads"),
        "poster_review.argon2_time_cost": "1",
        "poster_review.argon2_memory_kib": "8",
        "poster_review.argon2_parallelism": "1",
        "mail.transport": f"file:{tmp / 'mail'}",
        # Checks run right after the upload's commit, in the request: no worker to wait for.
        "tasks.url": "immediate",
    }
    settings = parse(raw, environ={})
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    with get_session_factory(engine).begin() as session:
        load_demo(session, settings, inspect=True)
    engine.dispose()
    app = configure(raw).make_wsgi_app()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(CHROMIUM is not None, "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A Playwright page that records console errors and CSP violations."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []

        def console(message: Any) -> None:
            if message.type == "error":
                self.errors.append(message.text)

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, email: str, password: str) -> None:
        self.goto("/account/login")
        self.page.fill("#f-email", email)
        self.page.fill("#f-password", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url("**/dashboard")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict[str, Any]]:
        """Serious and critical accessibility violations found by axe-core."""
        require(AXE.is_file(), "axe-core is not installed (run `npm ci`)")
        # Evaluated through the DevTools protocol, so our CSP (no inline script) stays on.
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def make_page(browser: Any, live_server: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def factory(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return Page(context.new_page(), live_server)

    yield factory
    for context in contexts:
        context.close()
