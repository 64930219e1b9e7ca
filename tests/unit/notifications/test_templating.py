"""Mail templates: the catalogue, chairs' checks, the sandbox, defaults in every language,
and the services that pick a conference's template, preview and queue bulk sends."""

from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from poster_review.awards.models import Decision, Outcome
from poster_review.conferences.timezones import format_instant
from poster_review.demo.content import PosterState, build_demo
from poster_review.errors import InvalidInput
from poster_review.i18n import TARGET_LOCALES, render
from poster_review.notifications import services, templating
from poster_review.notifications.models import MailTemplate, OutboxMessage, OutboxState
from poster_review.notifications.rendering import render_email
from poster_review.reviews.models import ReviewState
from poster_review.reviews.services import review_for
from tests.factories import make_assignment, make_conference, make_submission, make_user

REPO = Path(__file__).resolve().parents[3]

# Every event the notifications issue names (the reviewer invitation is `invitation`).
ISSUE_EVENTS = {
    "confirm_email",
    "reset_password",
    "submission_received",
    "submission_updated",
    "submission_withdrawn",
    "coauthor_added",
    "invitation",
    "assignment_made",
    "assignment_removed",
    "review_reminder",
    "decision_accept",
    "decision_accept_with_revisions",
    "decision_waitlist",
    "decision_reject",
    "award_winner",
    "shortlisted",
    "feedback_released",
    "judge_magic_link",
}


def _messages(problems: list[templating.Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.part, p.line, render(p.message)) for p in problems]


# --- The catalogue and the shipped defaults ---------------------------------------------


def test_catalogue_has_every_event_and_a_default_for_each():
    assert set(templating.EVENTS) >= ISSUE_EVENTS
    folders = {p.name for p in (REPO / "templates" / "email").iterdir() if p.is_dir()}
    assert folders == set(templating.EVENTS)
    for event in templating.EVENTS.values():
        assert event.placeholders, event.name
        assert all(p.description for p in event.placeholders), event.name
        assert event.placeholder("recipient_name") is not None, event.name


def test_decision_events_match_the_outcomes():
    assert set(templating.DECISION_EVENTS) == {o.value for o in Outcome}
    assert all(e in templating.EVENTS for e in templating.DECISION_EVENTS.values())


@pytest.mark.parametrize("locale", TARGET_LOCALES)
def test_every_default_passes_the_chairs_checks(locale):
    for name in templating.EVENTS:
        source = templating.default_source(name, locale)
        assert "{% trans" not in source.subject + source.body, name
        assert templating.validate(name, source.subject, source.body, locale) == [], name


# --- Every default renders with the demo data, in every language ------------------------

CONGRESS = build_demo(dt.date(2026, 10, 1))
CONF = CONGRESS.conference
SCHEDULE = CONF.phases.to_schedule(CONF.time_zone)
# A poster by someone whose name is not in Latin script, so encodings are exercised.
POSTER = next(
    p
    for p in CONGRESS.posters
    if p.state == PosterState.SUBMITTED and not p.corresponding_authors[0].name.isascii()
)
AUTHOR = POSTER.corresponding_authors[0]
REVIEWER = CONGRESS.reviewers[0]
SITE = "https://posters.example.org"
OTHER = next(p for p in CONGRESS.posters if p.number != POSTER.number)


