"""Hostile input to every route that takes a POST: never a server error, always a message.

Every route with a view that accepts POST has a row in ``ENDPOINTS``; a route without
one fails ``test_every_post_route_has_a_row`` (as the permission matrix does for GET).
Hypothesis starts from a valid submission of the route's form and mutates it: random
Unicode (NUL, bidi marks, line separators, emoji), 1 MB strings, numbers out of range,
files where text is expected, and missing, duplicated and unknown fields; the JSON
endpoint also gets wrong types, deep nesting and bodies that are not JSON. Each example
is posted signed in as the persona allowed to use the route, with a valid CSRF token,
inside a savepoint that is rolled back afterwards. The response must be one of:

- a 4xx page (or JSON) that carries a message for a person;
- a 303 to a page of this site, which renders; when that page flashes an error, the
  request wrote nothing;
- a 200 page (a form shown again, a preview).

A refusal writes nothing: every table is compared before and after the request.

The mail tests at the end put line breaks and RFC 2047 encoded words into names, titles
and template subjects, and read the message the sender builds as a mail server would:
our headers only, one recipient.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pyramid.interfaces import IRoutesMapper
from sqlalchemy import select
from sqlalchemy.orm import Session
from webtest import TestApp

from poster_review.accounts.models import Role, TokenPurpose
from poster_review.accounts.services import issue_token
from poster_review.assignment import runs
from poster_review.assignment.models import ConflictSource, ConflictStatus, ReviewRound
from poster_review.assignment.services import add_assignment, ensure_profile, record_conflict
from poster_review.db import Base
from poster_review.notifications.models import OutboxState
from poster_review.notifications.services import queue_email
from tests.factories import (
    add_role,
    make_conference,
    make_poster_file,
    make_submission,
    make_track,
    make_user,
)
from tests.factories import now as utcnow

# --------------------------------------------------------------------------- values

#: Odd but valid Unicode: NUL and controls, bidi overrides and marks, line and paragraph
#: separators, a byte-order mark, combining marks, emoji, an ANSI escape, and strings
#: that mean something to a template, a shell, SQL or a mail header.
WEIRD = (
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\u200f\u200e",
    "\u2028",
    "\u2029",
    "\x85",
    "\ufeff",
    "\x1b[31mred",
    "e\u0301\u0301\u0301",
    "\U0001f600\U0001f469\u200d\U0001f4bb",
    "\r\n Bcc: x@evil.example",
    "name\r\nBcc: x@evil.example",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% for x in range(10**9) %}{% endfor %}",
    "${n}",
    "%(name)s%s%n",
    "' OR 1=1 --",
    "../../etc/passwd",
    "..\\..\\x",
    "/\\evil.example",
    "//evil.example/",
    "",
    " ",
    "\t\n",
)
NUMBERS = (
    "-1",
    "0",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1" + "0" * 30,
    "9" * 5000,
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "-0",
    "0x10",
    "\u0661\u0662",  # Arabic-Indic digits: int() accepts them
    "3.5",
    "1_000",
    " 7 ",
)
#: About 1 MB each in UTF-8.
HUGE = ("x" * 1_000_000, "\u00e9" * 500_000, "\U0001f600" * 250_000, "a\r\n" * 333_000)

_small_hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(WEIRD),
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.lists(st.sampled_from(WEIRD), min_size=2, max_size=5).map("".join),
)
#: One value in twenty is a megabyte (slow to send, parse and show again); shrinking
#: moves towards the small ones.
hostile_text = st.integers(min_value=0, max_value=19).flatmap(
    lambda n: st.sampled_from(HUGE) if n == 19 else _small_hostile
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(WEIRD),
    st.sampled_from([[], {}]),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, min_size=1, max_size=4),
    ),
    max_leaves=12,
)
#: Bodies that are not (ordinary) JSON: Python's parser accepts NaN and Infinity.
RAW_JSON = (
    b"",
    b"{",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b"\xff\xfe\x00{",
    b'{"revision": NaN, "scores": {}}',
    b'{"revision": 0, "scores": {"relevance": Infinity}, "confidence": -Infinity}',
    b'{"revision": 1e400}',
    b'{"revision": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"revision": 0, "scores": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"revision": 0, "texts": {"comments_authors": "' + b"x" * 1_000_000 + b'"}}',
)


def pool_csv() -> Any:
    """A reviewer-pool CSV with every column, hostile cells and mostly valid addresses."""
    cell = st.one_of(_small_hostile, st.sampled_from(["en;fr", "GB", "0000-0002-1825-0097"]))
    email = st.one_of(st.sampled_from(["p1@example.org", "p2@example.org"]), _small_hostile)
    row = st.tuples(cell, email, cell, cell, cell, cell, cell, cell)

    def as_csv(rows: list[tuple[str, ...]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(POOL_COLUMNS)
        writer.writerows(rows)
        return out.getvalue()

    return st.lists(row, min_size=1, max_size=4).map(as_csv)


POOL_COLUMNS = (
    "name",
    "email",
    "affiliations",
    "country",
    "topics",
    "languages",
    "max_load",
    "orcid",
)


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    conference: Any
    people: dict[str, Any]
    ids: dict[str, str]


def build_world(dbsession: Session, app_settings: Any, phase: str) -> World:
    """One conference with every persona and one of everything a form can point at."""
    now = utcnow()
    day = dt.timedelta(days=1)
    conference = make_conference(dbsession, phase=phase, bidding_open_at=now - day)
    track = make_track(dbsession, conference)
    people: dict[str, Any] = {"anonymous": None}
    for persona, role in [
        ("author", Role.author),
        ("reviewer", Role.reviewer),
        ("assigned", Role.reviewer),
        ("judge", Role.judge),
        ("chair", Role.chair),
    ]:
        people[persona] = make_user(dbsession)
        add_role(dbsession, people[persona], conference, role)
    people["member"] = make_user(dbsession)  # signed in, no role anywhere
    people["admin"] = make_user(dbsession, is_admin=True)
    unconfirmed = make_user(dbsession, confirmed=False)
    for persona in ("reviewer", "assigned"):
        ensure_profile(
            dbsession,
            conference_id=conference.id,
            user=people[persona],
            affiliations="Library of Alexandria",
            topics="repositories",
        )
    state = "draft" if phase == "submission" else "submitted"
    submission = make_submission(
        dbsession, conference, authors=[people["author"]], state=state, track_id=track.id
    )
    other = make_submission(dbsession, conference, authors=[make_user(dbsession)], state=state)
    poster = make_poster_file(dbsession, app_settings, submission)
    make_poster_file(dbsession, app_settings, other)
    assignment = add_assignment(
        dbsession,
        conference=conference,
        submission=submission,
        reviewer_id=people["assigned"].id,
        round_=ReviewRound.review,
        by=None,
        now=now,
    )
    conflict = record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=other.id,
        user_id=people["reviewer"].id,
        kind="institution",
        source=ConflictSource.detected,
        status=ConflictStatus.suspected,
        evidence="same institution",
        now=now,
    )
    message = queue_email(
        dbsession,
        event="coauthor_added",
        to_email=people["author"].email,
        to_name=people["author"].name,
        context={"conference_name": conference.name, "title": "A poster", "added_by": "Ada"},
        now=now,
        conference_id=conference.id,
    )
    message.state = OutboxState.failed
    ids = {
        "slug": conference.slug,
        "submission_id": str(submission.id),
        "other_id": str(other.id),
        "assignment_id": str(assignment.id),
        "file_id": str(poster.id),
        "number": str(submission.number),
        "track_id": str(track.id),
        "conflict_id": str(conflict.id),
        "message_id": str(message.id),
        "reviewer_id": str(people["reviewer"].id),
        "judge_id": str(people["judge"].id),
        "size": "small",
        "fmt": "csv",
        "event": "review_reminder",
        "locale": "en",
        "round": "review",
        "subpath": "app.css",
        "run_id": "999999",
        "category_id": "999999",
    }
    if phase == "review":
        run = runs.run_solver(
            dbsession,
            conference,
            settings=runs.RunSettings(reviews_per_poster=1),
            by=people["chair"],
            now=now,
        )
        ids["run_id"] = str(run.id)
    ids["category_id"] = _award_category(dbsession, conference, people["chair"], now)
    ids["session_id"] = _poster_session(dbsession, conference, now)
    tokens = {
        "reset": issue_token(
            dbsession,
            app_settings,
            purpose=TokenPurpose.reset_password,
            now=now,
            user=people["member"],
        ),
        "confirm": issue_token(
            dbsession, app_settings, purpose=TokenPurpose.confirm_email, now=now, user=unconfirmed
        ),
        "change_email": issue_token(
            dbsession,
            app_settings,
            purpose=TokenPurpose.change_email,
            now=now,
            user=people["member"],
            email="renamed@example.org",
        ),
        "invitation": issue_token(
            dbsession,
            app_settings,
            purpose=TokenPurpose.invitation,
            now=now,
            email="invited@example.org",
            conference_id=conference.id,
            role=Role.reviewer.value,
        ),
        "magic": issue_token(
            dbsession,
            app_settings,
            purpose=TokenPurpose.magic_link,
            now=now,
            user=people["judge"],
            conference_id=conference.id,
        ),
    }
    ids.update({f"token:{k}": v for k, v in tokens.items()})
    dbsession.flush()
    return World(conference, people, ids)


def _award_category(dbsession: Session, conference: Any, chair: Any, now: dt.datetime) -> str:
    from poster_review.awards import categories

    category = categories.save_category(
        dbsession,
        conference=conference,
        data=categories.CategoryInput(name="Best poster"),
        actor=chair,
        now=now,
    )
    return str(category.id)


def _poster_session(dbsession: Session, conference: Any, now: dt.datetime) -> str:
    from poster_review.onsite import services as onsite

    start = now + dt.timedelta(days=1)
    session = onsite.create_session(
        dbsession,
        conference=conference,
        name="Posters",
        hall="Hall A",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        now=now,
    )
    return str(session.id)


# --------------------------------------------------------------------------- the table

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Endpoint:
    """How to reach one route with a POST.

    ``base`` is a valid submission (pairs, with ``{id}`` placeholders from the world);
    ``form`` names a form on the route's GET page whose fields are added to it.
    ``kind`` is "form", "json", "upload" or "ignored" (the view answers a POST like a
    GET, or acts without reading the body). ``dynamic`` are field names with ``{n}``
    for an id (``outcome-{n}``). ``refusal_writes`` lists tables a refused request may
    still write, with the reason in a comment at the row.
    """

    persona: str
    phase: str = "submission"
    kind: str = "form"
    base: Sequence[tuple[str, str]] = ()
    form: str | None = None
    token: str | None = None
    dynamic: Sequence[str] = ()
    refusal_writes: frozenset[str] = frozenset()
    examples: int = 25
    #: Field -> a strategy for values shaped like the field's (a CSV file), mixed in
    #: with the hostile ones.
    values: Mapping[str, Any] = field(default_factory=dict)


def ignored(persona: str, phase: str = "submission", token: str | None = None) -> Endpoint:
    return Endpoint(persona, phase, kind="ignored", token=token, examples=5)


AUTHOR_ROW = [
    ("authors-0-name", "Ada Lovelace"),
    ("authors-0-email", "ada@example.org"),
    ("authors-0-affiliations", "Analytical Engines Ltd"),
    ("authors-0-country", "GB"),
    ("authors-0-orcid", "0000-0002-1825-0097"),
    ("authors-0-presenting", "1"),
    ("authors-0-corresponding", "1"),
    ("authors-1-name", "Charles Babbage"),
    ("authors-1-email", "charles@example.org"),
    ("authors-1-affiliations", "Difference Engines"),
    ("authors-1-order", "0.5"),
]
SUBMISSION_FIELDS = [
    ("title", "Open repositories in Central Asia"),
    ("abstract", "We mapped 120 repositories."),
    ("keywords", "repositories"),
    ("declared_conflicts", "someone@example.org"),
    ("track_id", "{track_id}"),
    ("language", "en"),
    *AUTHOR_ROW,
]
CATEGORY_FIELDS = [
    ("name", "Best poster"),
    ("description", "For the best poster."),
    ("places", "3"),
    ("shortlist_size", "10"),
    ("tolerance", "0.5"),
    ("tie_break_0", "criterion:relevance"),
    ("tie_break_1", "casting"),
    ("track_ids", "{track_id}"),
    ("student_presenter", "1"),
]

ENDPOINTS: dict[str, Endpoint] = {
    "home": ignored("anonymous"),
    "health": ignored("anonymous"),
    "service_worker": ignored("anonymous"),
    "__static/": ignored("anonymous"),
    # A wrong password is recorded although the answer is 400: throttling needs it.
    "accounts.login": Endpoint(
        "anonymous",
        base=[("email", "nobody@example.org"), ("password", "not the password"), ("next", "/")],
        refusal_writes=frozenset({"login_failures"}),
    ),
    "accounts.logout": ignored("member"),
    "accounts.register": Endpoint(
        "anonymous",
        base=[
            ("name", "Grace Hopper"),
            ("name_latin", "Grace Hopper"),
            ("email", "grace@example.org"),
            ("password", "a long passphrase 7"),
            ("password2", "a long passphrase 7"),
        ],
    ),
    "accounts.confirm": ignored("anonymous", token="confirm"),
    "accounts.reset_request": Endpoint(
        "anonymous", base=[("email", "nobody@example.org"), ("purpose", "confirm")]
    ),
    "accounts.reset": Endpoint(
        "anonymous",
        token="reset",
        base=[("password", "a long passphrase 7"), ("password2", "a long passphrase 7")],
    ),
    "accounts.settings": Endpoint(
        "member",
        base=[
            ("action", "profile"),
            ("name", "Ada"),
            ("name_latin", ""),
            ("locale", "en"),
            ("current_password", "not the password"),
            ("new_password", "a long passphrase 7"),
            ("password2", "a long passphrase 7"),
            ("new_email", "ada.new@example.org"),
        ],
    ),
    "accounts.email_confirm": ignored("member", token="change_email"),
    "accounts.invitation": Endpoint(
        "anonymous",
        token="invitation",
        base=[("name", "Invited Person"), ("password", "a long passphrase 7")],
    ),
    "accounts.dashboard": ignored("member"),
    "accounts.locale": Endpoint("member", base=[("locale", "fr"), ("next", "/dashboard")]),
    "conferences.new": Endpoint(
        "admin", base=[("name", "New congress"), ("slug", "new-congress"), ("timezone", "UTC")]
    ),
    "conferences.detail": ignored("anonymous"),
    "conferences.settings": Endpoint("chair", form="settings-form", dynamic=["languages"]),
    "conferences.tracks": Endpoint(
        "chair",
        base=[
            ("action", "add"),
            ("name", "Open science"),
            ("description", "Papers on open science"),
            ("track_id", "{track_id}"),
        ],
    ),
    "conferences.members": Endpoint(
        "chair", base=[("email", "new.reviewer@example.org"), ("name", "Rev"), ("role", "reviewer")]
    ),
    "submissions.new": Endpoint(
        "author", base=SUBMISSION_FIELDS, dynamic=["authors-{n}-name", "authors-{n}-email"]
    ),
    "submissions.mine": ignored("author"),
    "submissions.list": ignored("chair"),
    "submissions.detail": ignored("author"),
    "submissions.edit": Endpoint(
        "author",
        form="submission-form",
        base=[("authors-1-name", "Charles Babbage"), ("authors-1-email", "charles@example.org")],
        dynamic=["authors-{n}-name", "authors-{n}-email", "authors-{n}-order"],
    ),
    "submissions.upload": Endpoint("author", kind="upload"),
    "submissions.submit": ignored("author"),
    "submissions.withdraw": Endpoint(
        "author", base=[("confirm", "yes"), ("reason", "The results were not ready.")]
    ),
    "submissions.reopen": Endpoint("chair", phase="review", base=[("until", "2099-01-01T12:00")]),
    "submissions.receipt": ignored("author"),
    "submissions.status": ignored("author"),
    "submissions.file": ignored("author"),
    "submissions.thumbnail": ignored("author"),
    # The first POST creates the (empty) draft review and the rubric version it uses
    # before the form is read; a refused request is an error response, so its
    # transaction is never committed.
    "reviews.edit": Endpoint(
        "assigned",
        phase="review",
        form="review-form",
        base=[("action", "save"), ("score-relevance", "4"), ("confidence", "3")],
        refusal_writes=frozenset({"reviews", "rubric_versions"}),
    ),
    "reviews.autosave": Endpoint(
        "assigned",
        phase="review",
        kind="json",
        refusal_writes=frozenset({"reviews", "rubric_versions"}),
    ),
    "reviews.state": ignored("assigned", "review"),
    "reviews.conflict": Endpoint("assigned", phase="review", base=[("reason", "My student.")]),
    "reviews.mine": ignored("assigned", "review"),
    "reviews.rubric": Endpoint(
        "chair",
        form="rubric-form",
        base=[
            ("criteria-9-key", "impact"),
            ("criteria-9-name", "Impact"),
            ("criteria-9-weight", "2"),
            ("criteria-9-scale_min", "0"),
            ("criteria-9-scale_max", "10"),
            ("criteria-9-levels", "0: none\n10: huge"),
            ("fields-5-key", "notes"),
            ("fields-5-visibility", "authors"),
        ],
        dynamic=["criteria-{n}-key", "criteria-{n}-scale_max", "fields-{n}-key"],
        # Like the first review: the first POST stores the default rubric as version 1
        # before reading the form; the refusal's error response is never committed.
        refusal_writes=frozenset({"rubric_versions"}),
    ),
    "onsite.judges": Endpoint("chair", base=[("user_id", "{judge_id}"), ("action", "qr")]),
    "onsite.labels": ignored("chair"),
    "onsite.board": ignored("assigned", "review"),
    "onsite.magic": ignored("anonymous", token="magic"),
    "onsite.sessions": Endpoint(
        "chair",
        base=[
            ("name", "Afternoon posters"),
            ("hall", "Hall A"),
            ("date", "2026-06-12"),
            ("start", "14:00"),
            ("end", "15:30"),
            ("slots", "2"),
            ("track_ids", "{track_id}"),
        ],
    ),
    "onsite.boards": Endpoint(
        "chair", base=[("action", "grid"), ("hall", "Hall A"), ("rows", "2"), ("per_row", "5")]
    ),
    "onsite.session": Endpoint(
        "chair", base=[("action", "move"), ("submission_id", "{submission_id}"), ("board", "2")]
    ),
    "onsite.schedule": Endpoint(
        "chair", base=[("action", "availability"), ("avail-{judge_id}-1", "1")]
    ),
    "onsite.live": Endpoint(
        "chair", base=[("submission_id", "{submission_id}"), ("judge_id", "{judge_id}")]
    ),
    "onsite.availability": Endpoint("judge", base=[("slot-1", "1")]),
    "onsite.presence": Endpoint("author", base=[("attending", "yes")]),
    "awards.decisions": Endpoint(
        "chair",
        phase="review",
        base=[("action", "save"), ("outcome-{submission_id}", "accept")],
        dynamic=["outcome-{n}"],
    ),
    "awards.gallery": ignored("anonymous"),
    "awards.manage": Endpoint("chair", base=CATEGORY_FIELDS),
    "awards.category": Endpoint(
        "chair", base=[("action", "save"), ("version", "1"), *CATEGORY_FIELDS]
    ),
    "awards.audit": ignored("chair"),
    "awards.public": ignored("anonymous"),
    "awards.export": ignored("anonymous"),
    "ranking.page": ignored("chair", "review"),
    "ranking.export": ignored("chair", "review"),
    "assignment.overview": Endpoint(
        "chair",
        phase="review",
        base=[
            ("action", "add"),
            ("k", "1"),
            ("min_load", "0"),
            ("max_load", "6"),
            ("w_bid", "40"),
            ("w_topic", "30"),
            ("w_text", "30"),
            ("number", "{number}"),
            ("reviewer_id", "{reviewer_id}"),
            ("assignment_id", "{assignment_id}"),
        ],
    ),
    "assignment.run": Endpoint("chair", phase="review", base=[("action", "apply")]),
    "assignment.conflicts": Endpoint(
        "chair",
        base=[
            ("action", "add"),
            ("user_id", "{reviewer_id}"),
            ("number", "{number}"),
            ("reason", "Same lab"),
            ("conflict_id", "{conflict_id}"),
        ],
    ),
    "assignment.pool": Endpoint(
        "chair",
        base=[
            ("action", "import"),
            ("csv_text", "email,name,affiliations\nnew.person@example.org,New Person,Lab\n"),
        ],
        values={"csv_text": pool_csv()},
    ),
    "assignment.profile": Endpoint(
        "reviewer",
        base=[
            ("affiliations", "Library of Alexandria"),
            ("topics", "repositories\nmetadata"),
            ("languages", "en fr"),
            ("max_load", "4"),
            ("coauthor_emails", "friend@example.org"),
            ("available", "1"),
            ("action", "save"),
        ],
    ),
    "assignment.bids": Endpoint(
        "reviewer",
        base=[("bid-{submission_id}", "eager"), ("bid-{other_id}", "conflict")],
        dynamic=["bid-{n}"],
    ),
    "mail.index": ignored("chair"),
    "mail.template": Endpoint(
        "chair",
        form="template-form",
        base=[("action", "preview")],
    ),
    "mail.send": Endpoint("chair", phase="review", form="send-form", base=[("action", "send")]),
    "mail.outbox": Endpoint("chair", base=[("message_id", "{message_id}")]),
}


# --------------------------------------------------------------------------- helpers


def _routes(app: Any) -> dict[str, str]:
    mapper = app.registry.getUtility(IRoutesMapper)
    return {route.name: route.pattern for route in mapper.get_routes()}


def post_routes(app: Any) -> set[str]:
    """Routes with at least one view that answers a POST (no method predicate, or POST)."""
    found = set()
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        methods = view["request_methods"]
        if view["route_name"] and (methods is None or "POST" in methods):
            found.add(view["route_name"])
    return found


def fill(template: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        template = template.replace("{" + key + "}", value)
    return template


def url_for(pattern: str, endpoint: Endpoint, ids: dict[str, str]) -> str:
    url = re.sub(r"{(\w+):[^}]*}", r"{\1}", pattern)  # {file_id:\d+} -> {file_id}
    if endpoint.token is not None:
        url = url.replace("{token}", ids[f"token:{endpoint.token}"])
    url = fill(url.replace("*subpath", "{subpath}"), ids)
    return url if url.startswith("/") else "/" + url


def csrf_token(testapp: TestApp) -> str:
    page = testapp.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "every page carries a CSRF token in its language form"
    return match.group(1)


BOUNDARY = "hostile-input-boundary-7d3f"


def multipart(params: Pairs, files: Sequence[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    """A multipart body as a browser sends it: names and file names raw in UTF-8."""
    out = bytearray()
    for name, value in params:
        out += b"--%s\r\n" % BOUNDARY.encode()
        out += b'Content-Disposition: form-data; name="%s"\r\n\r\n' % name.encode()
        out += value.encode() + b"\r\n"
    for name, filename, data in files:
        out += b"--%s\r\n" % BOUNDARY.encode()
        out += b'Content-Disposition: form-data; name="%s"; filename="%s"\r\n' % (
            name.encode(),
            filename.encode(),
        )
        out += b"Content-Type: application/pdf\r\n\r\n" + data + b"\r\n"
    out += b"--%s--\r\n" % BOUNDARY.encode()
    return f"multipart/form-data; boundary={BOUNDARY}", bytes(out)


def snapshot(dbsession: Session) -> dict[str, list[str]]:
    """Every row of every table, as text (the world is small)."""
    return {
        table.name: sorted(repr(tuple(row)) for row in dbsession.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


_ALERT = re.compile(
    r'<(\w+)[^>]*(?:role="alert"|class="error[^"]*")[^>]*>(.*?)</\1>', re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"<[^>]+>")


def message_of(response: Any) -> str:
    """The message a person sees on a refusal: an alert, a field error, JSON error text,
    or the heading and text of the 403/404 page."""
    if response.content_type == "application/json":
        data = response.json
        if not isinstance(data, dict):
            return ""
        parts = [data.get("error")]
        errors = data.get("errors")
        if isinstance(errors, dict):
            parts.extend(errors.values())
        return " ".join(p for p in parts if isinstance(p, str)).strip()
    body = response.text
    alerts = [_TAG.sub("", inner).strip() for _tag, inner in _ALERT.findall(body)]
    found = " ".join(a for a in alerts if a)
    if not found and response.status_int in (403, 404, 405):
        main = re.search(r"<main[^>]*>(.*?)</main>", body, re.DOTALL)
        found = _TAG.sub("", main.group(1)).strip() if main else ""
    return found


def error_flash(page: Any) -> str | None:
    match = re.search(r'<p class="flash info" role="status">(.*?)</p>', page.text, re.DOTALL)
    return match.group(1) if match else None


@dataclass
class Posted:
    """What was sent, for the failure message."""

    params: Pairs = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    body: bytes | None = None

    def describe(self) -> str:
        def short(value: object) -> str:
            text = repr(value)
            return text if len(text) < 120 else text[:100] + f"... ({len(text)} chars)"

        params = [(k, short(v)) for k, v in self.params]
        files = [(k, short(n), len(d)) for k, n, d in self.files]
        body = short(self.body) if self.body is not None else None
        return f"params={params} files={files} body={body}"


# --------------------------------------------------------------------------- mutations

Op = tuple[str, str, Any]


def ops_for(
    fields: Sequence[str],
    dynamic: Sequence[str],
    ids: dict[str, str],
    values: Mapping[str, Any] | None = None,
) -> Any:
    """One to four mutations of a form: set, drop, send twice, send a file, add a field."""
    numbers = st.one_of(
        st.sampled_from(
            [ids["submission_id"], ids["other_id"], ids["track_id"], "0", "-1", "10" * 12]
        ),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
    )
    extra_key = st.one_of(
        st.text(min_size=1, max_size=30).filter(lambda k: k != "csrf_token"),
        st.tuples(st.sampled_from(list(dynamic) or ["x-{n}"]), numbers).map(
            lambda pair: pair[0].replace("{n}", pair[1])
        ),
    )
    name = st.sampled_from(list(fields) or ["x"])
    shaped = values or {}

    def value_for(key: str) -> Any:
        return st.one_of(hostile_text, shaped[key]) if key in shaped else hostile_text

    op = st.one_of(
        name.flatmap(lambda key: st.tuples(st.just("set"), st.just(key), value_for(key))),
        st.tuples(st.just("drop"), name, st.none()),
        name.flatmap(lambda key: st.tuples(st.just("twice"), st.just(key), value_for(key))),
        st.tuples(st.just("file"), name, st.binary(max_size=64)),
        st.tuples(st.just("extra"), extra_key, hostile_text),
    )
    return st.lists(op, min_size=1, max_size=4)


def apply_ops(base: Pairs, ops: Sequence[Op]) -> tuple[Pairs, list[tuple[str, str, bytes]]]:
    params = list(base)
    files: list[tuple[str, str, bytes]] = []
    for kind, key, value in ops:
        if kind in ("set", "drop", "file"):
            params = [(k, v) for k, v in params if k != key]
            files = [f for f in files if f[0] != key]
        if kind in ("set", "twice", "extra"):
            params.append((key, value))
        elif kind == "file":
            files.append((key, "value.txt", value))
    return params, files


# --------------------------------------------------------------------------- the checks


class Client:
    """Posts as one signed-in persona; every post runs in a savepoint rolled back after."""

    def __init__(
        self, testapp: TestApp, dbsession: Session, url: str, endpoint: Endpoint, token: str
    ) -> None:
        self.testapp, self.dbsession, self.url = testapp, dbsession, url
        self.endpoint, self.token = endpoint, token

    def send(self, posted: Posted) -> Any:
        if posted.body is not None:
            return self.testapp.post(
                self.url,
                posted.body,
                content_type="application/json",
                headers={"X-CSRF-Token": self.token},
                expect_errors=True,
            )
        params = [*posted.params, ("csrf_token", self.token)]
        if posted.files:
            content_type, body = multipart(params, posted.files)
            # As a header: WebTest would re-encode a body given with ``content_type``.
            return self.testapp.post(
                self.url, body, headers={"Content-Type": content_type}, expect_errors=True
            )
        return self.testapp.post(self.url, params, expect_errors=True)

    def check(self, posted: Posted, route: str) -> None:
        cookies = list(self.testapp.cookiejar)
        savepoint = self.dbsession.begin_nested()

        def roll_back_the_request() -> None:
            # In production the request's transaction is the outermost one; here it is
            # the savepoint, so a view's rollback (after a stale write) ends only that.
            if savepoint.is_active:
                savepoint.rollback()

        self.dbsession.rollback = roll_back_the_request  # type: ignore[method-assign]
        try:
            before = snapshot(self.dbsession)
            response = self.send(posted)
            after = snapshot(self.dbsession)
            self._judge(route, posted, response, changed_tables(before, after))
        finally:
            del self.dbsession.rollback
            if savepoint.is_active:
                savepoint.rollback()
            # SQLite hands out the rolled-back ids again: forget every loaded object, so
            # that an object from this example never meets a new row with its id.
            self.dbsession.expunge_all()
            self.testapp.cookiejar.clear()
            for cookie in cookies:
                self.testapp.cookiejar.set_cookie(cookie)

    def _judge(self, route: str, posted: Posted, response: Any, changed: set[str]) -> None:
        status = response.status_int
        sent = posted.describe()
        assert status < 500, f"{route}: {status} for {sent}"
        allowed = self.endpoint.refusal_writes
        if status >= 400:
            assert message_of(response), f"{route}: {status} without a message for {sent}"
            assert changed <= allowed, f"{route}: refused ({status}) but wrote {changed}: {sent}"
            return
        if status in (301, 302, 303):
            location = response.headers["Location"]
            parts = urlsplit(location)
            assert parts.netloc in ("", "localhost"), f"{route}: redirect off-site to {location!r}"
            page = self.testapp.get(location, expect_errors=True)
            assert page.status_int < 500, f"{route}: the page after {sent} fails: {location}"
            if page.content_type == "text/html" and error_flash(page):
                assert changed <= allowed, f"{route}: flashed an error but wrote {changed}: {sent}"
            return
        assert status == 200, f"{route}: unexpected {status} for {sent}"
        if self.endpoint.kind == "ignored" or route in READ_ONLY_200:
            assert changed <= allowed, f"{route}: a page shown again wrote {changed}: {sent}"


#: Routes whose 200 answer to a POST never stores anything (previews, forms shown again).
READ_ONLY_200 = frozenset(
    {
        "submissions.new",
        "submissions.edit",
        "assignment.pool",
        "mail.template",
        "reviews.rubric",
        "assignment.overview",
    }
)


def _base(
    endpoint: Endpoint, testapp: TestApp, url: str, ids: dict[str, str]
) -> tuple[Pairs, list[str]]:
    pairs: Pairs = []
    if endpoint.form is not None:
        form = testapp.get(url).forms[endpoint.form]
        pairs = [(k, v) for k, v in form.submit_fields() if k != "csrf_token"]
    extra = [(fill(k, ids), fill(v, ids)) for k, v in endpoint.base]
    keys = {k for k, _v in extra}
    pairs = [(k, v) for k, v in pairs if k not in keys] + extra
    return pairs, sorted({k for k, _v in pairs})


# --------------------------------------------------------------------------- the tests


def test_savepoint_rolled_back_after_mail_was_queued_is_harmless(dbsession):
    """Found here first: the rollback listener of after_commit_once took one argument
    where SQLAlchemy passes two, so rolling back a savepoint raised TypeError."""
    from poster_review.db import after_commit_once

    calls: list[int] = []
    savepoint = dbsession.begin_nested()
    after_commit_once(dbsession, "probe", lambda: calls.append(1))
    savepoint.rollback()
    assert dbsession.info.get("probe") is True  # the transaction itself may still commit
    assert calls == []


def test_every_post_route_has_a_row(app):
    missing = sorted(post_routes(app) - set(ENDPOINTS))
    assert missing == [], f"routes that take a POST without a hostile-input row: {missing}"
    stale = sorted(set(ENDPOINTS) - set(_routes(app)))
    assert stale == [], f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(ENDPOINTS))
def test_hostile_posts_are_refused_cleanly(route, app, testapp, dbsession, login, settings):
    endpoint = ENDPOINTS[route]
    world = build_world(dbsession, settings, endpoint.phase)
    persona = world.people[endpoint.persona]
    testapp.reset()
    if persona is not None:
        login(persona)
    url = url_for(_routes(app)[route], endpoint, world.ids)
    client = Client(testapp, dbsession, url, endpoint, csrf_token(testapp))
    strategy, always = _strategy(endpoint, testapp, url, world.ids)

    @settings_for(endpoint)
    @given(posted=strategy)
    def run(posted: Posted) -> None:
        client.check(posted, route)

    for posted in always:
        run = example(posted=posted)(run)
    run()


def settings_for(endpoint: Endpoint) -> Callable[[Any], Any]:
    return hypothesis_settings(
        max_examples=endpoint.examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def _strategy(
    endpoint: Endpoint, testapp: TestApp, url: str, ids: dict[str, str]
) -> tuple[Any, list[Posted]]:
    """The random posts, and the ones always tried (whole classes of mistakes at once)."""
    if endpoint.kind == "json":
        return json_bodies(), [Posted(body=raw) for raw in RAW_JSON[7:12]]
    if endpoint.kind == "upload":
        return upload_bodies(), [
            Posted(params=[("pdf", "not a file")]),
            Posted(files=[("pdf", "a\x00.pdf", b"%PDF-"), ("pdf", "..", b"")]),
        ]
    base, fields = _base(endpoint, testapp, url, ids)
    ops = ops_for(fields, endpoint.dynamic, ids, endpoint.values)
    always = [
        # a file for every field (code that expects text gets a FieldStorage)
        Posted(files=[(k, "value.txt", b"1") for k in fields]),
        # a digit to str.isdigit() that int() refuses, in every field
        Posted(params=[(k, "\u00b2") for k in fields]),
        # NUL (which PostgreSQL cannot store) at the end of every value
        Posted(params=[(k, v + "\x00") for k, v in base]),
        # every field twice, the second time an id beyond any integer column
        Posted(params=[*base, *((k, "9" * 30) for k in fields)]),
    ]
    if "version" in fields:  # a form loaded before someone else saved
        always.append(Posted(params=[*base, ("version", "7")]))
    if endpoint.dynamic:  # an id in a field name beyond any integer column: bid-99999999999
        values = {k.split("-")[0]: v for k, v in base}
        always.append(
            Posted(
                params=[
                    *base,
                    *(
                        (name.replace("{n}", "99999999999"), values.get(name.split("-")[0], "1"))
                        for name in endpoint.dynamic
                    ),
                ]
            )
        )
    return ops.map(lambda chosen: Posted(*apply_ops(base, chosen))), always


def json_bodies() -> Any:
    """Autosave bodies: a valid one mutated, any JSON value, or bytes that are not JSON."""
    base = {
        "revision": 0,
        "scores": {"relevance": 4, "originality": 3},
        "texts": {"comments_authors": "Clear poster."},
        "confidence": 3,
        "submit": False,
        "client": "web",
    }
    keys = st.sampled_from([*base, "presenter_absent"])
    op = st.one_of(
        st.tuples(st.just("set"), keys, json_value),
        st.tuples(st.just("drop"), keys, st.none()),
        st.tuples(st.just("set"), st.text(max_size=20), json_value),
    )

    def mutate(ops: list[Op]) -> Posted:
        body = dict(base)
        for kind, key, value in ops:
            if kind == "drop":
                body.pop(key, None)
            else:
                body[key] = value
        return Posted(body=json.dumps(body).encode())

    return st.one_of(
        st.lists(op, min_size=1, max_size=4).map(mutate),
        json_value.map(lambda v: Posted(body=json.dumps(v).encode())),
        st.sampled_from(RAW_JSON).map(lambda raw: Posted(body=raw)),
    )


HOSTILE_NAMES = (
    "../../etc/passwd.pdf",
    "..\\..\\x.pdf",
    "/etc/passwd",
    "C:\\Windows\\win.ini.pdf",
    "poster\x00.pdf",
    "\u202efdp.exe",
    "a" * 5000 + ".pdf",
    "..",
    ".",
    "",
    "con.pdf",
    '"quoted".pdf',
    "\U0001f600.pdf",
)


def upload_bodies() -> Any:
    """The PDF field as a file with a hostile name and content, as text, twice, or absent."""
    from tests.pdfs import poster_pdf

    contents = st.one_of(
        st.just(poster_pdf("Hostile upload")),
        st.just(b""),
        st.just(b"%PDF-"),
        st.just(b"\x89PNG\r\n\x1a\n" + bytes(64)),
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda b: b"%PDF-1.7\n" + b),
    )
    names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=80))
    as_file = st.tuples(names, contents).map(lambda nc: Posted(files=[("pdf", nc[0], nc[1])]))
    return st.one_of(
        as_file,
        st.tuples(names, contents, names, contents).map(
            lambda t: Posted(files=[("pdf", t[0], t[1]), ("pdf", t[2], t[3])])
        ),
        hostile_text.map(lambda text: Posted(params=[("pdf", text)])),
        st.just(Posted()),
    )


# --------------------------------------------------------------------------- mail headers

#: Names that try to add a recipient: line breaks of every kind, and a display name
#: that looks like a list of addresses.
INJECTED_NAMES = (
    "Eve\r\nBcc: x@evil.example",
    "Eve\nBcc: x@evil.example",
    "Eve\rBcc: x@evil.example",
    "Eve\u2028Bcc: x@evil.example",
    "Eve\x85Bcc: x@evil.example",
    '"Eve" <x@evil.example>, y@evil.example',
    "=?utf-8?q?Eve=0D=0ABcc:_x@evil.example?=",
)
#: The headers a message of ours has; anything else was injected.
OUR_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "auto-submitted",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)


def as_received(message: Any, app_settings: Any) -> Any:
    """Build ``message`` as the sender does and read it back as a mail server would:
    only our headers, one recipient, nothing at evil.example."""
    import email
    import email.policy

    from poster_review.notifications.sender import build_message

    raw = bytes(build_message(message, app_settings))
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert {name.lower() for name in received} <= OUR_HEADERS, received.keys()
    assert len(received.get_all("To") or []) == 1
    assert [a.addr_spec for a in received["To"].addresses] == [message.to_email]
    assert "evil.example" not in "".join(a.addr_spec for a in received["To"].addresses)
    head = raw.split(b"\n\n", 1)[0]  # a line "Bcc: ..." in the body is just text
    assert not re.search(rb"^(bcc|cc|to):", head.split(b"\nTo:", 1)[1], re.I | re.M)
    return received


def _outbox(dbsession: Session, event: str, to_email: str) -> list[Any]:
    from poster_review.notifications.models import OutboxMessage

    return list(
        dbsession.scalars(
            select(OutboxMessage).where(
                OutboxMessage.event == event, OutboxMessage.to_email == to_email
            )
        )
    )


@pytest.mark.parametrize("name", INJECTED_NAMES)
def test_registration_name_cannot_add_mail_headers(name, testapp, dbsession, settings):
    email_address = "grace.h@example.org"
    response = testapp.post(
        "/account/register",
        {
            "name": name,
            "email": email_address,
            "password": "a long passphrase 7",
            "password2": "a long passphrase 7",
            "csrf_token": csrf_token(testapp),
        },
        expect_errors=True,
    )
    if response.status_int == 400:  # refused, with a message beside the field
        assert message_of(response)
        assert _outbox(dbsession, "confirm_email", email_address) == []
        return
    assert response.status_int == 303
    [message] = _outbox(dbsession, "confirm_email", email_address)
    assert message.to_name == name.strip()  # stored as typed, made harmless when sent
    as_received(message, settings)


def test_registration_email_with_a_header_is_refused(testapp, dbsession):
    response = testapp.post(
        "/account/register",
        {
            "name": "Eve",
            "email": "eve@example.org\r\nBcc: x@evil.example",
            "password": "a long passphrase 7",
            "password2": "a long passphrase 7",
            "csrf_token": csrf_token(testapp),
        },
        status=400,
    )
    assert "This does not look like an e-mail address." in response.text
    assert _outbox(dbsession, "confirm_email", "eve@example.org") == []


def _edit_authors(testapp: TestApp, submission_id: str, **fields: str) -> Any:
    form = testapp.get(f"/submissions/{submission_id}/edit").forms["submission-form"]
    pairs = [(k, v) for k, v in form.submit_fields() if k not in fields]
    return testapp.post(
        f"/submissions/{submission_id}/edit", [*pairs, *fields.items()], expect_errors=True
    )


@pytest.mark.parametrize("name", INJECTED_NAMES)
def test_coauthor_name_cannot_add_mail_headers(name, testapp, dbsession, login, settings):
    world = build_world(dbsession, settings, "submission")
    login(world.people["author"])
    response = _edit_authors(
        testapp,
        world.ids["submission_id"],
        **{
            "title": "Poster\r\nBcc: x@evil.example",
            "authors-1-name": name,
            "authors-1-email": "co.author@example.org",
            "authors-1-affiliations": "Lab",
        },
    )
    if response.status_int == 400:
        assert message_of(response)
        assert _outbox(dbsession, "coauthor_added", "co.author@example.org") == []
        return
    assert response.status_int == 303
    [message] = _outbox(dbsession, "coauthor_added", "co.author@example.org")
    assert message.to_name == name.strip()
    as_received(message, settings)


def test_coauthor_email_with_a_header_is_refused(testapp, dbsession, login, settings):
    world = build_world(dbsession, settings, "submission")
    login(world.people["author"])
    response = _edit_authors(
        testapp,
        world.ids["submission_id"],
        **{
            "authors-1-name": "Eve",
            "authors-1-email": "co.author@example.org\r\nBcc: x@evil.example",
            "authors-1-affiliations": "Lab",
        },
    )
    assert response.status_int == 400
    assert "Please enter a valid e-mail address for this author." in response.text
    assert _outbox(dbsession, "coauthor_added", "co.author@example.org") == []


def test_template_subject_cannot_add_mail_headers(testapp, dbsession, login, settings):
    from poster_review.notifications.models import MailTemplate

    world = build_world(dbsession, settings, "review")
    login(world.people["chair"])
    slug = world.ids["slug"]
    page = testapp.get(f"/c/{slug}/mail/templates/review_reminder/en")
    form = page.forms["template-form"]
    form["subject"] = "Reminder\r\nBcc: x@evil.example\r\n\r\n{{ conference_name }}"
    form.submit("action", value="save", status=303)
    saved = dbsession.scalars(select(MailTemplate)).one()
    assert "Bcc" in saved.subject  # kept as typed; rendering puts it on one line

    send = testapp.get(f"/c/{slug}/mail/send/review_reminder").forms["send-form"]
    send.submit("action", value="send", status=303)

    reviewer = world.people["assigned"]
    [message] = _outbox(dbsession, "review_reminder", reviewer.email)
    assert message.subject.startswith("Reminder Bcc: x@evil.example ")
    received = as_received(message, settings)
    assert received["Subject"] == message.subject


@hypothesis_settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=80), subject=st.text(max_size=120))
def test_any_name_and_subject_build_one_message_to_one_person(name, subject, settings):
    from poster_review.notifications.models import OutboxMessage

    message = OutboxMessage(
        id=7,
        event="coauthor_added",
        to_email="ada@example.org",
        to_name=name,
        subject=subject,
        body_text="Hello",
        body_html=None,
        created_at=utcnow(),
    )
    received = as_received(message, settings)
    assert "\n" not in str(received["Subject"]) and "\r" not in str(received["Subject"])


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.org\r\nBcc: x@evil.example",
        "ada@example.org\nBcc: x@evil.example",
        "ada@example.org, x@evil.example",
        "Ada <x@evil.example>",
        "ada@example.org\u2028Bcc: x@evil.example",
    ],
)
def test_a_forged_address_in_a_row_never_reaches_a_second_person(address, settings):
    """Addresses are checked before they are stored; if one got into a row anyway, the
    message cannot be built (and is marked failed) rather than sent to two people."""
    from email.errors import MessageError

    from poster_review.notifications.models import OutboxMessage
    from poster_review.notifications.sender import build_message

    message = OutboxMessage(
        id=8,
        event="coauthor_added",
        to_email=address,
        to_name="Ada",
        subject="Hello",
        body_text="Hello",
        body_html=None,
        created_at=utcnow(),
    )
    try:
        built = build_message(message, settings)
    except (ValueError, TypeError, LookupError, MessageError):
        return  # what the sender records as "cannot build the message"
    recipients = built["To"].addresses
    assert len(recipients) == 1 and "evil.example" not in recipients[0].addr_spec
    assert built["Bcc"] is None
