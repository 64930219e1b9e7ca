"""Canary leak crawl: secrets seeded as unique tokens must appear only where they belong.

Every persona of the permission matrix (plus a fellow reviewer who has submitted and an
assigned reviewer who has not) crawls the site: the home page, the dashboard, every
conference page, every same-origin link, image, stylesheet, ``data-*-url`` and GET form
it meets, and every GET route of the app with the real ids of the seeded world put in
(JSON endpoints, PDFs, thumbnails, CSV/XLSX/JSON exports included). What a persona
receives by e-mail (the outbox rows addressed to them) counts as seen too. PDFs are
read with pypdf (metadata and page text) and their streams inflated; XLSX files are
unzipped. The crawl runs before the decisions are released and again after the chair
released them and sent the reviews' texts for authors.

``ALLOWED`` is the one table of who may see which canary in which phase; a sighting
outside it is a leak, reported as ``phase persona canary url``. ``MUST_SEE`` proves the
crawl reached the pages where each canary legitimately lives, so the test can fail.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import re
import secrets
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from pyramid.interfaces import IRoutesMapper
from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.assignment.models import ConflictSource, ConflictStatus, ReviewRound
from poster_review.assignment.services import add_assignment, record_conflict
from poster_review.awards.models import Outcome
from poster_review.awards.services import decide
from poster_review.conferences.models import BlindMode
from poster_review.notifications.models import OutboxMessage
from poster_review.notifications.views import SENDABLE
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services as review_services
from tests.factories import add_role, make_conference, make_poster_file, make_submission, make_user
from tests.pdfs import poster_pdf

PERSONAS = (
    "anonymous",
    "author",
    "co_author",
    "other_author",
    "reviewer",
    "assigned_reviewer",
    "fellow_reviewer",  # assigned to the same poster, has submitted their own review
    "pending_reviewer",  # assigned to the same poster, has not submitted yet
    "conflicted_reviewer",
    "judge",
    "chair",
    "chair_other",
    "admin",
)
PHASES = ("before_release", "after_release")

# --- who may see what ------------------------------------------------------------------

AUTHORS = frozenset({"author", "co_author"})
CHAIRS = frozenset({"chair", "admin"})
WRITER = frozenset({"assigned_reviewer"})
# A fellow reviewer sees the other submitted reviews (scores and every text) once their
# own is submitted, because the conference allows it (``reviewers_see_others``).
FELLOW = frozenset({"fellow_reviewer"})
# Reviewers and judges of the conference see a submitted poster's title and abstract
# (bidding lists them, without author names); never one they have a conflict with.
POOL = frozenset({"reviewer", "assigned_reviewer", "fellow_reviewer", "pending_reviewer", "judge"})


def both(personas: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(PHASES, personas)


#: canary -> phase -> the personas allowed to see it. Everyone else: never.
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    # The double-blind poster: its authors' identities.
    "author_name": both(AUTHORS | CHAIRS),
    "coauthor_name": both(AUTHORS | CHAIRS),
    "author_email": both(AUTHORS | CHAIRS),
    "author_affiliation": both(AUTHORS | CHAIRS),
    # People the authors do not want as reviewers: authors and chairs only. No page shows
    # it once the call has closed (conflict detection reads it), so MUST_SEE has no row.
    "declared_conflict": both(AUTHORS | CHAIRS),
    # The poster itself: never the conflicted reviewer, other authors or outsiders.
    "poster_title": both(AUTHORS | CHAIRS | POOL),
    "poster_abstract": both(AUTHORS | CHAIRS | POOL),
    # Another author's draft in the same conference.
    "sibling_title": both(frozenset({"other_author"}) | CHAIRS),
    # Reviewers stay anonymous to authors and to each other.
    "reviewer_name": both(WRITER | CHAIRS),
    "reviewer_email": both(WRITER | CHAIRS),
    "fellow_name": both(FELLOW | CHAIRS),
    # The review: scores and committee-only text never reach authors, in any phase.
    "score": both(WRITER | FELLOW | CHAIRS),
    "score_total": both(WRITER | FELLOW | CHAIRS),
    "committee_comment": both(WRITER | FELLOW | CHAIRS),
    # The text marked for authors reaches them once the feedback is released.
    "authors_comment": {
        "before_release": WRITER | FELLOW | CHAIRS,
        "after_release": WRITER | FELLOW | CHAIRS | AUTHORS,
    },
    "decision_note": {"before_release": CHAIRS, "after_release": CHAIRS | AUTHORS},
    # A private second conference: its own chair and the site admin only.
    "other_title": both(frozenset({"chair_other", "admin"})),
    "other_author": both(frozenset({"chair_other", "admin"})),
    "other_review": both(frozenset({"chair_other", "admin"})),
    # Mail queued to someone else: the outbox is for the chairs.
    "outbox": both(CHAIRS),
}

#: (canary, persona) sightings that must happen in each phase: the crawl reached them.
MUST_SEE: dict[str, set[tuple[str, str]]] = {
    phase: {
        ("author_name", "author"),
        ("author_name", "chair"),
        ("author_name", "admin"),
        ("author_affiliation", "co_author"),
        ("author_affiliation", "chair"),
        ("poster_title", "author"),
        ("poster_title", "assigned_reviewer"),
        ("poster_title", "reviewer"),
        ("poster_abstract", "judge"),
        ("sibling_title", "other_author"),
        ("reviewer_name", "chair"),
        ("reviewer_email", "chair"),
        ("fellow_name", "chair"),
        ("score", "assigned_reviewer"),
        ("score", "fellow_reviewer"),
        ("score", "chair"),
        ("score_total", "chair"),
        ("committee_comment", "assigned_reviewer"),
        ("committee_comment", "fellow_reviewer"),
        ("committee_comment", "chair"),
        ("authors_comment", "fellow_reviewer"),
        ("authors_comment", "chair"),
        ("decision_note", "chair"),
        ("other_title", "chair_other"),
        ("other_title", "admin"),
        ("other_author", "chair_other"),
        ("other_review", "chair_other"),
        ("outbox", "chair"),
        ("outbox", "admin"),
    }
    for phase in PHASES
}
MUST_SEE["after_release"] |= {
    ("decision_note", "author"),
    ("decision_note", "co_author"),
    ("authors_comment", "author"),
}

# The canary criterion's scale: a review's score is one level of it. The scoring form
# lists every level as a choice, so a score counts as seen only where it is shown as a
# value, not as a radio button's value or label.
SCALE_MIN, SCALE_MAX = 83100, 83190
SCORE = 83147
OTHER_SCORE = 83121  # the fellow reviewer's
# total = 100 * mean(47/90, 3/4) = 63.6111; matched where shown with two decimals or more
SCORE_TOTAL_PATTERN = r"63[.,]61"


@dataclass
class World:
    conference: Any
    other: Any
    people: dict[str, Any]
    canaries: dict[str, re.Pattern[str]]
    values: dict[str, list[str]]  # route placeholder -> real values


def _token() -> str:
    return "q" + secrets.token_hex(5)


def _rubric_definition() -> dict[str, Any]:
    return rubrics.as_json(
        rubrics.Rubric(
            name="Canary rubric",
            criteria=(
                rubrics.Criterion("impact", "Impact", 1, scale_min=SCALE_MIN, scale_max=SCALE_MAX),
                rubrics.Criterion("clarity", "Clarity", 1),
            ),
            text_fields=(
                rubrics.TextField("for_authors", "For the authors", rubrics.Visibility.authors),
                rubrics.TextField(
                    "for_committee", "For the committee", rubrics.Visibility.committee
                ),
            ),
        )
    )


def _review(dbsession, conference, assignment, *, score, authors_text, committee_text, now):
    review = review_services.review_for(dbsession, assignment, now)
    sheet = rubrics.ScoreSheet(
        scores={"impact": score, "clarity": 4},
        texts={"for_authors": authors_text, "for_committee": committee_text},
        confidence=4,
    )
    return review_services.save_review(
        dbsession,
        review,
        conference=conference,
        base_revision=review.revision,
        sheet=sheet,
        submit=True,
        now=now,
    )


def build_world(dbsession, settings, *, reviewers_see_others: bool = True) -> World:
    tok = {name: _token() for name in ALLOWED}
    now = dt.datetime.now(dt.UTC)
    conference = make_conference(
        dbsession,
        phase="review",
        blind_mode=BlindMode.double,
        reviewers_see_others=reviewers_see_others,
    )
    other = make_conference(dbsession, phase="review")
    people: dict[str, Any] = {"anonymous": None}
    people["author"] = make_user(
        dbsession, name=f"Aigerim {tok['author_name']}", email=f"{tok['author_email']}@example.org"
    )
    people["co_author"] = make_user(dbsession, name=f"Dana {tok['coauthor_name']}")
    people["assigned_reviewer"] = make_user(
        dbsession,
        name=f"Ruslan {tok['reviewer_name']}",
        email=f"{tok['reviewer_email']}@example.org",
    )
    people["fellow_reviewer"] = make_user(dbsession, name=f"Saule {tok['fellow_name']}")
    roles = {
        "author": Role.author,
        "co_author": Role.author,
        "other_author": Role.author,
        "reviewer": Role.reviewer,
        "assigned_reviewer": Role.reviewer,
        "fellow_reviewer": Role.reviewer,
        "pending_reviewer": Role.reviewer,
        "conflicted_reviewer": Role.reviewer,
        "judge": Role.judge,
        "chair": Role.chair,
    }
    for persona, role in roles.items():
        if persona not in people:
            people[persona] = make_user(dbsession)
        add_role(dbsession, people[persona], conference, role)
    people["chair_other"] = make_user(dbsession)
    add_role(dbsession, people["chair_other"], other, Role.chair)
    people["admin"] = make_user(dbsession, is_admin=True)

    poster = make_submission(
        dbsession,
        conference,
        authors=[people["author"], people["co_author"]],
        title=f"Reading rooms {tok['poster_title']}",
        abstract=f"What we found {tok['poster_abstract']}.",
        state="submitted",
        submitted_at=now,
        declared_conflicts=f"{tok['declared_conflict']}@example.org",
    )
    for author in poster.authors:
        author.affiliations = f"Institute {tok['author_affiliation']}"
    pdf = poster_pdf(
        poster.title,
        author=f"{people['author'].name}; {people['co_author'].name}",
        text=f"Institute {tok['author_affiliation']}",
    )
    poster_file = make_poster_file(dbsession, settings, poster, data=pdf)
    sibling = make_submission(
        dbsession,
        conference,
        authors=[people["other_author"]],
        title=f"Draft {tok['sibling_title']}",
    )

    review_services.save_rubric(
        dbsession,
        conference_id=conference.id,
        round_=ReviewRound.review,
        definition=_rubric_definition(),
        by_id=None,
        now=now,
    )
    assignments = {}
    for persona in (
        "assigned_reviewer",
        "fellow_reviewer",
        "pending_reviewer",
        "conflicted_reviewer",
    ):
        assignments[persona] = add_assignment(
            dbsession,
            conference=conference,
            submission=poster,
            reviewer_id=people[persona].id,
            round_=ReviewRound.review,
            by=None,
            now=now,
        )
    _review(
        dbsession,
        conference,
        assignments["assigned_reviewer"],
        score=SCORE,
        authors_text=f"Kind words {tok['authors_comment']}",
        committee_text=f"Between us {tok['committee_comment']}",
        now=now,
    )
    _review(
        dbsession,
        conference,
        assignments["fellow_reviewer"],
        score=OTHER_SCORE,
        authors_text="Nice layout.",
        committee_text="Fine.",
        now=now,
    )
    # A conflict found after assignment takes the assignment away (and every grant).
    record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=poster.id,
        user_id=people["conflicted_reviewer"].id,
        kind="institution",
        source=ConflictSource.detected,
        status=ConflictStatus.confirmed,
        evidence="same institution",
        now=now,
    )
    decide(
        dbsession,
        submission=poster,
        outcome=Outcome.accept,
        chair=people["chair"],
        now=now,
        note=f"Congratulations {tok['decision_note']}",
    )
    dbsession.add(
        OutboxMessage(
            event="review_reminder",
            conference_id=conference.id,
            to_email="someone.else@example.org",
            to_name="Someone Else",
            subject=f"Reminder {tok['outbox']}",
            body_text=f"Please finish {tok['outbox']}",
        )
    )

    # The private second conference, reviewed by people who are none of the personas.
    other_author = make_user(dbsession, name=f"Bolat {tok['other_author']}")
    add_role(dbsession, other_author, other, Role.author)
    other_poster = make_submission(
        dbsession,
        other,
        authors=[other_author],
        title=f"Elsewhere {tok['other_title']}",
        state="submitted",
        submitted_at=now,
    )
    other_file = make_poster_file(dbsession, settings, other_poster)
    other_reviewer = make_user(dbsession)
    add_role(dbsession, other_reviewer, other, Role.reviewer)
    other_assignment = add_assignment(
        dbsession,
        conference=other,
        submission=other_poster,
        reviewer_id=other_reviewer.id,
        round_=ReviewRound.review,
        by=None,
        now=now,
    )
    other_review = review_services.review_for(dbsession, other_assignment, now)
    other_rubric = review_services.rubric_of(dbsession, other_review)
    review_services.save_review(
        dbsession,
        other_review,
        conference=other,
        base_revision=0,
        sheet=rubrics.ScoreSheet(
            scores={c.key: c.scale_max for c in other_rubric.criteria},
            texts={t.key: f"Elsewhere {tok['other_review']}" for t in other_rubric.text_fields},
            confidence=5,
        ),
        submit=True,
        now=now,
    )
    dbsession.flush()

    canaries = {name: re.compile(re.escape(value), re.I) for name, value in tok.items()}
    # A score counts where it is shown, not as one of the blank form's choices.
    canaries["score"] = re.compile(rf'(?<!value=")(?<!level-value">)\b{SCORE}\b')
    canaries["score_total"] = re.compile(rf"\b{SCORE_TOTAL_PATTERN}")
    values = {
        "slug": [conference.slug, other.slug],
        "submission_id": [str(poster.id), str(sibling.id), str(other_poster.id)],
        "file_id": [str(poster_file.id), str(other_file.id)],
        "number": [str(poster.number), str(sibling.number)],
        "assignment_id": [str(a.id) for a in assignments.values()] + [str(other_assignment.id)],
        "event": list(SENDABLE),
        "locale": ["en"],
        "token": ["not-a-real-token"],
        "subpath": ["app.css"],
        "run_id": ["999999"],
        "category_id": ["999999"],
    }
    return World(conference, other, people, canaries, values)


# --- the crawler -----------------------------------------------------------------------

# Pages that differ only by a "come back to" parameter are read once.
ONCE_PER_PATH = ("/account/login", "/account/register", "/account/reset")
NEVER = ("/account/logout",)
MAX_PAGES = 800  # per persona and phase; the crawl stops itself


class _Links(HTMLParser):
    """Same-page references: a href, img/script src, link href, data-*-url, GET forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (
                (name == "href" and tag in ("a", "link", "area"))
                or (name == "src" and tag in ("img", "script", "iframe", "source"))
                or (name.startswith("data-") and name.endswith("-url"))
            ):
                self.urls.append(value)