def demo_context(event: str) -> tuple[str, dict[str, Any]]:
    """(recipient's name, context) for ``event`` built from the demo congress."""
    poster = {"number": POSTER.number, "title": POSTER.title}
    conference = {"conference_name": CONF.name}
    link = {"hours": 24}
    listing: dict[str, Any] = {
        "submissions": [
            {"number": p.number, "title": p.title, "url": f"{SITE}/reviews/{i}/"}
            for i, p in enumerate((POSTER, OTHER), start=1)
        ],
        "reviews_url": f"{SITE}/c/{CONF.slug}/reviews",
    }
    reviewer_name = REVIEWER.name
    contexts: dict[str, tuple[str, dict[str, Any]]] = {
        "confirm_email": (AUTHOR.name, {"confirm_url": f"{SITE}/account/confirm/t", **link}),
        "reset_password": (AUTHOR.name, {"reset_url": f"{SITE}/account/reset/t", **link}),
        "account_exists": (AUTHOR.name, {"reset_url": f"{SITE}/account/reset/t"}),
        "change_email": (
            AUTHOR.name,
            {"confirm_url": f"{SITE}/account/email/t", "new_email": AUTHOR.email, **link},
        ),
        "coauthor_added": (
            AUTHOR.name,
            {**conference, "title": POSTER.title, "added_by": POSTER.presenter.name},
        ),
        "invitation": (
            reviewer_name,
            {
                **conference,
                "inviter_name": CONGRESS.chair.name,
                "role": "reviewer",
                "invitation_url": f"{SITE}/invitation/t",
            },
        ),
        "assignment_made": (
            reviewer_name,
            {
                **conference,
                **listing,
                "deadline": SCHEDULE.reviews_close_at,
                "timezone": CONF.time_zone,
            },
        ),
        "assignment_removed": (
            reviewer_name,
            {
                **conference,
                **listing,
                "submissions": [
                    {"number": s["number"], "title": s["title"]} for s in listing["submissions"]
                ],
            },
        ),
        "review_reminder": (
            reviewer_name,
            {
                **conference,
                **listing,
                "deadline": SCHEDULE.reviews_close_at,
                "timezone": CONF.time_zone,
            },
        ),
        "feedback_released": (
            AUTHOR.name,
            {
                **conference,
                **poster,
                "submission_url": f"{SITE}/submissions/{POSTER.number}/",
                "reviews": [
                    {"number": 1, "fields": [{"label": "Comments", "text": "Clear and useful."}]},
                    {"number": 2, "fields": [{"label": "Comments", "text": "Enlarge the map."}]},
                ],
            },
        ),
        "shortlisted": (
            AUTHOR.name,
            {
                **conference,
                **poster,
                "award": "Best Poster Award",
                "session_start": SCHEDULE.session_starts_at,
                "timezone": CONF.time_zone,
            },
        ),
        "award_winner": (AUTHOR.name, {**conference, **poster, "award": "Best Poster Award"}),
        "judge_magic_link": (
            REVIEWER.name,
            {**conference, "login_url": f"{SITE}/judge/t", **link},
        ),
        "judge_route": (
            REVIEWER.name,
            {
                **conference,
                "session_name": "Poster session 1",
                "hall": "Hall B",
                "timezone": CONF.time_zone,
                "visits": [
                    {"start": SCHEDULE.session_starts_at, "board": "B12", "title": "Title one"},
                    {"start": SCHEDULE.session_starts_at, "board": "B14", "title": "Title two"},
                ],
                "route_url": f"{SITE}/c/wlic/route",
            },
        ),
        "judge_visit_added": (
            REVIEWER.name,
            {
                **conference,
                "title": POSTER.title,
                "session_name": "Poster session 1",
                "timezone": CONF.time_zone,
                "start": SCHEDULE.session_starts_at,
                "board": "B12",
                "review_url": f"{SITE}/reviews/31/",
                "route_url": f"{SITE}/c/wlic/route",
            },
        ),
    }
    for receipt in ("submission_received", "submission_updated", "submission_withdrawn"):
        contexts[receipt] = (
            AUTHOR.name,
            {
                **conference,
                **poster,
                "sha256": "ab" * 32,
                "deadline": SCHEDULE.submission_deadline_at,
                "timezone": CONF.time_zone,
            },
        )
    for outcome, name in templating.DECISION_EVENTS.items():
        contexts[name] = (
            AUTHOR.name,
            {**conference, **poster, "decision": outcome, "note": "See you in Astana."},
        )
    name, context = contexts[event]
    return name, {**context, "recipient_name": name}


