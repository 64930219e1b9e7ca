"""Mail: queue messages in the outbox (in the caller's transaction), chairs' templates,
previews of a bulk send, and what the chairs see of the outbox.

Nothing here sends: ``poster-review send-mail`` (or the task queue, after commit)
delivers what was queued, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from poster_review.accounts.models import User
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.awards.models import Decision, Outcome
from poster_review.conferences.models import Conference
from poster_review.db import after_commit_once
from poster_review.errors import InvalidInput
from poster_review.i18n import _
from poster_review.notifications import templating
from poster_review.notifications.models import MailTemplate, OutboxMessage, OutboxState
from poster_review.notifications.rendering import render_email
from poster_review.reviews import rubric as rubrics
from poster_review.reviews.models import Review, ReviewState, RubricVersion
from poster_review.submissions.models import Submission, SubmissionState

log = logging.getLogger(__name__)

TEST_PREFIX = "[TEST] "


# --- Rendering with the conference's templates ------------------------------------------


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str
    #: The language of the template used (the recipient's, or the conference's default).
    locale: str
    #: The conference's saved template used, or None for the shipped default.
    template_id: int | None


def find_template(
    dbsession: Session, conference_id: int, event: str, locale: str
) -> MailTemplate | None:
    return dbsession.scalars(
        select(MailTemplate).where(
            MailTemplate.conference_id == conference_id,
            MailTemplate.event == event,
            MailTemplate.locale == locale,
        )
    ).one_or_none()


def render_default(event: str, context: Mapping[str, Any], locale: str) -> RenderedMail:
    """The shipped default in ``locale``, rendered in the same sandbox as a chair's copy."""
    if event not in templating.EVENTS:
        subject, body = render_email(event, context, locale)
    else:
        source = templating.default_source(event, locale)
        subject, body = templating.render(event, source.subject, source.body, context, locale)
    return RenderedMail(subject, body, locale, None)


def render_for(
    dbsession: Session,
    conference: Conference | None,
    event: str,
    context: Mapping[str, Any],
    locale: str,
) -> RenderedMail:
    """Render ``event`` with the conference's saved template for ``locale``, else its
    template for the conference's default language, else the shipped default in
    ``locale``. Raises templating.RenderError when a saved template fails."""
    if conference is not None:
        for candidate in dict.fromkeys([locale, conference.default_locale]):
            saved = find_template(dbsession, conference.id, event, candidate)
            if saved is not None:
                subject, body = templating.render(
                    event, saved.subject, saved.body, context, saved.locale
                )
                return RenderedMail(subject, body, saved.locale, saved.id)
    return render_default(event, context, locale)


# --- Queueing ---------------------------------------------------------------------------