def _get_routes(app: Any) -> set[str]:
    """Names of the routes with a view that answers GET (POST-only ones answer 404)."""
    names = set()
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        methods = view["request_methods"]
        if view["route_name"] and (methods is None or "GET" in methods):
            names.add(view["route_name"])
    return names


def _route_urls(app: Any, values: dict[str, list[str]]) -> list[str]:
    """Every GET route's pattern with every combination of the world's real values."""
    mapper = app.registry.getUtility(IRoutesMapper)
    wanted = _get_routes(app)
    urls: list[str] = []
    for route in mapper.get_routes():
        if route.name not in wanted:
            continue
        choices: list[list[str]] = []
        for part in re.split(r"(\{[^}]*\}|\*\w+)", route.pattern):
            match = re.fullmatch(r"\{(\w+)(?::([^}]*))?\}|\*(\w+)", part)
            if match is None:
                choices.append([part])
                continue
            name = match.group(1) or match.group(3)
            regex = match.group(2)
            if name in values:
                choices.append(values[name])
            elif regex and re.fullmatch(r"\w+(\|\w+)*", regex):
                choices.append(regex.split("|"))
            else:  # a placeholder the world has no object for: links still reach its pages
                choices.append(["1"])
        urls += ["/" + "".join(c).lstrip("/") for c in itertools.product(*choices)]
    return urls