@pytest.mark.parametrize("locale", TARGET_LOCALES)
@pytest.mark.parametrize("event", sorted(templating.EVENTS))
def test_default_renders_with_demo_data(event, locale):
    recipient, context = demo_context(event)
    # The context offers exactly what the catalogue lists beside the editor.
    assert set(context) == {p.name for p in templating.EVENTS[event].placeholders}
    source = templating.default_source(event, locale)
    subject, body = templating.render(event, source.subject, source.body, context, locale)
    # What the chair edits renders exactly as the shipped file does.
    assert (subject, body) == render_email(event, context, locale)
    assert subject and "\n" not in subject
    assert f"{recipient}," in body.splitlines()[0]
    if "title" in context:
        assert context["title"] in body
    if "submissions" in context:
        assert all(s["title"] in body for s in context["submissions"])
    if "reviews" in context:
        assert "Clear and useful." in body and "Enlarge the map." in body
    for key in ("deadline", "session_start"):
        if context.get(key) is not None and key in source.body:
            assert format_instant(context[key], CONF.time_zone, locale) in body


@pytest.mark.parametrize("locale", TARGET_LOCALES)
def test_each_decision_outcome_has_its_own_subject(locale):
    subjects = {}
    for outcome, event in templating.DECISION_EVENTS.items():
        _name, context = demo_context(event)
        source = templating.default_source(event, locale)
        subjects[outcome] = templating.render(event, source.subject, source.body, context, locale)[
            0
        ]
    assert len(set(subjects.values())) == len(subjects)
    assert all(str(POSTER.number) in s for s in subjects.values())


def test_localised_default_uses_the_catalogue_translation(monkeypatch):
    class French(gettext.NullTranslations):
        table: ClassVar[dict[str, str]] = {
            "Hello %(name)s,": "Bonjour %(name)s,",
            "Poster %(number)s was withdrawn": "Le poster %(number)s est retiré (100 %%)",
        }

        def gettext(self, message: str) -> str:
            return self.table.get(message, message)

    monkeypatch.setattr(templating, "_translations", lambda locale: French())
    assert (
        templating.localise_source(
            "{% trans name=recipient_name %}Hello {{ name }},{% endtrans %}\n"
            "{% trans number=number %}Poster {{ number }} was withdrawn{% endtrans %}",
            "fr",
        )
        == "Bonjour {{ recipient_name }},\nLe poster {{ number }} est retiré (100 %)"
    )


# --- Chairs' checks ---------------------------------------------------------------------


def test_unknown_placeholder_is_reported_with_its_line():
    problems = templating.validate(
        "decision_accept",
        "Poster {{ number }}",
        "Hello {{ recipient_name }},\n\n{{ recipient.name }}",
    )
    [(part, line, message)] = _messages(problems)
    assert (part, line) == ("body", 3)
    assert "Unknown placeholder “recipient”" in message and "recipient_name" in message


def test_syntax_error_is_reported_with_its_line():
    problems = templating.validate("decision_accept", "Poster {{ number", "Hello\n{% if note %}\n")
    assert [(p.part, p.line) for p in problems] == [("subject", 1), ("body", 2)]
    assert all(render(p.message).startswith("Template syntax error:") for p in problems)


def test_unknown_filter_is_reported():
    [(part, line, message)] = _messages(
        templating.validate("decision_accept", "x", "a\n{{ title|shout }}")
    )
    assert (part, line) == ("body", 2) and "No filter named 'shout'" in message


def test_fields_of_records_and_loop_items_are_checked():
    body = (
        "{% for review in reviews %}\n"
        "{{ review.number }}\n"
        "{% for f in review.fields %}{{ f.label }}: {{ f.txt }}{% endfor %}\n"
        "{% endfor %}\n"
        "{{ reviews.number }}\n"
        "{{ title.upper() }}"
    )
    problems = _messages(templating.validate("feedback_released", "Reviews", body))
    assert problems == [
        ("body", 3, "“f” has no field “txt”. Its fields are: label, text."),
        ("body", 5, "“reviews” is a list: use {% for item in reviews %}…{% endfor %}."),
        (
            "body",
            6,
            "“title” has no field “upper”; write {{ title }} or use a filter such as "
            "{{ title|upper }}.",
        ),
    ]


