"""Concurrent reviewers saving scores against waitress, on SQLite or PostgreSQL.

    python bench/review_load.py [--reviewers 60] [--seconds 60] [--database URL]
                                [--pause 0.5] [--server-log FILE]

Starts `poster-review serve` on a free loopback port with a fresh database, creates one
conference with N reviewers (each assigned one poster), signs every reviewer in, then
each reviewer autosaves changed scores as fast as the server answers, for a bounded
time. Prints saves/s, latency percentiles, conflicts and errors, then checks that every
acknowledged save is what the database holds. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench passphrase 2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_ini(tmp: Path, port: int, url: str) -> Path:
    ini = tmp / "bench.ini"
    ini.write_text(f"""
[app:main]
use = egg:poster_review
sqlalchemy.url = {url.replace("%", "%%")}
retry.attempts = 5
poster_review.upload_dir = {tmp}/uploads
poster_review.argon2_time_cost = 1
poster_review.argon2_memory_kib = 8
poster_review.argon2_parallelism = 1
poster_review.login_max_failures = 1000
poster_review.public_url = http://127.0.0.1:{port}
tasks.url = immediate
mail.transport = file:{tmp}/mail

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:{port}
threads = 8
""")
    return ini


def prepare(url: str, n: int) -> list[tuple[str, int]]:
    """Schema, a conference in its review phase, n reviewers with one assignment each."""
    import datetime as dt

    from poster_review import migrate
    from poster_review.accounts import passwords
    from poster_review.accounts.models import Membership, Role, User
    from poster_review.assignment.models import Assignment, ReviewRound
    from poster_review.conferences.models import Conference
    from poster_review.db import get_session_factory, make_engine
    from poster_review.settings import parse
    from poster_review.submissions.models import Submission, SubmissionAuthor, SubmissionState

    engine = make_engine(url)
    migrate.upgrade(engine)
    cheap = parse(
        {
            "poster_review.argon2_time_cost": "1",
            "poster_review.argon2_memory_kib": "8",
            "poster_review.argon2_parallelism": "1",
        },
        environ={},
    )
    now = dt.datetime.now(dt.UTC)
    day = dt.timedelta(days=1)
    people = []
    with get_session_factory(engine).begin() as s:
        conference = Conference(
            slug="bench",
            name="Load bench",
            timezone="UTC",
            call_opens_at=now - 30 * day,
            submission_deadline_at=now - day,
            reviews_open_at=now - day,
            reviews_close_at=now + 10 * day,
        )
        s.add(conference)
        s.flush()
        hashed = passwords.hash_password(cheap, PASSWORD)
        for i in range(n):
            user = User(
                email=f"reviewer{i}@bench.example",
                name=f"Reviewer {i}",
                password_hash=hashed,
                email_confirmed_at=now,
            )
            s.add(user)
            s.flush()
            s.add(Membership(conference_id=conference.id, user_id=user.id, role=Role.reviewer))
            poster = Submission(
                conference_id=conference.id,
                number=i + 1,
                title=f"Poster {i}",
                state=SubmissionState.submitted,
            )
            poster.authors.append(
                SubmissionAuthor(
                    position=0,
                    name="A",
                    email="a@x.example",
                    is_presenting=True,
                    is_corresponding=True,
                )
            )
            s.add(poster)
            s.flush()
            assignment = Assignment(
                conference_id=conference.id,
                submission_id=poster.id,
                reviewer_id=user.id,
                round=ReviewRound.review,
            )
            s.add(assignment)
            s.flush()
            people.append((user.email, assignment.id))
    engine.dispose()
    return people


class Reviewer(threading.Thread):
    def __init__(
        self,
        base: str,
        email: str,
        assignment_id: int,
        *,
        until: list[float],
        pause: float,
        ready: threading.Barrier,
    ) -> None:
        super().__init__(daemon=True)
        self.pause, self.ready = pause, ready
        self.base, self.email, self.assignment_id, self.until = base, email, assignment_id, until
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.latencies: list[float] = []
        self.errors = 0
        self.conflicts = 0
        self.acknowledged: dict[str, int] | None = None
        self.revision = 0

    def _open(self, request: urllib.request.Request | str) -> tuple[int, bytes]:
        """(status, body); status 0 when no answer came (timeout, connection reset), so
        that such a save counts as an error instead of ending the reviewer's thread."""
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except OSError as e:
            return 0, repr(e).encode()

    @staticmethod
    def _token(html: bytes) -> str:
        found = re.search(rb'name="csrf_token" value="([^"]+)"', html)
        if found is None:
            raise RuntimeError("no form token on the page")
        return found.group(1).decode()

    def login(self) -> str:
        _s, html = self._open(self.base + "/account/login")
        token = self._token(html)
        data = urllib.parse.urlencode(
            {"csrf_token": token, "email": self.email, "password": PASSWORD}
        ).encode()
        self._open(urllib.request.Request(self.base + "/account/login", data=data))
        status, html = self._open(f"{self.base}/reviews/{self.assignment_id}/")
        if status != 200:
            raise RuntimeError(f"{self.email}: the scoring page answered {status}")
        return self._token(html)

    def run(self) -> None:
        try:
            token = self.login()
        except (RuntimeError, OSError):
            # Sixty sign-ins at once on loopback: try once more after a pause.
            time.sleep(1)
            token = self.login()
        # Everyone signs in first; the measured window starts when the last one has.
        if self.ready.wait() == 0:
            self.until[0] = time.monotonic() + self.until[1]
        self.ready.wait()
        step = 0
        while time.monotonic() < self.until[0]:
            step += 1
            scores = {"relevance": 1 + step % 5, "originality": 1 + (step // 5) % 5}
            body = json.dumps(
                {"revision": self.revision, "scores": scores, "client": "bench"}
            ).encode()
            request = urllib.request.Request(
                f"{self.base}/reviews/{self.assignment_id}/autosave",
                data=body,
                headers={"Content-Type": "application/json", "X-CSRF-Token": token},
            )
            started = time.perf_counter()
            status, payload = self._open(request)
            self.latencies.append(time.perf_counter() - started)
            if status == 200:
                snapshot = json.loads(payload)
                self.revision = snapshot["revision"]
                self.acknowledged = {k: v for k, v in snapshot["scores"].items() if v}
            elif status == 409:
                self.conflicts += 1
            else:
                self.errors += 1
                if self.errors <= 2:
                    print(f"  error {status}: {payload[:200]!r}", file=sys.stderr)
            if self.pause:
                # A person changes a score, the page waits (debounce) and saves: not a loop.
                time.sleep(self.pause)


def check(url: str, reviewers: list[Reviewer]) -> int:
    from sqlalchemy import select

    from poster_review.db import get_session_factory, make_engine
    from poster_review.reviews.models import Review

    engine = make_engine(url)
    lost = 0
    with get_session_factory(engine)() as s:
        stored = {r.assignment_id: r for r in s.scalars(select(Review))}
        for reviewer in reviewers:
            review = stored.get(reviewer.assignment_id)
            if reviewer.acknowledged is None:
                continue
            if review is None:
                lost += 1
                continue
            got = {k: v for k, v in review.scores.items() if v}
            if got != reviewer.acknowledged or review.revision != reviewer.revision:
                lost += 1
    engine.dispose()
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.5,
        help="seconds each reviewer waits between saves (0: as fast as "
        "the server answers); the page autosaves 0.8 s after a change",
    )
    parser.add_argument(
        "--server-log",
        type=Path,
        default=None,
        help="keep a copy of the server's log (warnings and tracebacks) in this file",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = args.database or f"sqlite:///{tmp}/bench.sqlite"
        if url.startswith("postgresql"):
            from sqlalchemy import text

            from poster_review.db import make_engine

            admin = make_engine(url)
            with admin.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS review_bench CASCADE"))
                conn.execute(text("CREATE SCHEMA review_bench"))
            admin.dispose()
            url += ("&" if "?" in url else "?") + "options=-csearch_path%3Dreview_bench"
        people = prepare(url, args.reviewers)
        port = free_port()
        ini = write_ini(tmp, port, url)
        server = subprocess.Popen(
            [sys.executable, "-m", "poster_review.cli", "-c", str(ini), "serve"],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "server.log").open("w"),
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/health", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                print((tmp / "server.log").read_text()[-2000:], file=sys.stderr)
                raise SystemExit("the server did not start")
            until = [0.0, args.seconds]
            ready = threading.Barrier(len(people))
            threads = [
                Reviewer(base, email, aid, until=until, pause=args.pause, ready=ready)
                for email, aid in people
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = args.seconds
        finally:
            server.terminate()
            server.wait(timeout=10)
        latencies = sorted(x for t in threads for x in t.latencies)
        saves = sum(len(t.latencies) for t in threads) - sum(
            t.errors + t.conflicts for t in threads
        )
        lost = check(url, threads)
        if args.server_log is not None:
            shutil.copyfile(tmp / "server.log", args.server_log)
        if any(t.errors for t in threads):
            errors = [
                line
                for line in (tmp / "server.log").read_text().splitlines()
                if "Error" in line or "error" in line
            ]
            print("  server errors (last 3):", *errors[-3:], sep="\n    ")
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(
            f"{kind}: {args.reviewers} reviewers saving for {elapsed:.0f} s once all signed in, "
            f"pause {args.pause} s between a reviewer's saves"
        )
        print(f"  acknowledged saves: {saves}  ({saves / args.seconds:.1f} saves/s)")
        print(
            f"  latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms"
        )
        print(
            f"  409 conflicts: {sum(t.conflicts for t in threads)}, "
            f"errors: {sum(t.errors for t in threads)}, lost saves: {lost}"
        )
    return 1 if lost else 0


if __name__ == "__main__":
    import urllib.parse

    sys.exit(main())