def _local(url: str, base: str) -> str | None:
    """The path and query of a same-origin URL, or None."""
    if url.startswith(("mailto:", "javascript:", "data:", "#")):
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc not in ("localhost", "localhost:80"):
        return None
    path = parts.path or urlsplit(base).path
    if not path.startswith("/"):
        path = urlsplit(base).path.rsplit("/", 1)[0] + "/" + path
    if path.startswith(ONCE_PER_PATH):
        return path
    return path + (f"?{parts.query}" if parts.query else "")


def _inflate_streams(data: bytes) -> str:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


def readable(response: Any) -> str:
    """Everything a person could read in a response: headers that name things, the
    body as text, PDF metadata, page text and inflated streams, XLSX cell text."""
    body: bytes = response.body
    parts = [
        f"{k}: {v}" for k, v in response.headerlist if k in ("Content-Disposition", "Location")
    ]
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        parts += [str(v) for v in (reader.metadata or {}).values()]
        parts += [page.extract_text() for page in reader.pages]
        parts.append(body.decode("latin-1"))
        parts.append(_inflate_streams(body))
    elif body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                parts.append(html.unescape(archive.read(name).decode("utf-8", "replace")))
    else:
        text = body.decode("utf-8", "replace")
        parts += [text, html.unescape(text)]
    return "\n".join(parts)