def test_a_valid_template_has_no_problems_and_loops_work():
    body = (
        "{% for review in reviews %}{{ loop.index }}. "
        "{% for f in review.fields %}{{ f.label|upper }} {{ f['text'] }}{% endfor %}\n{% endfor %}"
    )
    assert templating.validate("feedback_released", "{{ title|truncate(20) }}", body) == []


def test_empty_subject_is_refused():
    assert _messages(templating.validate("award_winner", "{% if false %}x{% endif %}", "b")) == [
        ("subject", None, "The subject is empty.")
    ]


def test_runtime_failure_with_examples_is_reported():
    [(part, line, message)] = _messages(
        templating.validate("award_winner", "x", "a\nb\n{{ number / (number - number) }}")
    )
    assert (part, line) == ("body", 3) and message.startswith("The template failed:")


def test_unknown_event_is_refused():
    with pytest.raises(templating.UnknownEvent):
        templating.validate("nonsense", "a", "b")


# --- The sandbox ------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ recipient_name.__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('id') }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ recipient_name|attr('__class__') }}",
    "{{ (recipient_name|attr('__class__')).__mro__ }}",
    "{{ '{0.__class__.__mro__}'.format(recipient_name) }}",
    "{{ dict(a=1).update(b=2) }}",
    "{{ (recipient_name|list).pop() }}",
    "{{ 'x' * 100000000 }}",
    "{{ number ** 100000000 }}",
    "{% for i in range(10 ** 6) %}{% endfor %}",
]


@pytest.mark.parametrize("attempt", ESCAPES)
def test_sandbox_escape_fails_with_a_clear_message(attempt):
    body = f"Hello {{{{ recipient_name }}}},\n\n{attempt}\n"
    problems = _messages(templating.validate("award_winner", "Award", body))
    assert problems and all(line == 3 for _part, line, _m in problems)
    assert any("not allowed" in m.lower() for _p, _l, m in problems), problems
    # Rendering a saved copy that skipped the checks is refused just as clearly.
    context = templating.EVENTS["award_winner"].example_context()
    with pytest.raises(templating.RenderError) as caught:
        templating.render("award_winner", "Award", body, context)
    assert render(caught.value.message).startswith("Not allowed in a mail template:")
    assert (caught.value.part, caught.value.line) == ("body", 3)


def test_values_cannot_be_changed_through_the_template():
    context = templating.EVENTS["feedback_released"].example_context()
    reviews: Any = context["reviews"]
    with pytest.raises(templating.RenderError):
        templating.render("feedback_released", "x", "{{ reviews[0]['fields'].clear() }}", context)
    assert context["reviews"] == reviews and reviews[0]["fields"]


def test_subject_is_one_line_whatever_the_values():
    context = {**templating.EVENTS["award_winner"].example_context()}
    context["recipient_name"] = "Eve\r\nBcc: victim@example.org"
    subject, _body = templating.render("award_winner", "Hi\n{{ recipient_name }}", "b", context)
    assert subject == "Hi Eve Bcc: victim@example.org"


def test_instants_print_in_the_conference_zone_and_language():
    context = {**templating.EVENTS["review_reminder"].example_context(), "timezone": "Asia/Almaty"}
    at = dt.datetime(2026, 12, 18, 18, 59, tzinfo=dt.UTC)
    context["deadline"] = at
    _s, body = templating.render("review_reminder", "s", "{{ deadline }}", context, "ru")
    assert body.strip() == format_instant(at, "Asia/Almaty", "ru")
    assert "23:59" in body and "Asia/Almaty" in body


# --- Services: a conference's templates -------------------------------------------------


def _conference(dbsession, **kw):
    return make_conference(dbsession, default_locale="en", languages="en fr", **kw)


def _decision_context(number: int = 3) -> dict[str, Any]:
    return {
        "conference_name": "WLIC",
        "number": number,
        "title": "Reading rooms",
        "decision": "accept",
        "note": "",
        "recipient_name": "Dana",
    }


