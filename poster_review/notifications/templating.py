"""Chair-editable mail templates: the event catalogue, checks and sandboxed rendering.

Pure except for Jinja: no web, no database. Every event a conference can send is in
:data:`EVENTS` with the placeholders it offers (shown beside the editor, with an
example each). A chair's copy is checked by :func:`validate` before it is saved
(syntax errors, unknown placeholders and unknown fields are reported with their
line) and rendered by :func:`render` in Jinja's immutable sandbox, so a template can
read the placeholders and nothing else: attributes starting with ``_``, methods that
change data and unsafe ``str.format`` calls raise, and :func:`render` turns that into
:class:`RenderError` with a sentence a chair understands.

The shipped defaults are the files ``templates/email/<event>/{subject,body}.txt.jinja2``
written as whole ``{% trans %}`` blocks; :func:`default_source` gives a chair the same
text in one language, with the translation filled in and plain ``{{ placeholders }}``,
so that it renders exactly as the file does.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from translationstring import TranslationString

from poster_review.conferences import timezones
from poster_review.errors import DomainError
from poster_review.i18n import DOMAIN, LOCALE_DIR, _
from poster_review.paths import templates_dir

MAX_SUBJECT = 500  # the outbox column's length
MAX_RANGE = 1000  # range() in a mail never needs more; keeps a typo from looping for minutes
MAX_OUTPUT = 200_000  # characters; a mail longer than this is a mistake


# --- The catalogue ---------------------------------------------------------------------


@dataclass(frozen=True)
class Placeholder:
    """One value a template may use. ``fields`` makes it a record (``review.number``);
    ``many`` a list of such records, used in ``{% for item in name %}``."""

    name: str
    description: str
    example: object = ""
    fields: tuple[Placeholder, ...] = ()
    many: bool = False

    def field(self, name: str) -> Placeholder | None:
        return next((f for f in self.fields if f.name == name), None)

    def example_value(self) -> object:
        if self.many:  # a list's example is its records, given whole
            items = self.example if isinstance(self.example, tuple | list) else ()
            return [dict(item) for item in items if isinstance(item, Mapping)]
        if self.fields:
            return {f.name: f.example_value() for f in self.fields}
        return self.example


@dataclass(frozen=True)
class Event:
    name: str
    title: str
    description: str
    placeholders: tuple[Placeholder, ...]
    #: False for account mail, which belongs to no conference: only the file default exists.
    conference: bool = True

    def placeholder(self, name: str) -> Placeholder | None:
        return next((p for p in self.placeholders if p.name == name), None)

    def example_context(self) -> dict[str, object]:
        return {p.name: p.example_value() for p in self.placeholders}


_EXAMPLE_INSTANT = dt.datetime(2026, 12, 18, 18, 59, tzinfo=dt.UTC)
_SITE = "https://posters.example.org"

RECIPIENT_NAME = Placeholder("recipient_name", _("The recipient's name"), "Aigerim Seitkali")
CONFERENCE_NAME = Placeholder(
    "conference_name", _("The conference's name"), "World Library and Information Congress"
)
NUMBER = Placeholder("number", _("The poster's number"), 12)
TITLE = Placeholder("title", _("The poster's title"), "Reading rooms for displaced readers")
TIMEZONE = Placeholder(
    "timezone", _("The conference's time zone; dates are shown in it"), "Asia/Almaty"
)
HOURS = Placeholder("hours", _("How many hours the link works"), 24)
SHA256 = Placeholder("sha256", _("The SHA-256 fingerprint of the poster's PDF"), "9f86d0" * 10)
NOTE = Placeholder("note", _("The chairs' note to the authors (may be empty)"), "")
AWARD = Placeholder("award", _("The award's name"), "Best Poster Award")
REVIEWS_URL = Placeholder(
    "reviews_url", _("The link to the reviewer's list"), f"{_SITE}/c/wlic/reviews"
)
SUBMISSION_URL = Placeholder(
    "submission_url", _("The link to the poster's page"), f"{_SITE}/submissions/7/"
)

SESSION_NAME = Placeholder("session_name", _("The poster session's name"), "Poster session 1")
ROUTE_URL = Placeholder(
    "route_url", _("The link to the judge's route and calendar"), f"{_SITE}/c/wlic/route"
)


def _deadline(description: str) -> Placeholder:
    return Placeholder("deadline", description, _EXAMPLE_INSTANT)


def _posters(description: str, *, url: bool) -> Placeholder:
    fields: tuple[Placeholder, ...] = (
        Placeholder("number", _("The poster's number"), 12),
        Placeholder("title", _("The poster's title"), "Reading rooms for displaced readers"),
    )
    if url:
        fields += (Placeholder("url", _("The link to the review form"), f"{_SITE}/reviews/31/"),)
    examples = (
        (12, "Reading rooms for displaced readers", 31),
        (27, "Web archiving on a shoestring: three national libraries compared", 32),
    )
    return Placeholder(
        "submissions",
        description,
        tuple(
            {"number": n, "title": t, **({"url": f"{_SITE}/reviews/{a}/"} if url else {})}
            for n, t, a in examples
        ),
        fields=fields,
        many=True,
    )


_RECEIPT = (
    RECIPIENT_NAME,
    CONFERENCE_NAME,
    NUMBER,
    TITLE,
    SHA256,
    _deadline(_("The submission deadline (empty when none is set)")),
    TIMEZONE,
)
_DECISION = (
    RECIPIENT_NAME,
    CONFERENCE_NAME,
    NUMBER,
    TITLE,
    Placeholder("decision", _("The decision's code"), "accept"),
    NOTE,
)
_REVIEW = Placeholder(
    "reviews",
    _("The reviews, each with the fields the rubric shows to authors"),
    (
        {
            "number": 1,
            "fields": [
                {"label": "Strengths", "text": "A clear question and honest numbers."},
                {"label": "Suggestions", "text": "Make the map larger; it carries the story."},
            ],
        },
        {
            "number": 2,
            "fields": [
                {"label": "Strengths", "text": "Useful to any library with a small budget."},
                {"label": "Suggestions", "text": "Say how the readers were counted."},
            ],
        },
    ),
    fields=(
        Placeholder("number", _("The reviewer's number on this poster (1, 2…)"), 1),
        Placeholder(
            "fields",
            _("The review's texts for authors"),
            (),
            fields=(
                Placeholder("label", _("The question"), "Strengths"),
                Placeholder("text", _("The reviewer's answer"), "A clear, well-argued poster."),
            ),
            many=True,
        ),
    ),
    many=True,
)


def _decision_event(outcome: str, title: str) -> Event:
    return Event(
        f"decision_{outcome}",
        title,
        _("Sent to corresponding authors when the chairs release decisions."),
        tuple(replace(p, example=outcome) if p.name == "decision" else p for p in _DECISION),
    )


EVENTS: Mapping[str, Event] = {
    e.name: e
    for e in (
        Event(
            "confirm_email",
            _("Account confirmation"),
            _("Sent when someone creates an account, to confirm the address."),
            (
                RECIPIENT_NAME,
                Placeholder(
                    "confirm_url",
                    _("The confirmation link"),
                    f"{_SITE}/account/confirm/…",
                ),
                HOURS,
            ),
            conference=False,
        ),
        Event(
            "change_email",
            _("New e-mail address"),
            _("Sent to a new address a user wants to use, to confirm it."),
            (
                RECIPIENT_NAME,
                Placeholder("new_email", _("The new address"), "a.seitkali@example.org"),
                Placeholder(
                    "confirm_url",
                    _("The confirmation link"),
                    f"{_SITE}/account/email/…",
                ),
                HOURS,
            ),
            conference=False,
        ),
        Event(
            "reset_password",
            _("Password reset"),
            _("Sent when someone asks to choose a new password."),
            (
                RECIPIENT_NAME,
                Placeholder(
                    "reset_url",
                    _("The link to choose a new password"),
                    f"{_SITE}/account/reset/…",
                ),
                HOURS,
            ),
            conference=False,
        ),
        Event(
            "account_exists",
            _("Registration with a known address"),
            _("Sent when someone tries to register an address that already has an account."),
            (
                RECIPIENT_NAME,
                Placeholder(
                    "reset_url",
                    _("The link to choose a new password"),
                    f"{_SITE}/account/reset/…",
                ),
            ),
            conference=False,
        ),
        Event(
            "submission_received",
            _("Submission received"),
            _("The receipt sent to the authors when a poster is submitted."),
            _RECEIPT,
        ),
        Event(
            "submission_updated",
            _("Submission updated"),
            _("Sent to the authors when a submitted poster changes."),
            _RECEIPT,
        ),
        Event(
            "submission_withdrawn",
            _("Submission withdrawn"),
            _("Sent to the authors when a poster is withdrawn."),
            _RECEIPT,
        ),
        Event(
            "coauthor_added",
            _("Co-author added"),
            _("Sent to a person added as an author of a poster."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                TITLE,
                Placeholder("added_by", _("Who added them"), "Daniyar Akhmetov"),
            ),
        ),
        Event(
            "invitation",
            _("Invitation (reviewer, judge or chair)"),
            _("Sent to a person the chairs invite to the conference in a role."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                Placeholder("inviter_name", _("Who sends the invitation"), "Maria Lopez"),
                Placeholder("role", _("The role offered"), "reviewer"),
                Placeholder(
                    "invitation_url",
                    _("The link to accept"),
                    f"{_SITE}/invitation/…",
                ),
            ),
        ),
        Event(
            "assignment_made",
            _("Posters assigned"),
            _("Sent to a reviewer when posters are assigned to them."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                _posters(_("The posters newly assigned"), url=True),
                REVIEWS_URL,
                _deadline(_("When reviews close (empty when none is set)")),
                TIMEZONE,
            ),
        ),
        Event(
            "assignment_removed",
            _("Assignment removed"),
            _("Sent to a reviewer when posters are taken off their list."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                _posters(_("The posters taken off the list"), url=False),
                REVIEWS_URL,
            ),
        ),
        Event(
            "review_reminder",
            _("Review reminder"),
            _("Sent before reviews close to reviewers with reviews still missing."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                _posters(_("The posters whose review is missing"), url=True),
                REVIEWS_URL,
                _deadline(_("When reviews close")),
                TIMEZONE,
            ),
        ),
        _decision_event("accept", _("Decision: accepted")),
        _decision_event("accept_with_revisions", _("Decision: accepted with revisions")),
        _decision_event("waitlist", _("Decision: waiting list")),
        _decision_event("reject", _("Decision: not accepted")),
        Event(
            "feedback_released",
            _("Reviews released to authors"),
            _("Sent to the authors when the reviewers' comments become visible to them."),
            (RECIPIENT_NAME, CONFERENCE_NAME, NUMBER, TITLE, SUBMISSION_URL, _REVIEW),
        ),
        Event(
            "shortlisted",
            _("Shortlisted for an award"),
            _("Sent to the authors of a poster the jury will visit during the session."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                NUMBER,
                TITLE,
                AWARD,
                Placeholder(
                    "session_start",
                    _("When the poster session starts (empty when not set)"),
                    _EXAMPLE_INSTANT,
                ),
                TIMEZONE,
            ),
        ),
        Event(
            "award_winner",
            _("Award winner"),
            _("Sent to the authors of a poster that won an award."),
            (RECIPIENT_NAME, CONFERENCE_NAME, NUMBER, TITLE, AWARD),
        ),
        Event(
            "judge_route",
            _("Judging route"),
            _("Sent to a judge when the chairs apply the session's judging plan."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                SESSION_NAME,
                Placeholder("hall", _("The hall of the session"), "Hall B"),
                TIMEZONE,
                Placeholder(
                    "visits",
                    _("The judge's visits in order, each with its time, board and title"),
                    (
                        {"start": _EXAMPLE_INSTANT, "board": "B12", "title": "Reading rooms"},
                        {"start": _EXAMPLE_INSTANT, "board": "B14", "title": "Web archiving"},
                    ),
                    fields=(
                        Placeholder("start", _("When the visit starts"), _EXAMPLE_INSTANT),
                        Placeholder("board", _("The board's number"), "B12"),
                        Placeholder("title", _("The poster's title"), "Reading rooms"),
                    ),
                    many=True,
                ),
                ROUTE_URL,
            ),
        ),
        Event(
            "judge_visit_added",
            _("One more poster to judge"),
            _("Sent to a judge whom a chair sends to a poster during the session."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                SESSION_NAME,
                TIMEZONE,
                Placeholder("start", _("When the visit starts"), _EXAMPLE_INSTANT),
                Placeholder("board", _("The board's number"), "B12"),
                TITLE,
                Placeholder(
                    "review_url", _("The link to the judging form"), f"{_SITE}/reviews/31/"
                ),
                ROUTE_URL,
            ),
        ),
        Event(
            "judge_magic_link",
            _("Judge sign-in link"),
            _("Sent to a judge: the link that signs them in on their phone."),
            (
                RECIPIENT_NAME,
                CONFERENCE_NAME,
                Placeholder("login_url", _("The one-time sign-in link"), f"{_SITE}/judge/…"),
                HOURS,
            ),
        ),
    )
}

#: Decision outcome -> event name.
DECISION_EVENTS: Mapping[str, str] = {
    "accept": "decision_accept",
    "accept_with_revisions": "decision_accept_with_revisions",
    "waitlist": "decision_waitlist",
    "reject": "decision_reject",
}


def get_event(name: str) -> Event:
    """The event called ``name``; raises UnknownEvent."""
    try:
        return EVENTS[name]
    except KeyError:
        raise UnknownEvent(
            _("There is no mail event called ${name}.", mapping={"name": name})
        ) from None


# --- Errors and problems ----------------------------------------------------------------


class UnknownEvent(DomainError):
    status = 404


class RenderError(DomainError):
    """A saved template failed with real data (or broke the sandbox's rules)."""

    def __init__(self, message: str, *, part: str, line: int | None) -> None:
        super().__init__(message)
        self.part, self.line = part, line


@dataclass(frozen=True)
class Problem:
    """What is wrong with a template: ``part`` is "subject" or "body"; ``line`` is
    1-based within that part, or None when the problem has no single line."""

    part: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Source:
    subject: str
    body: str


# --- Values templates see ---------------------------------------------------------------


@dataclass(frozen=True)
class Instant:
    """An aware datetime that prints in the conference's zone and the mail's language,
    with the zone named, so ``{{ deadline }}`` is right without a filter."""

    at: dt.datetime
    zone: str
    locale: str

    def __str__(self) -> str:
        return timezones.format_instant(self.at, self.zone, self.locale)


def _instant_filter(locale: str) -> Any:
    def instant(value: object, zone: str | None = None) -> str:
        if isinstance(value, Instant):
            return timezones.format_instant(value.at, zone or value.zone, locale)
        if isinstance(value, dt.datetime):
            return timezones.format_instant(value, zone or "UTC", locale)
        return "" if value is None else str(value)

    return instant


def _prepare(value: object, zone: str, locale: str, translations: NullTranslations) -> object:
    """Give the template plain data: instants wrapped, marked strings translated,
    records as dicts and lists as tuples (the sandbox forbids changing them anyway)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return Instant(value, zone, locale)
    if isinstance(value, TranslationString):
        text = translations.gettext(str(value))
        if text == str(value):
            text = value.default
        return str(TranslationString(text, mapping=value.mapping).interpolate())
    if isinstance(value, Mapping):
        return {str(k): _prepare(v, zone, locale, translations) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(_prepare(v, zone, locale, translations) for v in value)
    return value


# --- The sandbox ------------------------------------------------------------------------


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        # "x" * 10**9 or 10**10**10 would exhaust memory or time while being checked.
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("the exponent is too large")
        if operator == "*":
            size = max(len(v) if isinstance(v, str | list | tuple) else 0 for v in (left, right))
            other = right if isinstance(left, str | list | tuple) else left
            if size and isinstance(other, int) and size * other > MAX_OUTPUT:
                raise SecurityError("the repeated text is too long")
        return super().call_binop(context, operator, left, right)


def _range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items in a mail")
    return result


@functools.cache
def _translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale], DOMAIN)


@functools.cache
def _environment(locale: str) -> _Sandbox:
    env = _Sandbox(
        undefined=StrictUndefined,
        autoescape=False,  # plain-text mail: escaping would show "&amp;" to readers
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=False,
    )
    env.install_gettext_translations(_translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["instant"] = _instant_filter(locale)
    env.globals["range"] = _range
    del env.globals["lipsum"]  # no use in mail, and slow with a large n
    return env


# --- Checking ---------------------------------------------------------------------------


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line of a render-time error: Jinja rewrites tracebacks so that the
    frames of compiled templates carry the template's own line numbers."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _path(expr: nodes.Node) -> str:
    if isinstance(expr, nodes.Name):
        return expr.name
    if isinstance(expr, nodes.Getattr):
        return f"{_path(expr.node)}.{expr.attr}"
    if isinstance(expr, nodes.Getitem) and isinstance(expr.arg, nodes.Const):
        return f"{_path(expr.node)}[{expr.arg.value!r}]"
    return "…"


def _names(node: nodes.Node) -> Iterator[str]:
    if isinstance(node, nodes.Name):
        yield node.name
    elif isinstance(node, nodes.Tuple):
        for item in node.items:
            yield from _names(item)


@dataclass
class _Checker:
    """Walks a parsed template, following what each name and field refers to."""

    event: Event
    part: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, node: nodes.Node, message: str) -> None:
        self.problems.append(Problem(self.part, node.lineno, message))

    def resolve(
        self, expr: nodes.Node, scope: Mapping[str, Placeholder | None]
    ) -> Placeholder | None:
        """The placeholder ``expr`` denotes, or None when it is not statically known."""
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                return scope[expr.name]
            return self.event.placeholder(expr.name)
        if isinstance(expr, nodes.Getattr | nodes.Getitem):
            attr = self._attribute(expr)
            base = self.resolve(expr.node, scope)
            if base is None or base.many or attr is None:
                return None
            return base.field(attr)
        return None

    @staticmethod
    def _attribute(expr: nodes.Getattr | nodes.Getitem) -> str | None:
        if isinstance(expr, nodes.Getattr):
            return expr.attr
        if isinstance(expr.arg, nodes.Const) and isinstance(expr.arg.value, str):
            return expr.arg.value
        return None

    def check_access(
        self, expr: nodes.Getattr | nodes.Getitem, scope: Mapping[str, Placeholder | None]
    ) -> None:
        attr = self._attribute(expr)
        if attr is not None and attr.startswith("_"):
            inner = expr.node
            if isinstance(inner, nodes.Getattr | nodes.Getitem) and (
                self._attribute(inner) or ""
            ).startswith("_"):
                return  # the inner access is reported; one message per mistake
            self.add(
                expr,
                _(
                    "“${path}” is not allowed: names starting with an underscore are internal.",
                    mapping={"path": _path(expr)},
                ),
            )
            return
        base = self.resolve(expr.node, scope)
        if base is None or attr is None:
            return  # computed values: the sandbox checks them when rendering
        if base.many:
            self.add(
                expr,
                _(
                    "“${name}” is a list: use {% for item in ${name} %}…{% endfor %}.",
                    mapping={"name": _path(expr.node)},
                ),
            )
        elif not base.fields:
            self.add(
                expr,
                _(
                    "“${name}” has no field “${attr}”; write {{ ${name} }} or use a filter "
                    "such as {{ ${name}|upper }}.",
                    mapping={"name": _path(expr.node), "attr": attr},
                ),
            )
        elif base.field(attr) is None:
            self.add(
                expr,
                _(
                    "“${name}” has no field “${attr}”. Its fields are: ${fields}.",
                    mapping={
                        "name": _path(expr.node),
                        "attr": attr,
                        "fields": ", ".join(f.name for f in base.fields),
                    },
                ),
            )

    def walk(self, node: nodes.Node, scope: Mapping[str, Placeholder | None]) -> None:
        if isinstance(node, nodes.For):
            self.walk(node.iter, scope)
            items = self.resolve(node.iter, scope)
            element = replace(items, many=False) if items is not None and items.many else None
            inner = dict(scope)
            for name in _names(node.target):
                inner[name] = element
            for child in [*node.body, *([node.test] if node.test else [])]:
                self.walk(child, inner)
            for child in node.else_:
                self.walk(child, scope)
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            self.check_access(node, scope)
        for child in node.iter_child_nodes():
            self.walk(child, scope)


def _first_use(ast: nodes.Template, name: str) -> nodes.Node | None:
    return next((n for n in ast.find_all(nodes.Name) if n.name == name and n.ctx == "load"), None)


def _check_part(event: Event, part: str, source: str, env: _Sandbox) -> list[Problem]:
    try:
        ast = env.parse(source)
        env.compile(source)  # unknown filters and tests are found when compiling
    except TemplateSyntaxError as exc:
        return [
            Problem(
                part,
                exc.lineno,
                _("Template syntax error: ${detail}", mapping={"detail": exc.message or ""}),
            )
        ]
    checker = _Checker(event, part)
    known = {p.name for p in event.placeholders} | set(env.globals)
    for name in sorted(meta.find_undeclared_variables(ast) - known):
        node = _first_use(ast, name)
        checker.problems.append(
            Problem(
                part,
                node.lineno if node is not None else None,
                _(
                    "Unknown placeholder “${name}”. This mail offers: ${names}.",
                    mapping={
                        "name": name,
                        "names": ", ".join(p.name for p in event.placeholders),
                    },
                ),
            )
        )
    checker.walk(ast, {})
    return sorted(checker.problems, key=lambda p: (p.line or 0, p.message))


def validate(event: str, subject: str, body: str, locale: str = "en") -> list[Problem]:
    """Check a chair's template for ``event``; an empty list means it may be saved.

    Reports syntax errors, unknown placeholders or fields, and anything the sandbox
    refuses or that fails when the template is rendered with the example values.
    """
    spec = get_event(event)
    env = _environment(locale)
    problems = [
        *_check_part(spec, "subject", subject, env),
        *_check_part(spec, "body", body, env),
    ]
    if problems:
        return problems
    try:
        rendered_subject, _body = render(event, subject, body, spec.example_context(), locale)
    except RenderError as exc:
        return [Problem(exc.part, exc.line, exc.message)]
    if not rendered_subject:
        return [Problem("subject", None, _("The subject is empty."))]
    return []


# --- Rendering --------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _compiled(locale: str, source: str) -> Template:
    # A bulk send renders one template hundreds of times; compile it once.
    return _environment(locale).from_string(source)


def _render_part(locale: str, part: str, source: str, context: Mapping[str, object]) -> str:
    try:
        text = _compiled(locale, source).render(context)
    except SecurityError as exc:
        raise RenderError(
            _(
                "Not allowed in a mail template: ${detail} Templates may use only the "
                "placeholders listed beside the editor.",
                mapping={"detail": exc.message or ""},
            ),
            part=part,
            line=_template_line(exc.__traceback__),
        ) from None
    except UndefinedError as exc:
        raise RenderError(
            _("A placeholder has no value: ${detail}", mapping={"detail": exc.message or ""}),
            part=part,
            line=_template_line(exc.__traceback__),
        ) from None
    except TemplateSyntaxError as exc:
        raise RenderError(
            _("Template syntax error: ${detail}", mapping={"detail": exc.message or ""}),
            part=part,
            line=exc.lineno,
        ) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise RenderError(
            _("The template failed: ${detail}", mapping={"detail": str(exc)}),
            part=part,
            line=_template_line(exc.__traceback__),
        ) from None
    if len(text) > MAX_OUTPUT:
        raise RenderError(
            _("The mail is longer than ${n} characters.", mapping={"n": MAX_OUTPUT}),
            part=part,
            line=None,
        )
    return text


def render(
    event: str, subject: str, body: str, context: Mapping[str, object], locale: str = "en"
) -> tuple[str, str]:
    """Render a chair's template in the sandbox. Returns (subject on one line, body).

    Aware datetimes become :class:`Instant` values shown in ``context["timezone"]``
    (UTC when absent); :class:`TranslationString` values are translated to ``locale``.
    Raises RenderError (with the part and line) on anything the sandbox refuses, a
    missing value or any other failure of the template.
    """
    get_event(event)
    zone = str(context.get("timezone") or "UTC")
    translations = _translations(locale)
    values = {str(k): _prepare(v, zone, locale, translations) for k, v in context.items()}
    rendered_subject = " ".join(_render_part(locale, "subject", subject, values).split())
    rendered_body = _render_part(locale, "body", body, values).strip() + "\n"
    return rendered_subject[:MAX_SUBJECT], rendered_body


# --- Defaults ---------------------------------------------------------------------------

_TRANS = re.compile(r"\{%-?\s*trans\b(?P<args>.*?)-?%\}(?P<body>.*?)\{%-?\s*endtrans\s*-?%\}", re.S)
_ARG = re.compile(r"(\w+)\s*=\s*([^,]+)")
_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_SLOT = re.compile(r"%\((\w+)\)s|%%")


def localise_source(source: str, locale: str) -> str:
    """Replace each ``{% trans %}`` block of a default template by its translation in
    ``locale``, with plain ``{{ expression }}`` placeholders: the text a chair edits."""
    translations = _translations(locale)

    def one(match: re.Match[str]) -> str:
        bound: dict[str, str] = {
            str(name): str(expr).strip() for name, expr in _ARG.findall(match["args"])
        }
        msgid = _VAR.sub(lambda m: f"%({m[1]})s", match["body"].replace("%", "%%"))
        text = translations.gettext(msgid)

        def slot(m: re.Match[str]) -> str:
            if m[0] == "%%":
                return "%"
            name = str(m[1])
            return "{{ " + bound.get(name, name) + " }}"

        return _SLOT.sub(slot, text)

    return _TRANS.sub(one, source)


def default_source(event: str, locale: str = "en") -> Source:
    """The shipped default of ``event`` in ``locale``, as a chair would edit it."""
    get_event(event)
    folder = templates_dir() / "email" / event
    subject = (folder / "subject.txt.jinja2").read_text(encoding="utf-8")
    body = (folder / "body.txt.jinja2").read_text(encoding="utf-8")
    return Source(localise_source(subject, locale).strip(), localise_source(body, locale))
