"""Browser tests: Debian's chromium driven by Playwright, against waitress on loopback.

The live server runs in a thread of the test process on its own SQLite database with the
demo congress, so the browser sees exactly what `make run` shows. Screenshots go to
``test-artifacts/`` (kept by CI as evidence). axe-core comes from npm (``package.json``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
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


#: Runs in every document before the page's own scripts (added through DevTools, so the
#: CSP does not apply to it): reports each Content-Security-Policy violation to the test,
#: and keeps them in ``window.__cspViolations`` for a look from the page.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const v = {directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
             line: e.lineNumber, sample: e.sample, disposition: e.disposition,
             page: document.location.href};
  window.__cspViolations.push(v);
  if (window.__reportCspViolation) window.__reportCspViolation(v);
});
"""


@dataclasses.dataclass(frozen=True)
class Problem:
    page: Any
    kind: str  # "console error", "uncaught" or "CSP violation"
    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text} [{self.url}]"


class Watch:
    """Console errors, uncaught exceptions and CSP violations of every page of one
    browser context, including pages the test opens itself with ``context.new_page()``."""

    def __init__(self, context: Any, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.expected: list[re.Pattern[str]] = []
        context.add_init_script(CSP_LISTENER)
        context.expose_binding("__reportCspViolation", self._csp)
        context.on("page", self.attach)

    def attach(self, page: Any) -> None:
        def console(message: Any) -> None:
            if message.type == "error":
                url = message.location.get("url") or page.url
                self.problems.append(Problem(page, "console error", message.text, url))

        def uncaught(error: Any) -> None:
            self.problems.append(Problem(page, "uncaught", str(error), page.url))

        page.on("console", console)
        page.on("pageerror", uncaught)

    def _csp(self, source: Any, v: dict[str, Any]) -> None:
        blocked = v.get("blocked") or "inline"
        text = f"{v.get('directive')} ({v.get('disposition')}) blocked {blocked}"
        if v.get("sample"):
            text += f" {v['sample']!r}"
        where = f"{v.get('source') or v.get('page')}:{v.get('line')}"
        self.problems.append(Problem(source["page"], "CSP violation", text, where))

    def unexpected(self) -> list[str]:
        return [
            f"{self.name}: {problem}"
            for problem in self.problems
            if not any(p.search(problem.text) for p in self.expected)
        ]


class Page:
    """A Playwright page whose context records console errors, uncaught exceptions and
    CSP violations; any the test did not declare with ``expect_errors`` fails it."""

    def __init__(self, page: Any, base: str, watch: Watch) -> None:
        self.page, self.base, self.watch = page, base, watch

    @property
    def errors(self) -> list[str]:
        """This page's console errors and uncaught exceptions, expected ones included."""
        return [
            p.text for p in self.watch.problems if p.page is self.page and p.kind != "CSP violation"
        ]

    @property
    def csp_violations(self) -> list[str]:
        """CSP violations of every page of this page's context."""
        return [str(p) for p in self.watch.problems if p.kind == "CSP violation"]

    def expect_errors(self, *patterns: str) -> None:
        """Declare errors the test provokes on purpose, for every page of this page's
        context: regular expressions, searched in each message."""
        self.watch.expected.extend(re.compile(p) for p in patterns)

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
    """Open pages, each in a browser context of its own. At teardown, the test fails when
    any page of these contexts logged an error or violated the CSP and the test had not
    declared it (``page.expect_errors``)."""
    contexts: list[tuple[Any, Watch]] = []

    def factory(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        watch = Watch(context, f"page {len(contexts) + 1} ({width} px)")
        contexts.append((context, watch))
        return Page(context.new_page(), live_server, watch)

    yield factory
    for context, _watch in contexts:
        for page in context.pages:
            # A round trip delivers violations the page reported just before the end.
            with contextlib.suppress(Exception):
                page.evaluate("() => 0")
    problems = [text for _context, watch in contexts for text in watch.unexpected()]
    for context, _watch in contexts:
        context.close()
    if problems:
        pytest.fail(
            "The browser reported errors or CSP violations:\n"
            + "\n".join(f"  - {text}" for text in problems),
            pytrace=False,
        )