def test_render_for_picks_recipient_language_then_default_then_file(dbsession):
    conference = _conference(dbsession)
    now = dt.datetime.now(dt.UTC)
    ctx = _decision_context()

    def subject(locale):
        rendered = services.render_for(dbsession, conference, "decision_accept", ctx, locale)
        return rendered.subject, rendered.locale, rendered.template_id is not None

    default_subject = render_email("decision_accept", ctx, "fr")[0]
    assert subject("fr") == (default_subject, "fr", False)
    for locale, text in (("en", "EN {{ number }}"), ("fr", "FR {{ number }}")):
        assert (
            services.save_template(
                dbsession,
                conference=conference,
                event="decision_accept",
                locale=locale,
                subject=text,
                body="{{ recipient_name }}",
                user_id=None,
                now=now,
            )
            == []
        )
        if locale == "en":  # no French copy yet: the conference's default language
            assert subject("fr") == ("EN 3", "en", True)
    assert subject("fr") == ("FR 3", "fr", True)
    assert subject("de") == ("EN 3", "en", True)
    assert services.reset_template(
        dbsession, conference=conference, event="decision_accept", locale="fr"
    )
    assert subject("fr") == ("EN 3", "en", True)
    assert (
        services.editable_template(dbsession, conference, "decision_accept", "fr").customised
        is False
    )


def test_save_template_with_problems_saves_nothing(dbsession):
    conference = _conference(dbsession)
    problems = services.save_template(
        dbsession,
        conference=conference,
        event="decision_accept",
        locale="en",
        subject="Poster {{ numbr }}",
        body="ok",
        user_id=None,
        now=dt.datetime.now(dt.UTC),
    )
    assert [(p.part, p.line) for p in problems] == [("subject", 1)]
    assert services.find_template(dbsession, conference.id, "decision_accept", "en") is None
    editable = services.editable_template(dbsession, conference, "decision_accept", "en")
    assert editable.customised is False
    assert editable.subject == templating.default_source("decision_accept").subject


def test_account_mail_and_foreign_languages_are_not_editable(dbsession):
    conference = _conference(dbsession)
    for event, locale in (("reset_password", "en"), ("decision_accept", "ja")):
        with pytest.raises(InvalidInput):
            services.save_template(
                dbsession,
                conference=conference,
                event=event,
                locale=locale,
                subject="s",
                body="b",
                user_id=None,
                now=dt.datetime.now(dt.UTC),
            )
    assert services.mail_locales(conference) == ["en", "fr"]
    assert all(e.conference for e in services.editable_events())


def test_queue_email_uses_the_chairs_template_and_survives_a_broken_one(dbsession):
    conference = _conference(dbsession)
    now = dt.datetime.now(dt.UTC)
    services.save_template(
        dbsession,
        conference=conference,
        event="decision_accept",
        locale="en",
        subject="Good news about poster {{ number }}",
        body="Dear {{ recipient_name }}, {{ title }} is in.",
        user_id=None,
        now=now,
    )
    kwargs: dict[str, Any] = {
        "event": "decision_accept",
        "to_email": "dana@example.org",
        "to_name": "Dana",
        "context": {k: v for k, v in _decision_context().items() if k != "recipient_name"},
        "now": now,
        "locale": "en",
        "conference_id": conference.id,
    }
    message = services.queue_email(dbsession, **kwargs)
    assert message.subject == "Good news about poster 3"
    assert message.body_text == "Dear Dana, Reading rooms is in.\n"
    # A copy that slipped past the checks (written before they existed, say).
    saved = services.find_template(dbsession, conference.id, "decision_accept", "en")
    assert saved is not None
    saved.subject = "{{ recipient_name|attr('__class__') }}"
    dbsession.flush()
    fallback = services.queue_email(dbsession, **kwargs)
    assert fallback.subject == render_email("decision_accept", _decision_context(), "en")[0]


