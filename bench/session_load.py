"""Mixed session load: reviewers scoring, authors uploading A0 posters, a chair ranking.

    python bench/session_load.py [--duration 60] [--database-url URL] [--json FILE]

Starts ``poster-review serve`` (waitress, with the production outer bound on request
bodies) and ``poster-review worker`` (the PDF checks) as subprocesses on a free
loopback port, with a fresh database (SQLite in a temporary folder by default; a
PostgreSQL URL gets its own schema, dropped at the end) and their logs in temporary
files. One conference is reviewing while late submissions are still open. Before the
clock starts it writes a few A0 poster PDFs of about 30 MB (a large photo-quality JPEG
of noise, which does not compress) and signs every simulated person in. Then, all at
the same time and for a bounded duration:

* reviewers autosave a full score sheet through the JSON endpoint, pausing between
  saves (the first save submits the review, so the ranking moves while they work);
* authors create a draft through the form, then upload their poster again and again
  (each upload replaces the file with different bytes), follow the redirect, poll the
  check's status as the page does until the report is there, read it, and upload again;
* a chair reloads the decisions page (the calibrated ranking of every poster) every
  few seconds.

It prints requests, throughput, latency percentiles and errors by kind for each kind
of request, then checks every acknowledged write against the database and the blob
store: each acknowledged save is the stored review, each acknowledged draft exists,
each acknowledged upload has its row and a blob whose SHA-256 is that of the bytes
sent. Requests start only within the duration; those under way at its end are waited
for, and rates are taken up to the last answer. ``--json FILE`` also writes the
figures as JSON ("-" for standard output); ``--logs FOLDER`` keeps the two logs.

The simulated people are threads with keep-alive HTTP connections from the standard
library, not locust: locust runs its users on gevent, and running it in this process
would bring gevent's monkey-patching next to SQLAlchemy, psycopg and the set-up code
used here; as a separate process it would add a dependency and a second
orchestration. Threads that each hold one connection and share one deadline give the
same scenario with nothing to install. The client's own work (a few threads sending
files from the page cache) is small next to the server's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import io
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench passphrase 2026"
SLUG = "bench"
SCHEMA = "session_bench"
TIMEOUT = 120.0
CHUNK = 1 << 20
#: Points: A0 portrait, 841 x 1189 mm.
A0 = (2383.94, 3370.39)
#: A fixed-width field in each poster's Info dictionary, rewritten for every upload.
TAG_WIDTH = 32
TAG_FIELD = b"(" + b"0" * TAG_WIDTH + b")"


# --------------------------------------------------------------------------- posters


@dataclass(frozen=True)
class Poster:
    """A PDF on disk whose bytes at ``tag_offset`` make each upload different."""

    path: Path
    size: int
    tag_offset: int

    def chunks(self, tag: str, digest: Any) -> Iterator[bytes]:
        """The file with ``tag`` in place, in 1 MB pieces; feeds ``digest`` as it goes."""
        stamp = b"(" + tag.encode().ljust(TAG_WIDTH, b"-")[:TAG_WIDTH] + b")"
        with self.path.open("rb") as handle:
            for start, end in ((0, self.tag_offset), (self.tag_offset + len(stamp), self.size)):
                handle.seek(start)
                left = end - start
                while left > 0:
                    piece = handle.read(min(CHUNK, left))
                    if not piece:
                        raise RuntimeError(f"{self.path} is shorter than {self.size} bytes")
                    left -= len(piece)
                    digest.update(piece)
                    yield piece
                if start == 0:
                    digest.update(stamp)
                    yield stamp


def noise_jpeg(target: int, seed: int) -> tuple[bytes, int, int]:
    """A 4:3 JPEG of random pixels at top quality, close to ``target`` bytes."""
    from PIL import Image

    rng = random.Random(seed)

    def encode(pixels: int) -> tuple[bytes, int, int]:
        width = max(16, int(math.sqrt(pixels * 4 / 3)))
        height = max(12, pixels // width)
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=100, subsampling=0)
        return out.getvalue(), width, height

    data, width, height = encode(max(target // 4, 192))
    # Noise at this quality takes about 4 bytes a pixel: one correction is enough.
    return encode(max(int(width * height * target / len(data)), 192))


def write_poster(path: Path, *, target: int, seed: int) -> Poster:
    """A one-page A0 PDF: a title, some text, one large photo; ``target`` bytes in all."""
    jpeg, width, height = noise_jpeg(max(target - 4000, 1000), seed)
    shown_w = A0[0] - 300
    shown_h = shown_w * height / width
    lines = [
        "BT /F1 110 Tf 150 3150 Td (Measuring a poster session under load) Tj ET",
        "BT /F1 36 Tf 150 3020 Td 48 TL",
    ]
    for row in range(14):
        lines.append(f"(Paragraph {row}: results, methods and a photograph of the site.) Tj T*")
    lines += ["ET", f"q {shown_w:.2f} 0 0 {shown_h:.2f} 150 200 cm /Im1 Do Q"]
    content = "\n".join(lines).encode()
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {A0[0]} {A0[1]}] "
            "/Resources << /Font << /F1 4 0 R >> /XObject << /Im1 5 0 R >> >> "
            "/Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        (
            f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
            "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "
            f"/Length {len(jpeg)} >>\nstream\n"
        ).encode()
        + jpeg
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        b"<< /Title (Measuring a poster session under load) /Producer (poster_review bench) "
        b"/Subject " + TAG_FIELD + b" >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    path.write_bytes(out)
    return Poster(path, len(out), out.rindex(TAG_FIELD))


# --------------------------------------------------------------------------- database


@dataclass(frozen=True)
class Seed:
    reviewers: list[tuple[str, int]]  # e-mail, the assignment they score
    authors: list[str]
    chair: str
    criteria: list[str]  # the required criteria of the rubric
    posters: int


def prepare(url: str, reviewers: int, authors: int) -> Seed:
    """A conference reviewing while late submissions are open: one chair, ``reviewers``
    reviewers each scoring one poster live, two submitted reviews on every poster
    already (so the ranking has something to rank), and ``authors`` people with no
    submission yet."""
    from poster_review import migrate
    from poster_review.accounts import passwords
    from poster_review.accounts.models import Membership, Role, User
    from poster_review.assignment.models import Assignment, ReviewRound
    from poster_review.conferences.models import Conference
    from poster_review.db import get_session_factory, make_engine
    from poster_review.reviews import rubric as rubrics
    from poster_review.reviews import services as review_services
    from poster_review.reviews.models import Review, ReviewState
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
    rng = random.Random(2026)
    hashed = passwords.hash_password(cheap, PASSWORD)
    live: list[tuple[str, int]] = []
    with get_session_factory(engine).begin() as s:
        conference = Conference(
            slug=SLUG,
            name="Mixed session load",
            timezone="UTC",
            call_opens_at=now - 30 * day,
            submission_deadline_at=now + 10 * day,
            reviews_open_at=now - day,
            reviews_close_at=now + 10 * day,
        )
        s.add(conference)
        s.flush()

        def person(email: str, name: str, role: Role | None) -> User:
            user = User(email=email, name=name, password_hash=hashed, email_confirmed_at=now)
            s.add(user)
            s.flush()
            if role is not None:
                s.add(Membership(conference_id=conference.id, user_id=user.id, role=role))
            return user

        chair = person("chair@bench.example", "Chair", Role.chair)
        people = [
            person(f"reviewer{i}@bench.example", f"Reviewer {i}", Role.reviewer)
            for i in range(reviewers)
        ]
        for i in range(authors):
            person(f"author{i}@bench.example", f"Author {i}", None)
        version = review_services.current_rubric(s, conference.id, ReviewRound.review)
        rubric = rubrics.from_json(version.definition)
        required = [c.key for c in rubric.criteria if c.required]
        for i in range(reviewers):
            poster = Submission(
                conference_id=conference.id,
                number=i + 1,
                title=f"Seeded poster {i + 1:03d}",
                abstract="A poster that is being reviewed.",
                state=SubmissionState.submitted,
            )
            poster.authors.append(
                SubmissionAuthor(
                    position=0,
                    name="Presenter",
                    email=f"presenter{i}@elsewhere.example",
                    is_presenting=True,
                    is_corresponding=True,
                )
            )
            s.add(poster)
            s.flush()
            for offset in range(min(3, reviewers)):
                reviewer = people[(i + offset) % reviewers]
                assignment = Assignment(
                    conference_id=conference.id,
                    submission_id=poster.id,
                    reviewer_id=reviewer.id,
                    round=ReviewRound.review,
                )
                s.add(assignment)
                s.flush()
                if offset == 0:
                    live.append((reviewer.email, assignment.id))
                    continue
                scores: dict[str, int | None] = {key: rng.randint(1, 5) for key in required}
                s.add(
                    Review(
                        assignment_id=assignment.id,
                        rubric_id=version.id,
                        scores=scores,
                        texts={},
                        confidence=rng.randint(2, 5),
                        total=rubrics.weighted_total(rubric, scores),
                        state=ReviewState.submitted,
                        submitted_at=now,
                        created_at=now,
                        updated_at=now,
                        client_label="seed",
                    )
                )
        s.flush()
        chair_email = chair.email
    engine.dispose()
    return Seed(
        reviewers=live,
        authors=[f"author{i}@bench.example" for i in range(authors)],
        chair=chair_email,
        criteria=required,
        posters=reviewers,
    )


def postgres_schema(url: str, *, create: bool) -> str:
    """Drop ``SCHEMA`` and, with ``create``, make it again; return the URL that uses it."""
    from sqlalchemy import text

    from poster_review.db import make_engine

    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


# --------------------------------------------------------------------------- HTTP


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def location(self) -> str:
        """The path a redirect points to."""
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class Browser:
    """One person's keep-alive connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                # A kept-alive connection the server had closed: a browser asks again,
                # but only for a request that changes nothing.
                if attempt == 1 and method == "GET":
                    continue
                raise
            except BaseException:
                self.close()
                raise
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in cookie.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            if response.will_close:
                self.close()
            return Reply(response.status, response.headers, data)
        raise AssertionError("unreachable")

    def form(self, path: str, fields: dict[str, str]) -> Reply:
        return self.request(
            "POST",
            path,
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def form_token(html: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    if found is None:
        raise RuntimeError("no form token on the page")
    return found.group(1).decode()


# --------------------------------------------------------------------------- people


@dataclass
class Sample:
    kind: str
    seconds: float
    error: str | None  # None: the expected answer
    sent_bytes: int = 0
    ended: float = field(default_factory=time.monotonic)


class Clock:
    """One deadline for everybody; it starts when the last person has signed in."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = 0.0
        self.stop = threading.Event()

    def begin(self) -> None:
        self.started = time.monotonic()

    def running(self) -> bool:
        return not self.stop.is_set()

    def sleep(self, seconds: float) -> None:
        self.stop.wait(seconds)


class Person(threading.Thread):
    def __init__(self, port: int, email: str, clock: Clock, ready: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(port)
        self.email, self.clock, self.ready = email, clock, ready
        self.samples: list[Sample] = []
        self.failure: str | None = None

    def timed(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
        *,
        expect: int = 200,
        sent_bytes: int = 0,
    ) -> Reply | None:
        """One measured request; None when it failed (the failure is recorded)."""
        started = time.perf_counter()
        try:
            reply = self.browser.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.samples.append(Sample(kind, time.perf_counter() - started, type(exc).__name__))
            return None
        error = None if reply.status == expect else f"HTTP {reply.status}"
        self.samples.append(
            Sample(kind, time.perf_counter() - started, error, sent_bytes if not error else 0)
        )
        return reply if error is None else None

    def sign_in(self) -> None:
        page = self.browser.request("GET", "/account/login")
        reply = self.browser.form(
            "/account/login",
            {"csrf_token": form_token(page.body), "email": self.email, "password": PASSWORD},
        )
        if reply.status != 303:
            raise RuntimeError(f"{self.email}: signing in answered {reply.status}")

    def prepare(self) -> None:
        """Sign in and open the first page (before the clock starts)."""
        self.sign_in()

    def act(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        ready = False
        for attempt in range(3):
            try:
                self.prepare()
                ready = True
                break
            except Exception as exc:
                # Eighty sign-ins at once on loopback: try again after a pause.
                self.browser.close()
                self.failure = f"could not start: {type(exc).__name__}: {exc}"
                time.sleep(1 + attempt)
        if not ready:
            print(f"  {self.email} {self.failure}", file=sys.stderr)
        else:
            self.failure = None
        try:
            self.ready.wait(timeout=600)
        except threading.BrokenBarrierError:
            return
        if ready:
            try:
                self.act()
            except Exception as exc:
                self.failure = f"stopped: {type(exc).__name__}: {exc}"
                print(f"  {self.email} {self.failure}", file=sys.stderr)
        self.browser.close()


class Reviewer(Person):
    def __init__(
        self, *args: Any, assignment_id: int, criteria: list[str], pause: float, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.assignment_id, self.criteria, self.pause = assignment_id, criteria, pause
        self.token = ""
        self.revision = 0
        self.state = "draft"
        self.acknowledged: dict[str, Any] | None = None

    def prepare(self) -> None:
        self.sign_in()
        page = self.browser.request("GET", f"/reviews/{self.assignment_id}/")
        if page.status != 200:
            raise RuntimeError(f"{self.email}: the scoring page answered {page.status}")
        self.token = form_token(page.body)

    def act(self) -> None:
        step = 0
        while self.clock.running():
            step += 1
            sheet = {
                "scores": {key: 1 + (step + i) % 5 for i, key in enumerate(self.criteria)},
                "texts": {"comments_authors": f"Second reading, change {step}."},
                "confidence": 1 + step % 5,
            }
            body = {
                "revision": self.revision,
                **sheet,
                "client": "bench",
                # The first save submits: from then on the chair's ranking uses it.
                "submit": self.state != "submitted",
            }
            reply = self.timed(
                "reviewer: autosave",
                "POST",
                f"/reviews/{self.assignment_id}/autosave",
                json.dumps(body).encode(),
                {"Content-Type": "application/json", "X-CSRF-Token": self.token},
            )
            if reply is not None:
                snapshot = json.loads(reply.body)
                self.revision, self.state = snapshot["revision"], snapshot["state"]
                self.acknowledged = snapshot
            self.clock.sleep(self.pause)


@dataclass
class Upload:
    sha256: str
    size: int
    acknowledged_at: float
    checked_after: float | None = None


class Author(Person):
    def __init__(self, *args: Any, number: int, poster: Poster, pause: float, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.number, self.poster, self.pause = number, poster, pause
        self.token = ""
        self.submission_id: int | None = None
        self.title = f"Late poster by author {number}"
        self.uploads: list[Upload] = []
        self.attempted: list[str] = []  # every upload sent in full, acknowledged or not

    def prepare(self) -> None:
        self.sign_in()
        page = self.browser.request("GET", f"/c/{SLUG}/submit")
        if page.status != 200:
            raise RuntimeError(f"{self.email}: the submission form answered {page.status}")
        self.token = form_token(page.body)

    def create(self) -> bool:
        fields = {
            "csrf_token": self.token,
            "title": self.title,
            "abstract": "We measured what happens when everybody uses the site at once.",
            "keywords": "load, posters",
            "authors-0-name": f"Author {self.number}",
            "authors-0-email": self.email,
            "authors-0-affiliations": "Bench University",
            "authors-0-country": "NO",
            "authors-0-presenting": "1",
            "authors-0-corresponding": "1",
        }
        reply = self.timed(
            "author: create draft",
            "POST",
            f"/c/{SLUG}/submit",
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            expect=303,
        )
        if reply is None:
            return False
        found = re.search(r"/submissions/(\d+)/", reply.location)
        if found is None:
            raise RuntimeError(f"unexpected redirect after creating: {reply.location}")
        self.submission_id = int(found.group(1))
        self.timed("author: status page", "GET", reply.location)
        return True

    def upload(self, sequence: int) -> Upload | None:
        boundary = secrets.token_hex(16)
        head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{self.token}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="pdf"; filename="poster.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        digest = hashlib.sha256()

        def body() -> Iterator[bytes]:
            yield head
            yield from self.poster.chunks(f"author{self.number}-upload{sequence}", digest)
            yield tail

        reply = self.timed(
            "author: upload",
            "POST",
            f"/submissions/{self.submission_id}/upload",
            body(),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + self.poster.size + len(tail)),
            },
            expect=303,
            sent_bytes=self.poster.size,
        )
        self.attempted.append(digest.hexdigest())
        if reply is None:
            return None
        upload = Upload(digest.hexdigest(), self.poster.size, time.monotonic())
        self.uploads.append(upload)
        self.timed("author: status page", "GET", reply.location)
        return upload

    def wait_for_check(self, upload: Upload) -> None:
        """Poll as the status page does (after 1 s, then 1, 2, 3, 4, 5, 5... s), then reload."""
        tries = 0
        self.clock.sleep(1)
        while self.clock.running() and tries < 60:
            tries += 1
            reply = self.timed(
                "author: check status (JSON)",
                "GET",
                f"/submissions/{self.submission_id}/status.json",
                headers={"Accept": "application/json"},
            )
            if reply is not None and json.loads(reply.body).get("inspection") != "pending":
                upload.checked_after = time.monotonic() - upload.acknowledged_at
                self.timed("author: status page", "GET", f"/submissions/{self.submission_id}/")
                return
            self.clock.sleep(min(tries, 5))

    def act(self) -> None:
        # After an error page a person goes back and sends the form again.
        while not self.create():
            if not self.clock.running():
                return
            self.clock.sleep(2)
        sequence = 0
        while self.clock.running():
            sequence += 1
            upload = self.upload(sequence)
            if upload is not None:
                self.wait_for_check(upload)
            # Reading the report, fixing the poster, exporting it again.
            self.clock.sleep(self.pause)


class Chair(Person):
    def __init__(self, *args: Any, every: float, last_title: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.every, self.last_title = every, last_title.encode()

    def act(self) -> None:
        while self.clock.running():
            started = time.perf_counter()
            reply = self.timed("chair: decisions page", "GET", f"/c/{SLUG}/decisions")
            if reply is not None and self.last_title not in reply.body:
                self.samples[-1].error = "page without the ranking"
            self.clock.sleep(max(0.0, self.every - (time.perf_counter() - started)))


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_ini(tmp: Path, port: int, url: str) -> Path:
    """Production's waitress bounds and logging; cheap password hashing for the sign-ins."""
    ini = tmp / "bench.ini"
    ini.write_text(f"""
[app:main]
use = egg:poster_review
sqlalchemy.url = {url.replace("%", "%%")}
retry.attempts = 3
poster_review.upload_dir = {tmp}/uploads
poster_review.max_upload_mb = 100
poster_review.argon2_time_cost = 1
poster_review.argon2_memory_kib = 8
poster_review.argon2_parallelism = 1
poster_review.login_max_failures = 1000
poster_review.public_url = http://127.0.0.1:{port}
tasks.url = sqlite:{tmp}/tasks.sqlite
tasks.embedded_worker = false
mail.transport = file:{tmp}/mail

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:{port}
threads = 8
max_request_body_size = 209715200

[loggers]
keys = root, poster_review

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[logger_poster_review]
level = INFO
handlers =
qualname = poster_review

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s][%(threadName)s] %(message)s
""")
    return ini


def start(tmp: Path, ini: Path, command: list[str], log: str) -> subprocess.Popen[bytes]:
    # The settings file decides: no POSTER_REVIEW_* override from this shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTER_REVIEW_")}
    with (tmp / log).open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "poster_review.cli", "-c", str(ini), *command],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )


