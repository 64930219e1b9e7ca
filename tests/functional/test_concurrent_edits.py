"""Two saves from the same base version, fired at the same instant: one wins, one is told.

Pairs run one after the other; the two requests of a pair are released together by a
``threading.Barrier`` and go through the real WSGI app with real commits (no injected
session), each from its own browser session. For every pair exactly one save wins; the
other gets 409 with a sentence and the version now stored, so the person can keep
their text; the database holds the winner's value and a version one higher. Runs on
SQLite and, with POSTER_REVIEW_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, select
from webtest import TestApp

from poster_review.accounts.models import Role, User
from poster_review.assignment.models import ReviewRound
from poster_review.assignment.services import add_assignment
from poster_review.conferences.models import Conference
from poster_review.notifications.models import OutboxMessage
from poster_review.reviews.models import Review
from poster_review.submissions.models import Submission
from tests.conftest import TEST_PASSWORD
from tests.factories import add_role, make_conference, make_submission, make_user, now

PAIRS = 200
BARRIER_TIMEOUT = 10  # seconds; a stuck request fails the pair instead of hanging


@dataclass
class Figures:
    pairs: int = 0
    overlapping: int = 0  # pairs whose two requests were in flight together
    wins: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    by_kind: Counter[str] | None = None

    def line(self, what: str) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted((self.by_kind or Counter()).items()))
        return (
            f"{what}: {self.pairs} pairs ({self.overlapping} overlapping), {self.wins} wins, "
            f"{self.conflicts} conflicts (409), {self.seconds:.1f} s ({kinds})"
        )


@dataclass(frozen=True)
class Crashed:
    """What a request that raised out of the app is recorded as."""

    text: str
    status_int: int = 500


def _client(app: Any, user_email: str) -> TestApp:
    """A browser of its own (cookies, session, CSRF token), signed in."""
    client = TestApp(app, extra_environ={"REMOTE_ADDR": "192.0.2.20"})
    form = client.get("/account/login").forms["login-form"]
    form["email"], form["password"] = user_email, TEST_PASSWORD
    form.submit(status=303)
    return client


def _token(client: TestApp) -> str:
    return str(client.get("/account/").forms["profile-form"]["csrf_token"].value)


def fire_pair(
    pool: ThreadPoolExecutor, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Any, Any, bool]:
    """Run both callables so that their requests leave together. Returns both results
    and whether the two requests were in flight at the same time."""
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    def run(call: Callable[[], Any]) -> tuple[Any, float, float]:
        barrier.wait()
        started = time.perf_counter()
        try:
            result = call()
        except Exception as exc:  # an app crash is recorded as the pair's 500
            result = Crashed(text=f"{type(exc).__name__}: {exc}"[:300])
        return result, started, time.perf_counter()

    a, b = pool.submit(run, first), pool.submit(run, second)
    (ra, start_a, end_a), (rb, start_b, end_b) = a.result(timeout=60), b.result(timeout=60)
    return ra, rb, start_a < end_b and start_b < end_a


def _hidden(page: str, name: str) -> str | None:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


# --- world -----------------------------------------------------------------------------


@dataclass
class World:
    conference_ids: list[int]
    user_ids: list[int]
    emails: dict[str, str]
    submission_id: int
    assignment_id: int


@pytest.fixture
def world(app, committing_factory) -> Iterator[World]:
    with committing_factory.begin() as s:
        open_call = make_conference(s, phase="submission")
        reviewing = make_conference(s, phase="review")
        author, co_author, reviewer = make_user(s), make_user(s), make_user(s)
        add_role(s, author, open_call, Role.author)
        add_role(s, co_author, open_call, Role.author)
        add_role(s, reviewer, reviewing, Role.reviewer)
        # A draft: saving a submitted poster mails a receipt each time.
        poster = make_submission(s, open_call, authors=[author, co_author], title="Base title")
        reviewed = make_submission(
            s, reviewing, authors=[make_user(s)], state="submitted", submitted_at=now()
        )
        assignment = add_assignment(
            s,
            conference=reviewing,
            submission=reviewed,
            reviewer_id=reviewer.id,
            round_=ReviewRound.review,
            by=None,
            now=now(),
        )
        created = World(
            conference_ids=[open_call.id, reviewing.id],
            user_ids=[author.id, co_author.id, reviewer.id, reviewed.authors[0].user_id or 0],
            emails={
                "author": author.email,
                "co_author": co_author.email,
                "reviewer": reviewer.email,
            },
            submission_id=poster.id,
            assignment_id=assignment.id,
        )
    try:
        yield created
    finally:
        with committing_factory.begin() as s:
            s.execute(
                delete(OutboxMessage).where(OutboxMessage.conference_id.in_(created.conference_ids))
            )
            for conference_id in created.conference_ids:
                s.delete(s.get_one(Conference, conference_id))
            for user_id in created.user_ids:
                s.delete(s.get_one(User, user_id))


# --- reviews ---------------------------------------------------------------------------

SCORES = {"relevance": 4, "originality": 3, "clarity": 5, "design": 4}


def _review_state(committing_factory: Any, assignment_id: int) -> tuple[int, str]:
    with committing_factory() as s:
        review = s.scalars(
            select(Review).where(Review.assignment_id == assignment_id)
        ).one_or_none()
        if review is None:
            return 0, ""
        return review.revision, str(review.texts.get("comments_authors", ""))


def _autosave(client: TestApp, token: str, assignment_id: int, base: int, text: str) -> Any:
    def call() -> Any:
        return client.post_json(
            f"/reviews/{assignment_id}/autosave",
            {"revision": base, "scores": SCORES, "texts": {"comments_authors": text}},
            headers={"X-CSRF-Token": token},
            expect_errors=True,
        )

    return call


def _form_save(client: TestApp, token: str, assignment_id: int, base: int, text: str) -> Any:
    def call() -> Any:
        fields = {f"score-{k}": str(v) for k, v in SCORES.items()}
        fields |= {
            "csrf_token": token,
            "revision": str(base),
            "text-comments_authors": text,
            "action": "save",
        }
        return client.post(f"/reviews/{assignment_id}/", fields, expect_errors=True)

    return call


def _review_loser_ok(response: Any, kind: str, base: int, mine: str, winner: str) -> list[str]:
    """What a 409 must carry: a sentence, the stored version, and what was typed."""
    problems = []
    if kind == "json":
        body = response.json
        if "changed elsewhere" not in body.get("error", ""):
            problems.append(f"no message: {body}")
        server = body.get("server") or {}
        if server.get("revision") != base + 1:
            problems.append(f"409 without the stored version: {body}")
        elif server.get("texts", {}).get("comments_authors") != winner:
            problems.append(f"409 with another version than the winner's: {body}")
    else:
        page = response.text
        if "This review changed elsewhere" not in page:
            problems.append("no message on the 409 page")
        if _hidden(page, "revision") != str(base + 1):
            problems.append(f"409 page offers revision {_hidden(page, 'revision')}")
        if mine not in page:
            problems.append("409 page lost the typed text")
    return problems


def test_concurrent_review_saves_one_wins_one_is_told(app, committing_factory, world):
    # The same reviewer on two devices: a form in one, autosave in the other.
    clients = [_client(app, world.emails["reviewer"]) for _ in range(2)]
    tokens = [_token(c) for c in clients]
    kinds = [("json", "json"), ("form", "form"), ("json", "form")]
    makers = {"json": _autosave, "form": _form_save}
    success = {"json": 200, "form": 303}
    figures = Figures(by_kind=Counter())
    problems: list[str] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for i in range(PAIRS):
            base, _ = _review_state(committing_factory, world.assignment_id)
            pair_kinds = kinds[i % len(kinds)]
            texts = [f"pair {i} device {d}" for d in (0, 1)]
            calls = [
                makers[k](clients[d], tokens[d], world.assignment_id, base, texts[d])
                for d, k in enumerate(pair_kinds)
            ]
            *responses, overlapped = fire_pair(pool, calls[0], calls[1])
            figures.pairs += 1
            figures.overlapping += overlapped
            won = [d for d in (0, 1) if responses[d].status_int == success[pair_kinds[d]]]
            lost = [d for d in (0, 1) if responses[d].status_int == 409]
            if len(won) != 1 or len(lost) != 1:
                statuses = [r.status_int for r in responses]
                crashes = [r.text for r in responses if isinstance(r, Crashed)]
                problems.append(f"pair {i} {pair_kinds}: statuses {statuses} {crashes}")
                continue
            figures.wins += 1
            figures.conflicts += 1
            figures.by_kind[f"{pair_kinds[won[0]]} won"] += 1  # type: ignore[index]
            winner, loser = won[0], lost[0]
            problems += [
                f"pair {i} {pair_kinds}: {p}"
                for p in _review_loser_ok(
                    responses[loser], pair_kinds[loser], base, texts[loser], texts[winner]
                )
            ]
            revision, stored = _review_state(committing_factory, world.assignment_id)
            if (revision, stored) != (base + 1, texts[winner]):
                problems.append(
                    f"pair {i}: stored {(revision, stored)}, winner {(base + 1, texts[winner])}"
                )
    figures.seconds = time.perf_counter() - started
    print("\n" + figures.line("reviews"))
    assert problems == [], "\n".join(problems[:20])
    assert (figures.pairs, figures.wins, figures.conflicts) == (PAIRS, PAIRS, PAIRS)
    assert figures.overlapping >= PAIRS // 2, "the pairs were not concurrent"


# --- submissions -----------------------------------------------------------------------


def _submission_state(committing_factory: Any, submission_id: int) -> tuple[int, str]:
    with committing_factory() as s:
        submission = s.get_one(Submission, submission_id)
        return submission.version, submission.title


def _edit_fields(client: TestApp, submission_id: int) -> list[tuple[str, str]]:
    """The edit form as the browser would send it (authors, licence, token…)."""
    form = client.get(f"/submissions/{submission_id}/edit").forms["submission-form"]
    return [(k, v) for k, v in form.submit_fields() if k not in ("title", "version", "action")]


def _edit(
    client: TestApp, fields: list[tuple[str, str]], submission_id: int, base: int, title: str
) -> Any:
    def call() -> Any:
        data = [*fields, ("title", title), ("version", str(base)), ("action", "save")]
        return client.post(f"/submissions/{submission_id}/edit", data, expect_errors=True)

    return call


def test_concurrent_submission_edits_one_wins_one_is_told(app, committing_factory, world):
    # Two co-authors editing the same poster, each in their own browser.
    clients = [_client(app, world.emails[who]) for who in ("author", "co_author")]
    fields = [_edit_fields(c, world.submission_id) for c in clients]
    figures = Figures(by_kind=Counter())
    problems: list[str] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for i in range(PAIRS):
            base, _ = _submission_state(committing_factory, world.submission_id)
            titles = [f"Pair {i} title by {who}" for who in ("author", "co-author")]
            calls = [
                _edit(clients[d], fields[d], world.submission_id, base, titles[d]) for d in (0, 1)
            ]
            *responses, overlapped = fire_pair(pool, calls[0], calls[1])
            figures.pairs += 1
            figures.overlapping += overlapped
            statuses = [r.status_int for r in responses]
            if sorted(statuses) != [303, 409]:
                crashes = [r.text for r in responses if isinstance(r, Crashed)]
                problems.append(f"pair {i}: statuses {statuses} {crashes}")
                continue
            figures.wins += 1
            figures.conflicts += 1
            winner, loser = statuses.index(303), statuses.index(409)
            figures.by_kind[("author", "co-author")[winner] + " won"] += 1  # type: ignore[index]
            page = responses[loser].text
            if "saved this submission while you were editing" not in page:
                problems.append(f"pair {i}: the 409 page has no message")
            if _hidden(page, "version") != str(base + 1):
                problems.append(f"pair {i}: the 409 page offers version {_hidden(page, 'version')}")
            if titles[loser] not in page:
                problems.append(f"pair {i}: the 409 page lost the typed title")
            if titles[winner] not in page:
                problems.append(f"pair {i}: the 409 page does not show the stored title")
            stored = _submission_state(committing_factory, world.submission_id)
            if stored != (base + 1, titles[winner]):
                problems.append(f"pair {i}: stored {stored}, winner {(base + 1, titles[winner])}")
    figures.seconds = time.perf_counter() - started
    print("\n" + figures.line("submissions"))
    assert problems == [], "\n".join(problems[:20])
    assert (figures.pairs, figures.wins, figures.conflicts) == (PAIRS, PAIRS, PAIRS)
    assert figures.overlapping >= PAIRS // 2, "the pairs were not concurrent"