def test_dedupe_key_queues_once(dbsession):
    kwargs: dict[str, Any] = {
        "event": "award_winner",
        "to_email": "dana@example.org",
        "to_name": "Dana",
        "context": {"conference_name": "W", "number": 1, "title": "T", "award": "Best"},
        "now": dt.datetime.now(dt.UTC),
        "dedupe_key": "award:1:dana",
    }
    first = services.queue_email(dbsession, **kwargs)
    second = services.queue_email(dbsession, **kwargs)
    assert first.id == second.id
    count = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == "award:1:dana")
    ).all()
    assert len(count) == 1


# --- Services: bulk sends, tests, the outbox --------------------------------------------


def _decided(dbsession, conference, outcome=Outcome.accept, authors=None):
    authors = authors or [make_user(dbsession, locale="fr"), make_user(dbsession)]
    submission = make_submission(dbsession, conference, authors=authors, state="submitted")
    submission.authors[1].is_corresponding = True
    dbsession.add(
        Decision(
            submission_id=submission.id,
            conference_id=conference.id,
            outcome=outcome,
            note="Well done.",
        )
    )
    dbsession.flush()
    return submission


def test_preview_lists_exact_recipients_and_send_is_idempotent(dbsession):
    conference = _conference(dbsession)
    first = _decided(dbsession, conference)
    _decided(dbsession, conference, outcome=Outcome.reject)
    drafts = services.decision_drafts(dbsession, conference, Outcome.accept)
    assert [d.to_email for d in drafts] == [a.email for a in first.authors]
    assert [d.locale for d in drafts] == ["fr", "en"]
    previews = services.preview(dbsession, conference, "decision_accept", drafts)
    assert [p.error for p in previews] == [None, None]
    assert all(first.title in p.body and "Well done." in p.body for p in previews)
    assert previews[0].body.startswith(f"Hello {first.authors[0].name},")

    now = dt.datetime.now(dt.UTC)
    kwargs: dict[str, Any] = {
        "conference": conference,
        "event": "decision_accept",
        "drafts": drafts,
        "now": now,
    }
    sent = services.send_drafts(dbsession, batch="b1", exclude={drafts[1].key}, **kwargs)
    assert [m.to_email for m in sent] == [drafts[0].to_email]
    assert (sent[0].subject, sent[0].body_text) == (previews[0].subject, previews[0].body)
    again = services.send_drafts(dbsession, batch="b1", exclude={drafts[1].key}, **kwargs)
    assert [m.id for m in again] == [m.id for m in sent]  # a second click sends nothing new
    assert services.outbox_counts(dbsession, conference.id)[OutboxState.queued] == 1


def test_send_drafts_refuses_when_a_message_cannot_be_rendered(dbsession):
    conference = _conference(dbsession)
    _decided(dbsession, conference)
    dbsession.add(
        MailTemplate(
            conference_id=conference.id,
            event="decision_accept",
            locale="fr",
            subject="{{ recipient_name.__class__ }}",
            body="b",
        )
    )
    dbsession.flush()
    drafts = services.decision_drafts(dbsession, conference, Outcome.accept)
    previews = services.preview(dbsession, conference, "decision_accept", drafts)
    assert [p.error is not None for p in previews] == [True, False]
    with pytest.raises(InvalidInput):
        services.send_drafts(
            dbsession,
            conference=conference,
            event="decision_accept",
            drafts=drafts,
            batch="b",
            now=dt.datetime.now(dt.UTC),
        )
    assert services.outbox_counts(dbsession, conference.id)[OutboxState.queued] == 0


def test_send_test_goes_to_the_chair_only(dbsession):
    conference = _conference(dbsession)
    _decided(dbsession, conference)
    chair = make_user(dbsession, name="Chair", email="chair-test@example.org")
    [draft, _other] = services.decision_drafts(dbsession, conference, Outcome.accept)
    message = services.send_test(
        dbsession,
        conference=conference,
        event="decision_accept",
        draft=draft,
        chair=chair,
        now=dt.datetime.now(dt.UTC),
    )
    assert message.to_email == "chair-test@example.org" and message.recipient_id == chair.id
    assert message.subject.startswith(services.TEST_PREFIX)
    assert message.body_text.startswith(f"Hello {draft.to_name},")
    assert services.person_log(dbsession, conference.id, email=draft.to_email) == []