def queue_email(
    dbsession: Session,
    *,
    event: str,
    to_email: str,
    to_name: str,
    context: Mapping[str, Any],
    now: dt.datetime,
    locale: str = "en",
    recipient_id: int | None = None,
    conference_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Render ``event`` for one recipient and write it to the outbox (not sent yet).

    With ``conference_id`` the conference's own template is used (see render_for); if
    it fails on this recipient's data the shipped default goes out instead, so that a
    chair's mistake never blocks the change that sends the mail. With ``dedupe_key``,
    a message already queued under that key is returned and nothing new is written.
    """
    if dedupe_key is not None:
        existing = dbsession.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).one_or_none()
        if existing is not None:
            return existing
    conference = dbsession.get(Conference, conference_id) if conference_id is not None else None
    full = {**context, "recipient_name": to_name}
    try:
        rendered = render_for(dbsession, conference, event, full, locale)
    except templating.RenderError as exc:
        log.warning(
            "mail template failed conference=%s event=%s locale=%s line=%s; default used",
            conference_id,
            event,
            locale,
            exc.line,
        )
        rendered = render_default(event, full, locale)
    message = OutboxMessage(
        event=event,
        to_email=to_email,
        to_name=to_name,
        subject=rendered.subject[: templating.MAX_SUBJECT],
        body_text=rendered.body,
        recipient_id=recipient_id,
        conference_id=conference_id,
        state=OutboxState.queued,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    dbsession.add(message)
    dbsession.flush()
    _deliver_after_commit(dbsession)
    log.info("mail queued id=%d event=%s", message.id, event)
    return message


def _deliver_after_commit(dbsession: Session) -> None:
    """Once the transaction that queued mail commits, ask a worker to send it now (the
    periodic task would within a minute anyway). Nothing is sent if it rolls back."""

    def deliver() -> None:
        from poster_review import tasks

        if not tasks.huey.immediate:  # tests deliver explicitly
            tasks.deliver_mail()

    after_commit_once(dbsession, "mail_hook", deliver)


# --- The chairs' template editor --------------------------------------------------------


@dataclass(frozen=True)
class EditableTemplate:
    event: templating.Event
    locale: str
    subject: str
    body: str
    #: True when the conference saved its own wording; False shows the shipped default.
    customised: bool
    updated_at: dt.datetime | None = None
    updated_by_id: int | None = None


def mail_locales(conference: Conference) -> list[str]:
    """The languages a conference keeps mail templates in: its default, then the
    languages posters may be presented in."""
    return list(dict.fromkeys([conference.default_locale, *conference.language_list]))


def _editable_event(conference: Conference, event: str, locale: str) -> templating.Event:
    spec = templating.get_event(event)
    if not spec.conference:
        raise InvalidInput(_("Account mail is the same for every conference."))
    if locale not in mail_locales(conference):
        raise InvalidInput(
            _("${locale} is not one of this conference's languages.", mapping={"locale": locale})
        )
    return spec


def editable_template(
    dbsession: Session, conference: Conference, event: str, locale: str
) -> EditableTemplate:
    """What the editor shows: the saved copy, or the default in that language."""
    spec = _editable_event(conference, event, locale)
    saved = find_template(dbsession, conference.id, event, locale)
    if saved is not None:
        return EditableTemplate(
            spec, locale, saved.subject, saved.body, True, saved.updated_at, saved.updated_by_id
        )
    default = templating.default_source(event, locale)
    return EditableTemplate(spec, locale, default.subject, default.body, False)


def editable_events() -> list[templating.Event]:
    return [e for e in templating.EVENTS.values() if e.conference]


def save_template(
    dbsession: Session,
    *,
    conference: Conference,
    event: str,
    locale: str,
    subject: str,
    body: str,
    user_id: int | None,
    now: dt.datetime,
) -> list[templating.Problem]:
    """Check and save a conference's template. Returns the problems found; when there
    are any, nothing is saved. Raises InvalidInput for an account event or a language
    the conference does not use."""
    _editable_event(conference, event, locale)
    body = body.replace("\r\n", "\n")
    problems = templating.validate(event, subject, body, locale)
    if problems:
        return problems
    saved = find_template(dbsession, conference.id, event, locale)
    if saved is None:
        saved = MailTemplate(conference_id=conference.id, event=event, locale=locale)
        dbsession.add(saved)
    saved.subject, saved.body = subject.strip(), body
    saved.updated_at, saved.updated_by_id = now, user_id
    dbsession.flush()
    log.info("mail template saved conference=%d event=%s locale=%s", conference.id, event, locale)
    return []


def reset_template(dbsession: Session, *, conference: Conference, event: str, locale: str) -> bool:
    """Go back to the shipped default. Returns whether a saved copy was removed."""
    saved = find_template(dbsession, conference.id, event, locale)
    if saved is None:
        return False
    dbsession.delete(saved)
    dbsession.flush()
    log.info("mail template reset conference=%d event=%s locale=%s", conference.id, event, locale)
    return True


# --- Bulk sends: recipients, preview, send ----------------------------------------------


@dataclass(frozen=True)
class Draft:
    """One message a chair is about to send. ``key`` names the recipient within the
    send (the form's checkbox value) and, with the batch, makes sending idempotent."""

    key: str
    to_email: str
    to_name: str
    locale: str
    context: Mapping[str, Any]
    recipient_id: int | None = None


@dataclass(frozen=True)
class Preview:
    draft: Draft
    subject: str
    body: str
    locale: str
    #: Why this message cannot be rendered (a chair's template failed on its data).
    error: str | None = None
    problem_line: int | None = None
    customised: bool = False


def preview(
    dbsession: Session, conference: Conference, event: str, drafts: Sequence[Draft]
) -> list[Preview]:
    """Render each draft exactly as it would be queued."""
    out = []
    for draft in drafts:
        context = {**draft.context, "recipient_name": draft.to_name}
        try:
            rendered = render_for(dbsession, conference, event, context, draft.locale)
        except templating.RenderError as exc:
            out.append(Preview(draft, "", "", draft.locale, exc.message, exc.line))
            continue
        out.append(
            Preview(
                draft,
                rendered.subject,
                rendered.body,
                rendered.locale,
                customised=rendered.template_id is not None,
            )
        )
    return out


def send_drafts(
    dbsession: Session,
    *,
    conference: Conference,
    event: str,
    drafts: Sequence[Draft],
    batch: str,
    now: dt.datetime,
    exclude: Collection[str] = (),
) -> list[OutboxMessage]:
    """Queue one message per draft whose key is not in ``exclude``.

    ``batch`` identifies this send (a value the preview form carries): submitting the
    same form twice queues nothing new. Raises InvalidInput, queueing nothing, when a
    message cannot be rendered: the chair fixes the template or removes the recipient.
    """
    chosen = [d for d in drafts if d.key not in set(exclude)]
    failing = [p for p in preview(dbsession, conference, event, chosen) if p.error]
    if failing:
        raise InvalidInput(
            _(
                "The message to ${email} cannot be rendered: ${error}",
                mapping={"email": failing[0].draft.to_email, "error": failing[0].error},
            )
        )
    messages = [
        queue_email(
            dbsession,
            event=event,
            to_email=d.to_email,
            to_name=d.to_name,
            context=d.context,
            now=now,
            locale=d.locale,
            recipient_id=d.recipient_id,
            conference_id=conference.id,
            dedupe_key=f"{conference.id}:{event}:{batch}:{d.key}"[:200],
        )
        for d in chosen
    ]
    log.info(
        "mail batch conference=%d event=%s queued=%d excluded=%d",
        conference.id,
        event,
        len(messages),
        len(drafts) - len(chosen),
    )
    return messages


def send_test(
    dbsession: Session,
    *,
    conference: Conference,
    event: str,
    draft: Draft,
    chair: User,
    now: dt.datetime,
) -> OutboxMessage:
    """Queue ``draft``'s message to the chair instead, subject marked as a test."""
    context = {**draft.context, "recipient_name": draft.to_name}
    rendered = render_for(dbsession, conference, event, context, draft.locale)
    message = OutboxMessage(
        event=f"test:{event}"[:60],
        to_email=chair.email,
        to_name=chair.name,
        subject=(TEST_PREFIX + rendered.subject)[: templating.MAX_SUBJECT],
        body_text=rendered.body,
        recipient_id=chair.id,
        conference_id=conference.id,
        state=OutboxState.queued,
        next_attempt_at=now,
        created_at=now,
    )
    dbsession.add(message)
    dbsession.flush()
    _deliver_after_commit(dbsession)
    log.info("mail test queued id=%d event=%s user=%d", message.id, event, chair.id)
    return message


def _locale_of(user: User | None, conference: Conference) -> str:
    return (user.locale if user is not None and user.locale else None) or conference.default_locale


def _author_drafts(
    dbsession: Session,
    conference: Conference,
    submissions: Sequence[Submission],
    contexts: Mapping[int, Mapping[str, Any]],
) -> list[Draft]:
    """Corresponding authors, and authors with an account, of each submission."""
    user_ids = {a.user_id for s in submissions for a in s.authors if a.user_id is not None}
    users = (
        {u.id: u for u in dbsession.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    drafts = []
    for submission in submissions:
        seen: set[str] = set()
        for author in submission.authors:
            if not author.is_corresponding and author.user_id is None:
                continue
            if author.email.lower() in seen:
                continue
            seen.add(author.email.lower())
            user = users.get(author.user_id) if author.user_id is not None else None
            drafts.append(
                Draft(
                    key=f"s{submission.id}-a{author.id}",
                    to_email=author.email,
                    to_name=author.name,
                    locale=_locale_of(user, conference),
                    context=contexts[submission.id],
                    recipient_id=author.user_id,
                )
            )
    return drafts


def decision_drafts(
    dbsession: Session, conference: Conference, outcome: Outcome, *, untold_only: bool = True
) -> list[Draft]:
    """The authors to tell about ``outcome`` (event ``decision_<outcome>``)."""
    query = (
        select(Submission, Decision)
        .join(Decision, Decision.submission_id == Submission.id)
        .where(
            Decision.conference_id == conference.id,
            Decision.outcome == outcome,
            Submission.state == SubmissionState.submitted,
        )
        .order_by(Submission.number)
    )
    if untold_only:
        query = query.where(Decision.notified_at.is_(None))
    rows = [(s, d) for s, d in dbsession.execute(query)]
    contexts = {
        s.id: {
            "conference_name": conference.name,
            "number": s.number,
            "title": s.title,
            "decision": d.outcome.value,
            "note": d.note,
        }
        for s, d in rows
    }
    return _author_drafts(dbsession, conference, [s for s, _d in rows], contexts)


def author_feedback(
    dbsession: Session, submission_ids: Collection[int]
) -> dict[int, list[dict[str, Any]]]:
    """Submitted reviews of each submission with only the texts the rubric shows to
    authors: ``{submission_id: [{"number": 1, "fields": [{"label", "text"}]}]}``.
    Scores, confidence and committee-only texts never leave this function."""
    rows = dbsession.execute(
        select(Assignment.submission_id, Review, RubricVersion.definition)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(RubricVersion, RubricVersion.id == Review.rubric_id)
        .where(
            Assignment.submission_id.in_(list(submission_ids)),
            Assignment.round == ReviewRound.review,
            Review.state == ReviewState.submitted,
        )
        .order_by(Assignment.submission_id, Assignment.id)
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields_of: dict[int, list[rubrics.TextField]] = {}
    for submission_id, review, definition in rows:
        if review.rubric_id not in fields_of:
            fields_of[review.rubric_id] = [
                f
                for f in rubrics.from_json(definition).text_fields
                if f.visibility == rubrics.Visibility.authors
            ]
        texts = [
            {"label": f.label, "text": str(review.texts.get(f.key, "")).strip()}
            for f in fields_of[review.rubric_id]
        ]
        texts = [t for t in texts if t["text"]]
        if texts:
            out[submission_id].append({"number": len(out[submission_id]) + 1, "fields": texts})
    return dict(out)


def feedback_drafts(dbsession: Session, conference: Conference, *, public_url: str) -> list[Draft]:
    """Authors of decided posters that have reviews with texts for authors."""
    submissions = list(
        dbsession.scalars(
            select(Submission)
            .join(Decision, Decision.submission_id == Submission.id)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
            )
            .order_by(Submission.number)
        )
    )
    feedback = author_feedback(dbsession, [s.id for s in submissions])
    submissions = [s for s in submissions if feedback.get(s.id)]
    contexts = {
        s.id: {
            "conference_name": conference.name,
            "number": s.number,
            "title": s.title,
            "submission_url": f"{public_url}/submissions/{s.id}/",
            "reviews": feedback[s.id],
        }
        for s in submissions
    }
    return _author_drafts(dbsession, conference, submissions, contexts)


def _reviewer_drafts(
    dbsession: Session,
    conference: Conference,
    assignments: Sequence[tuple[Assignment, Submission]],
    *,
    public_url: str,
    with_deadline: bool = True,
) -> list[Draft]:
    by_reviewer: dict[int, list[tuple[Assignment, Submission]]] = defaultdict(list)
    for assignment, submission in assignments:
        by_reviewer[assignment.reviewer_id].append((assignment, submission))
    if not by_reviewer:
        return []
    users = {u.id: u for u in dbsession.scalars(select(User).where(User.id.in_(by_reviewer)))}
    drafts = []
    for reviewer_id, pairs in sorted(by_reviewer.items()):
        user = users[reviewer_id]
        context: dict[str, Any] = {
            "conference_name": conference.name,
            "submissions": [
                {
                    "number": s.number,
                    "title": s.title,
                    "url": f"{public_url}/reviews/{a.id}/",
                }
                for a, s in sorted(pairs, key=lambda pair: pair[1].number)
            ],
            "reviews_url": f"{public_url}/c/{conference.slug}/reviews",
        }
        if with_deadline:
            context |= {"deadline": conference.reviews_close_at, "timezone": conference.timezone}
        drafts.append(
            Draft(
                key=f"u{reviewer_id}",
                to_email=user.email,
                to_name=user.name,
                locale=_locale_of(user, conference),
                context=context,
                recipient_id=reviewer_id,
            )
        )
    return drafts


def _review_assignments(conference: Conference) -> Select[Assignment, Submission]:
    return (
        select(Assignment, Submission)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(
            Assignment.conference_id == conference.id,
            Assignment.round == ReviewRound.review,
            Submission.state == SubmissionState.submitted,
        )
    )


def assignment_drafts(
    dbsession: Session,
    conference: Conference,
    *,
    public_url: str,
    since: dt.datetime | None = None,
) -> list[Draft]:
    """One mail per reviewer listing review assignments made since ``since`` (all when
    None): the recipients of ``assignment_made``."""
    query = _review_assignments(conference)
    if since is not None:
        query = query.where(Assignment.created_at >= since)
    pairs = [(a, s) for a, s in dbsession.execute(query)]
    return _reviewer_drafts(dbsession, conference, pairs, public_url=public_url)


def reminder_drafts(dbsession: Session, conference: Conference, *, public_url: str) -> list[Draft]:
    """Reviewers with review assignments not yet submitted: the recipients of
    ``review_reminder``, each with the posters still missing."""
    submitted = select(Review.assignment_id).where(Review.state == ReviewState.submitted)
    query = _review_assignments(conference).where(Assignment.id.not_in(submitted))
    pairs = [(a, s) for a, s in dbsession.execute(query)]
    return _reviewer_drafts(dbsession, conference, pairs, public_url=public_url)


# --- What the chairs see of the outbox --------------------------------------------------


def outbox_counts(dbsession: Session, conference_id: int) -> dict[OutboxState, int]:
    rows = dbsession.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.conference_id == conference_id)
        .group_by(OutboxMessage.state)
    )
    counts = dict.fromkeys(OutboxState, 0)
    counts.update({state: n for state, n in rows})  # noqa: C416 - rows are Row objects
    return counts


def outbox_messages(
    dbsession: Session,
    conference_id: int,
    *,
    states: Collection[OutboxState] = (),
    event: str | None = None,
    limit: int = 200,
    before_id: int | None = None,
) -> list[OutboxMessage]:
    """The conference's messages, newest first (``before_id`` pages back)."""
    query = select(OutboxMessage).where(OutboxMessage.conference_id == conference_id)
    if states:
        query = query.where(OutboxMessage.state.in_(list(states)))
    if event:
        query = query.where(OutboxMessage.event == event)
    if before_id is not None:
        query = query.where(OutboxMessage.id < before_id)
    return list(dbsession.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def person_log(
    dbsession: Session,
    conference_id: int,
    *,
    user_id: int | None = None,
    email: str | None = None,
    limit: int = 200,
) -> list[OutboxMessage]:
    """Every message of the conference to one person (by account or address)."""
    if user_id is None and not email:
        return []
    whom = []
    if user_id is not None:
        whom.append(OutboxMessage.recipient_id == user_id)
    if email:
        whom.append(func.lower(OutboxMessage.to_email) == email.strip().lower())
    return list(
        dbsession.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.conference_id == conference_id, or_(*whom))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def resend(
    dbsession: Session, *, conference_id: int, message_id: int, now: dt.datetime
) -> OutboxMessage:
    """A failed (or still queued) message is queued again at once with a fresh count
    of attempts; a sent one is copied into a new message, with a new Message-ID so the
    recipient's server does not drop it as a duplicate. Raises InvalidInput for a
    message of another conference or one being sent right now."""
    message = dbsession.get(OutboxMessage, message_id)
    if message is None or message.conference_id != conference_id:
        raise InvalidInput(_("There is no such message in this conference."))
    if message.state == OutboxState.sending:
        raise InvalidInput(_("This message is being sent right now."))
    if message.state in (OutboxState.failed, OutboxState.queued):
        message.state, message.attempts, message.next_attempt_at = OutboxState.queued, 0, now
        dbsession.flush()
        _deliver_after_commit(dbsession)
        log.info("mail requeued id=%d", message.id)
        return message
    copy = OutboxMessage(
        event=message.event,
        conference_id=message.conference_id,
        recipient_id=message.recipient_id,
        to_email=message.to_email,
        to_name=message.to_name,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        state=OutboxState.queued,
        next_attempt_at=now,
        created_at=now,
    )
    dbsession.add(copy)
    dbsession.flush()
    _deliver_after_commit(dbsession)
    log.info("mail resent id=%d copy_of=%d", copy.id, message.id)
    return copy