def stop(process: subprocess.Popen[bytes]) -> float:
    """End the process; return the CPU seconds it and the children it waited for used
    (0 when it had already ended)."""
    if process.poll() is not None:
        return 0.0
    process.terminate()
    deadline = time.monotonic() + 20
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return float(usage.ru_utime + usage.ru_stime)
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.1)


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    print(log.read_text()[-3000:], file=sys.stderr)
    raise SystemExit("the server did not start")


# --------------------------------------------------------------------------- checks


def inspection_counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from poster_review.db import get_session_factory, make_engine
    from poster_review.submissions.models import PosterFile

    engine = make_engine(url)
    with get_session_factory(engine)() as s:
        rows = s.execute(
            select(PosterFile.inspection, func.count()).group_by(PosterFile.inspection)
        ).all()
    engine.dispose()
    return {state.value: int(n) for state, n in rows}


def check_writes(
    url: str, upload_dir: Path, reviewers: list[Reviewer], authors: list[Author]
) -> dict[str, int]:
    """Compare every acknowledged write with what the database and the store hold."""
    from sqlalchemy import select

    from poster_review.db import get_session_factory, make_engine
    from poster_review.reviews.models import Review
    from poster_review.storage import blob_store
    from poster_review.submissions.models import PosterFile, Submission

    store = blob_store(upload_dir)
    engine = make_engine(url)
    result = Counter[str]()
    with get_session_factory(engine)() as s:
        stored = {r.assignment_id: r for r in s.scalars(select(Review))}
        for reviewer in reviewers:
            got = reviewer.acknowledged
            if got is None:
                continue
            result["reviews acknowledged"] += 1
            review = stored.get(reviewer.assignment_id)
            same = review is not None and (
                review.revision == got["revision"]
                and review.state.value == got["state"]
                and {k: v for k, v in review.scores.items() if v is not None}
                == {k: v for k, v in got["scores"].items() if v is not None}
                and review.texts == got["texts"]
                and review.confidence == got["confidence"]
            )
            result["reviews lost"] += not same
        for author in authors:
            if author.submission_id is None:
                continue
            result["drafts acknowledged"] += 1
            submission = s.get(Submission, author.submission_id)
            if submission is None or submission.title != author.title:
                result["drafts lost"] += 1
                continue
            files = list(
                s.scalars(select(PosterFile).where(PosterFile.submission_id == submission.id))
            )
            by_digest = {f.sha256: f for f in files}
            for upload in author.uploads:
                result["uploads acknowledged"] += 1
                row = by_digest.get(upload.sha256)
                path = store.local_path(upload.sha256)
                intact = row is not None and row.size == upload.size and path.is_file()
                if intact:
                    digest = hashlib.sha256()
                    with path.open("rb") as handle:
                        while piece := handle.read(CHUNK):
                            digest.update(piece)
                    intact = digest.hexdigest() == upload.sha256
                result["uploads lost"] += not intact
            # The current file is the last acknowledged one, or an upload sent after it
            # whose answer did not arrive (its write may have happened).
            current = [f.sha256 for f in files if f.is_current]
            if author.uploads:
                later = author.attempted[author.attempted.index(author.uploads[-1].sha256) :]
                result["uploads lost"] += not (len(current) == 1 and current[0] in later)
    engine.dispose()
    return dict(result)