def crawl(testapp: Any, start: Iterable[str]) -> dict[str, tuple[int, str]]:
    """GET every URL reachable from ``start``; returns url -> (status, readable text)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(NEVER):
            continue
        response = testapp.get(url, expect_errors=True)
        seen[url] = (response.status_int, readable(response))
        found: list[str] = []
        if response.location:
            found.append(response.location)
        if response.content_type == "text/html":
            parser = _Links()
            parser.feed(response.text)
            found += parser.urls
            for form in response.forms.values():
                if (form.method or "get").lower() == "get":
                    query = urlencode([(k, v) for k, v in form.submit_fields() if v is not None])
                    found.append((form.action or url.split("?")[0]) + f"?{query}")
        for candidate in found:
            local = _local(html.unescape(candidate), url)
            if local is not None and local not in seen:
                queue.append(local)
    assert not queue, f"the crawl stopped at {MAX_PAGES} pages"
    return seen


def mailbox(dbsession: Any, email: str) -> str:
    rows = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id)
    )
    return "\n".join(f"{m.subject}\n{m.body_text}\n{m.body_html or ''}" for m in rows)


@dataclass(frozen=True)
class Sighting:
    phase: str
    persona: str
    canary: str
    url: str
    status: int
    context: str


def sightings(
    phase: str, persona: str, pages: dict[str, tuple[int, str]], world: World
) -> list[Sighting]:
    found = []
    for url, (status, text) in pages.items():
        for name, pattern in world.canaries.items():
            match = pattern.search(text)
            if match:
                start, end = max(match.start() - 60, 0), match.end() + 60
                context = " ".join(text[start:end].split())
                found.append(Sighting(phase, persona, name, url, status, context))
    return found


def crawl_everyone(
    app,
    testapp,
    login,
    dbsession,
    world: World,
    phase: str,
    counts: dict[str, int],
    errors: list[str],
    personas: tuple[str, ...] = PERSONAS,
) -> list[Sighting]:
    routes = _route_urls(app, world.values)
    start = ["/", "/dashboard"] + [
        f"/c/{slug}/" for slug in (world.conference.slug, world.other.slug)
    ]
    found: list[Sighting] = []
    for persona in personas:
        testapp.reset()
        user = world.people[persona]
        if user is not None:
            login(user)
        pages = crawl(testapp, start + routes)
        counts[f"{phase} {persona}"] = len(pages)
        counts[f"{phase} {persona} 200"] = sum(1 for s, _t in pages.values() if s == 200)
        errors += [f"{phase} {persona} {url} {s}" for url, (s, _t) in pages.items() if s >= 500]
        if user is not None:
            pages[f"mailbox:{user.email}"] = (0, mailbox(dbsession, user.email))
        found += sightings(phase, persona, pages, world)
    return found


def release(testapp, login, world: World) -> None:
    """The chair closes reviewing, releases the decisions and sends the feedback."""
    world.conference.reviews_close_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    testapp.reset()
    login(world.people["chair"])
    slug = world.conference.slug
    form = testapp.get(f"/c/{slug}/decisions").forms["decisions-form"]
    form.submit("action", value="release", status=303)
    form = testapp.get(f"/c/{slug}/mail/send/feedback_released").forms["send-form"]
    form.submit("action", value="send", status=303)


def report(found: list[Sighting]) -> tuple[list[Sighting], set[tuple[str, str, str]]]:
    leaks = [s for s in found if s.persona not in ALLOWED[s.canary][s.phase]]
    seen = {(s.phase, s.canary, s.persona) for s in found}
    missing = {
        (phase, canary, persona)
        for phase, pairs in MUST_SEE.items()
        for canary, persona in pairs
        if (phase, canary, persona) not in seen
    }
    return leaks, missing


def _table() -> str:
    lines = [f"{'canary':20} {'phase':15} may be seen by"]
    for canary, phases in ALLOWED.items():
        for phase, personas in phases.items():
            lines.append(f"{canary:20} {phase:15} {', '.join(sorted(personas))}")
    return "\n".join(lines)


def test_declarations_cover_every_canary_and_persona():
    assert set(MUST_SEE) == set(PHASES)
    for phase, pairs in MUST_SEE.items():
        for canary, persona in pairs:
            assert persona in ALLOWED[canary][phase], (phase, canary, persona)
    for phases in ALLOWED.values():
        assert set(phases) == set(PHASES)
        assert all(personas <= set(PERSONAS) for personas in phases.values())


def test_report_names_a_leak_and_a_missing_sighting():
    """The checker itself: a sighting outside the table is a leak; an unmet MUST_SEE
    is reported missing."""
    leak = Sighting("before_release", "author", "committee_comment", "/x", 200, "...")
    fine = Sighting("before_release", "chair", "committee_comment", "/y", 200, "...")
    leaks, missing = report([leak, fine])
    assert leaks == [leak]
    assert ("before_release", "committee_comment", "chair") not in missing
    assert ("before_release", "committee_comment", "fellow_reviewer") in missing


def test_readable_opens_pdf_and_xlsx():
    pdf = poster_pdf("Title", author="Zhanna qabc123", text="body qdef456")

    @dataclass
    class Fake:
        body: bytes
        headerlist: list[tuple[str, str]] = field(default_factory=list)

    text = readable(Fake(pdf))
    assert "qabc123" in text
    assert "qdef456" in text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst><si><t>Ana &amp; qxyz789</t></si></sst>")
    assert "Ana & qxyz789" in readable(Fake(buffer.getvalue()))


def test_no_canary_leaks_before_or_after_release(app, testapp, dbsession, login, settings):
    world = build_world(dbsession, settings)
    counts: dict[str, int] = {}
    errors: list[str] = []  # a page that crashed could hide a leak
    found = crawl_everyone(app, testapp, login, dbsession, world, "before_release", counts, errors)
    release(testapp, login, world)
    found += crawl_everyone(app, testapp, login, dbsession, world, "after_release", counts, errors)
    leaks, missing = report(found)
    lines = [
        f"LEAK {s.phase} persona={s.persona} canary={s.canary} url={s.url} "
        f"status={s.status} …{s.context}…"
        for s in leaks
    ]
    lines += [f"NOT SEEN {p} persona={who} canary={c}" for p, c, who in sorted(missing)]
    lines += [f"SERVER ERROR {e}" for e in errors]
    pages = "\n".join(
        f"{key:35} {counts[key]:4} pages, {counts[key + ' 200']:4} with 200"
        for key in counts
        if not key.endswith(" 200")
    )
    print(f"\n{pages}\n{len(found)} sightings, {len(leaks)} leaks\n{_table()}")
    assert not lines, "\n" + "\n".join(lines)


def test_fellow_reviewers_see_no_other_review_when_the_chairs_say_so(
    app, testapp, dbsession, login, settings
):
    world = build_world(dbsession, settings, reviewers_see_others=False)
    counts: dict[str, int] = {}
    errors: list[str] = []
    found = crawl_everyone(
        app,
        testapp,
        login,
        dbsession,
        world,
        "before_release",
        counts,
        errors,
        personas=("fellow_reviewer",),
    )
    seen = {s.canary for s in found}
    assert "poster_title" in seen  # the crawl reached the scoring page
    review = {"score", "score_total", "committee_comment", "authors_comment", "reviewer_name"}
    assert seen & review == set(), [s for s in found if s.canary in review]
    assert errors == []
