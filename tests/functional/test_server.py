"""The first README command's chain on a real waitress server: migrate, load the demo,
serve, and have an upload inspected by the embedded task consumer (Huey on SQLite)."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.pdfs import poster_pdf
from tests.smtp import free_port

REPO = Path(__file__).resolve().parents[2]


def _ini(tmp: Path, port: int) -> Path:
    ini = tmp / "server.ini"
    ini.write_text(f"""
[app:main]
use = egg:poster_review
sqlalchemy.url = sqlite:///{tmp}/server.sqlite
poster_review.upload_dir = {tmp}/uploads
poster_review.argon2_time_cost = 1
poster_review.argon2_memory_kib = 8
poster_review.argon2_parallelism = 1
poster_review.public_url = http://127.0.0.1:{port}
tasks.url = sqlite:{tmp}/tasks.sqlite
tasks.embedded_worker = true
mail.transport = file:{tmp}/mail

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:{port}
max_request_body_size = 10485760
""")
    return ini


def _cli(ini: Path, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "poster_review.cli", "-c", str(ini), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=20) as r:
            return r.status, r.geturl(), r.read().decode()

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, bytes] | None = None
    ) -> tuple[int, str, str]:
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for k, v in fields.items():
                body += (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                ).encode()
            for k, data in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                        f'filename="poster.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
                    ).encode()
                    + data
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": ctype}
        )
        with self.opener.open(request, timeout=30) as r:
            return r.status, r.geturl(), r.read().decode()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def test_serve_demo_and_inspect_an_upload_in_the_background(tmp_path):
    port = free_port()
    ini = _ini(tmp_path, port)
    assert "database at revision" in _cli(ini, "db", "upgrade")
    out = _cli(ini, "demo", "--no-inspect")
    assert "author@example.org" in out and "author-demo-2026" in out
    # The server's log goes to a file: an unread pipe would fill up and block it.
    log_file = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "poster_review.cli", "-c", str(ini), "serve"],
        cwd=REPO,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        html = ""
        deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
        while not html and time.monotonic() < deadline and server.poll() is None:
            try:
                status, _url, html = browser.get("/c/wlic-astana/")
            except OSError:
                time.sleep(0.2)
        log_file.flush()
        assert "World Library and Information Congress" in html, (
            tmp_path / "server.log"
        ).read_text()[-3000:]
        _s, _u, html = browser.get("/account/login")
        browser.post(
            "/account/login",
            {
                "csrf_token": _token(html),
                "email": "author@example.org",
                "password": "author-demo-2026",
            },
        )
        _s, _u, html = browser.get("/c/wlic-astana/my-posters")
        path = re.search(r'href="http://127\.0\.0\.1:\d+(/submissions/\d+/)"', html)
        assert path, html
        _s, _u, html = browser.get(path.group(1))
        status, _url, html = browser.post(
            path.group(1) + "upload",
            {"csrf_token": _token(html)},
            {"pdf": poster_pdf("Uploaded through waitress")},
        )
        assert status == 200 and "Your PDF is uploaded." in html
        deadline = time.monotonic() + 90  # generous: CI machines can be busy
        state = None
        while time.monotonic() < deadline:
            _s, _u, body = browser.get(path.group(1) + "status.json")
            state = json.loads(body)["inspection"]
            if state != "pending":
                break
            time.sleep(0.25)
        assert state == "accepted"  # the embedded Huey consumer ran the check

        # Mail queued by a request goes out right after its commit, through the worker.
        visitor = Browser(f"http://127.0.0.1:{port}")
        _s, _u, html = visitor.get("/account/register")
        visitor.post(
            "/account/register",
            {
                "csrf_token": _token(html),
                "name": "Gulnara Abenova",
                "name_latin": "",
                "email": "gulnara@example.org",
                "password": "a long passphrase",
                "password2": "a long passphrase",
            },
        )
        deadline = time.monotonic() + 90  # generous: CI machines can be busy
        mails: list[Path] = []
        while time.monotonic() < deadline and not mails:
            mails = [
                p
                for p in (tmp_path / "mail").glob("*.eml")
                if "gulnara@example.org" in p.read_text()
            ]
            time.sleep(0.25)
        assert mails, (
            "no confirmation e-mail; server log:\n" + (tmp_path / "server.log").read_text()[-3000:]
        )
        assert "/account/confirm/" in mails[0].read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log_file.close()