def logged_exceptions(log: Path) -> dict[str, int]:
    """How often each exception ended a traceback in a process's log (chained causes
    are left out), by its first line."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    chained = ("The above exception was", "During handling of the above exception")
    found = Counter[str]()
    for i, line in enumerate(lines):
        if not re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Violation|Timeout)\b", line):
            continue
        if i + 1 < len(lines) and lines[i + 1].startswith(chained):
            continue
        found[line.strip()[:120]] += 1
    return dict(found)


# --------------------------------------------------------------------------- figures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    kinds: dict[str, list[Sample]] = {}
    for sample in samples:
        kinds.setdefault(sample.kind, []).append(sample)
    out: dict[str, Any] = {}
    for kind in sorted(kinds):
        rows = kinds[kind]
        latencies = [r.seconds for r in rows]
        sent = sum(r.sent_bytes for r in rows)
        out[kind] = {
            "requests": len(rows),
            "ok": sum(r.error is None for r in rows),
            "per_second": round(len(rows) / seconds, 2),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1),
            "errors": dict(Counter(r.error for r in rows if r.error is not None)),
        }
        if sent:
            out[kind]["megabytes"] = round(sent / 1e6, 1)
            out[kind]["megabytes_per_second"] = round(sent / 1e6 / seconds, 2)
    return out


def print_report(report: dict[str, Any], out: Any) -> None:
    def say(*parts: object) -> None:
        print(*parts, file=out)

    run = report["run"]
    say(
        f"{run['database']}: {run['reviewers']} reviewers, {run['authors']} authors with "
        f"{run['poster_mb']} MB posters, 1 chair, starting requests for {run['seconds']:.0f} s, "
        f"the last answer after {run['last_answer_after_seconds']:.0f} s "
        f"({run['cpus']} CPUs, Python {run['python']})"
    )
    say(
        f"  load average before {run['load_average_before'][0]:.1f}, after "
        f"{run['load_average_after'][0]:.1f}; CPU seconds used by the server "
        f"{run['server_cpu_seconds']:.0f}, by the worker and its checks "
        f"{run['worker_cpu_seconds']:.0f}"
    )
    say(
        f"  {'request':<28} {'count':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}"
    )
    for kind, row in report["requests"].items():
        errors = sum(row["errors"].values())
        say(
            f"  {kind:<28} {row['requests']:>6} {row['per_second']:>7.2f} {row['p50_ms']:>8.0f} "
            f"{row['p95_ms']:>8.0f} {row['p99_ms']:>8.0f} {errors:>6}"
        )
        if "megabytes" in row:
            say(
                f"  {'':<28} {row['megabytes']:.0f} MB acknowledged, "
                f"{row['megabytes_per_second']:.1f} MB/s"
            )
        for what, n in row["errors"].items():
            say(f"  {'':<28} {n} x {what}")
    total = report["total"]
    say(f"  all requests: {total['requests']} ({total['per_second']:.1f}/s)")
    ingest = report["ingest"]
    waits = ingest["report_seen_after_s"]
    say(
        f"  PDF checks when the last request ended: {ingest['at_end']}; no check was pending "
        + (
            f"{ingest['drained_after_s']:.0f} s later"
            if ingest["drained_after_s"] is not None
            else "not yet when the wait ended"
        )
        + f"; final: {ingest['final']}"
    )
    if waits:
        say(
            f"  report seen by the author after an upload: p50 {waits['p50']:.1f} s, "
            f"p95 {waits['p95']:.1f} s, max {waits['max']:.1f} s ({waits['count']} uploads)"
        )
    check = report["check"]
    say(
        f"  acknowledged: {check.get('reviews acknowledged', 0)} reviews (last save each), "
        f"{check.get('drafts acknowledged', 0)} drafts, "
        f"{check.get('uploads acknowledged', 0)} uploads"
    )
    for name, found in report["logged_exceptions"].items():
        for line, n in found.items():
            say(f"  {name}: {n} x {line}")
    say(f"  lost writes: {report['lost_writes']}")
    if report["people_failed"]:
        say(f"  people who stopped early: {report['people_failed']}")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--authors", type=int, default=20)
    parser.add_argument("--poster-mb", type=float, default=30.0, help="size of each upload")
    parser.add_argument(
        "--review-pause", type=float, default=0.5, help="seconds between a reviewer's saves"
    )
    parser.add_argument(
        "--author-pause",
        type=float,
        default=5.0,
        help="seconds an author spends on the report before uploading again",
    )
    parser.add_argument("--chair-every", type=float, default=3.0, help="seconds between reloads")
    parser.add_argument("--ingest-workers", type=int, default=2, help="worker threads")
    parser.add_argument(
        "--drain", type=float, default=120.0, help="seconds to wait for the PDF checks after"
    )
    parser.add_argument("--json", metavar="FILE", help='write the figures as JSON ("-": stdout)')
    parser.add_argument("--logs", metavar="FOLDER", type=Path, help="keep the server's logs here")
    args = parser.parse_args()
    if args.reviewers < 1 or args.authors < 0 or args.duration <= 0:
        parser.error("need at least one reviewer and a positive duration")
    text_out = sys.stderr if args.json == "-" else sys.stdout

    with tempfile.TemporaryDirectory(prefix="bench-session-") as tmpdir:
        tmp = Path(tmpdir)
        postgres = args.database_url.startswith("postgresql")
        if postgres:
            url = postgres_schema(args.database_url, create=True)
        elif args.database_url:
            url = args.database_url
        else:
            url = f"sqlite:///{tmp}/bench.sqlite"
        started = time.perf_counter()
        posters = [
            write_poster(tmp / f"poster-{i}.pdf", target=int(args.poster_mb * 1e6), seed=i)
            for i in range(min(args.authors, 4))
        ]
        seed = prepare(url, args.reviewers, args.authors)
        print(
            f"  set-up: {len(posters)} posters of {posters[0].size / 1e6 if posters else 0:.1f} "
            f"MB and the database in {time.perf_counter() - started:.1f} s",
            file=text_out,
        )
        port = free_port()
        ini = write_ini(tmp, port, url)
        server = start(tmp, ini, ["serve"], "server.log")
        worker = start(tmp, ini, ["worker", "--workers", str(args.ingest_workers)], "worker.log")
        clock = Clock(args.duration)
        load_before = [round(x, 2) for x in os.getloadavg()]
        people: list[Person] = []
        try:
            wait_until_up(port, server, tmp / "server.log")
            parties = len(seed.reviewers) + len(seed.authors) + 2
            ready = threading.Barrier(parties, action=clock.begin)
            reviewers = [
                Reviewer(
                    port,
                    email,
                    clock,
                    ready,
                    assignment_id=aid,
                    criteria=seed.criteria,
                    pause=args.review_pause,
                )
                for email, aid in seed.reviewers
            ]
            authors = [
                Author(
                    port,
                    email,
                    clock,
                    ready,
                    number=i,
                    poster=posters[i % len(posters)],
                    pause=args.author_pause,
                )
                for i, email in enumerate(seed.authors)
            ]
            chair = Chair(
                port,
                seed.chair,
                clock,
                ready,
                every=args.chair_every,
                last_title=f"Seeded poster {seed.posters:03d}",
            )
            people = [*reviewers, *authors, chair]
            for person in people:
                person.start()
            ready.wait(timeout=600)
            clock.stop.wait(args.duration)
            clock.stop.set()
            # Requests under way may finish; nobody starts a new one. Bounded all the same.
            last = time.monotonic() + TIMEOUT + 30
            for person in people:
                person.join(timeout=max(0.0, last - time.monotonic()))
            at_end = inspection_counts(url)
            server_cpu = stop(server)
            drained_after: float | None = None
            waited = time.monotonic()
            while time.monotonic() - waited < args.drain:
                if inspection_counts(url).get("pending", 0) == 0:
                    drained_after = time.monotonic() - waited
                    break
                time.sleep(1)
            worker_cpu = stop(worker)
        finally:
            clock.stop.set()
            stop(server)
            stop(worker)
            if postgres and sys.exc_info()[0] is not None:
                postgres_schema(args.database_url, create=False)
        final = inspection_counts(url)
        check = check_writes(url, tmp / "uploads", reviewers, authors)
        samples = [s for p in people for s in p.samples]
        # Requests start within the duration; those under way at its end are waited
        # for, so rates are taken over the time until the last one ended.
        span = max([args.duration, *(s.ended - clock.started for s in samples)])
        lost = sum(n for what, n in check.items() if what.endswith("lost"))
        waits = [u.checked_after for a in authors for u in a.uploads if u.checked_after]
        report: dict[str, Any] = {
            "run": {
                "database": "PostgreSQL" if postgres else "SQLite",
                "reviewers": args.reviewers,
                "authors": args.authors,
                "poster_mb": round(posters[0].size / 1e6, 1) if posters else 0,
                "seconds": args.duration,
                "last_answer_after_seconds": round(span, 1),
                "review_pause": args.review_pause,
                "author_pause": args.author_pause,
                "chair_every": args.chair_every,
                "ingest_workers": args.ingest_workers,
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "load_average_before": load_before,
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "server_cpu_seconds": round(server_cpu, 1),
                "worker_cpu_seconds": round(worker_cpu, 1),
            },
            "requests": summarise(samples, span),
            "total": {
                "requests": len(samples),
                "per_second": round(len(samples) / span, 1),
            },
            "ingest": {
                "at_end": at_end,
                "drained_after_s": None if drained_after is None else round(drained_after, 1),
                "final": final,
                "report_seen_after_s": {
                    "count": len(waits),
                    "p50": round(percentile(waits, 0.5), 1),
                    "p95": round(percentile(waits, 0.95), 1),
                    "max": round(max(waits), 1),
                }
                if waits
                else {},
            },
            "check": check,
            "lost_writes": lost,
            "people_failed": sum(p.failure is not None for p in people),
        }
        report["logged_exceptions"] = {
            name: logged_exceptions(tmp / name) for name in ("server.log", "worker.log")
        }
        print_report(report, text_out)
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for name in ("server.log", "worker.log"):
                shutil.copyfile(tmp / name, args.logs / name)
        if args.json == "-":
            json.dump(report, sys.stdout, indent=2)
            print()
        elif args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    if postgres:
        postgres_schema(args.database_url, create=False)
    return 1 if lost or report["people_failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