def test_resend_requeues_failed_and_copies_sent(dbsession):
    conference = _conference(dbsession)
    now = dt.datetime.now(dt.UTC)
    failed = OutboxMessage(
        event="award_winner",
        conference_id=conference.id,
        to_email="Gone@example.org",
        subject="s",
        body_text="b",
        state=OutboxState.failed,
        attempts=6,
        last_error="550 No such user",
        next_attempt_at=now,
    )
    sent = OutboxMessage(
        event="award_winner",
        conference_id=conference.id,
        to_email="gone@example.org",
        subject="s",
        body_text="b",
        state=OutboxState.sent,
        attempts=1,
        next_attempt_at=now,
        sent_at=now,
    )
    dbsession.add_all([failed, sent])
    dbsession.flush()
    later = now + dt.timedelta(minutes=5)
    again = services.resend(dbsession, conference_id=conference.id, message_id=failed.id, now=later)
    assert again.id == failed.id
    assert (again.state, again.attempts, again.next_attempt_at) == (OutboxState.queued, 0, later)
    copy = services.resend(dbsession, conference_id=conference.id, message_id=sent.id, now=later)
    assert copy.id not in (sent.id, failed.id) and copy.state == OutboxState.queued
    assert sent.state == OutboxState.sent
    log = services.person_log(dbsession, conference.id, email="gone@EXAMPLE.org")
    assert [m.id for m in log] == [copy.id, sent.id, failed.id]
    other = _conference(dbsession)
    with pytest.raises(InvalidInput):
        services.resend(dbsession, conference_id=other.id, message_id=sent.id, now=later)


def test_feedback_carries_only_author_visible_texts(dbsession):
    conference = _conference(dbsession, phase="decided")
    assignment = make_assignment(dbsession, conference=conference)
    now = dt.datetime.now(dt.UTC)
    review = review_for(dbsession, assignment, now)
    review.texts = {"comments_authors": "Enlarge the map.", "comments_committee": "Weak; reject."}
    review.state, review.submitted_at = ReviewState.submitted, now
    dbsession.add(
        Decision(
            submission_id=assignment.submission_id,
            conference_id=conference.id,
            outcome=Outcome.accept,
        )
    )
    dbsession.flush()
    assert services.author_feedback(dbsession, [assignment.submission_id]) == {
        assignment.submission_id: [
            {
                "number": 1,
                "fields": [{"label": "Comments for the authors", "text": "Enlarge the map."}],
            }
        ]
    }
    [draft] = services.feedback_drafts(dbsession, conference, public_url="https://p.example")
    [shown] = services.preview(dbsession, conference, "feedback_released", [draft])
    assert "Enlarge the map." in shown.body and "Weak; reject." not in shown.body


def test_reminders_go_to_reviewers_with_missing_reviews_only(dbsession):
    conference = _conference(dbsession, phase="review")
    done = make_assignment(dbsession, conference=conference)
    slow = make_user(dbsession)
    late = make_assignment(dbsession, conference=conference, reviewer=slow)
    also_late = make_assignment(dbsession, conference=conference, reviewer=slow)
    now = dt.datetime.now(dt.UTC)
    review = review_for(dbsession, done, now)
    review.state, review.submitted_at = ReviewState.submitted, now
    dbsession.flush()
    drafts = services.reminder_drafts(dbsession, conference, public_url="https://p.example")
    [draft] = drafts
    assert draft.recipient_id == slow.id and draft.to_email == slow.email
    assert sorted(s["url"] for s in draft.context["submissions"]) == sorted(
        f"https://p.example/reviews/{a.id}/" for a in (late, also_late)
    )
    [shown] = services.preview(dbsession, conference, "review_reminder", drafts)
    assert format_instant(conference.reviews_close_at, conference.timezone, "en") in shown.body
