"""Filters and globals that templates share: instants in the conference zone, etc."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from pyramid.config import Configurator
from translationstring import TranslationString

from poster_review.conferences import timezones
from poster_review.i18n import AVAILABLE_LOCALES, DOMAIN, RTL_LOCALES, _
from poster_review.units import MB


def _locale(context: Context) -> str:
    request = context.get("request")
    return getattr(request, "locale_name", "en") if request is not None else "en"


@pass_context
def instant(context: Context, value: dt.datetime | None, zone: str = "UTC") -> str:
    """An instant shown in ``zone`` with the zone named; "—" when not set."""
    if value is None:
        return "\u2014"
    return timezones.format_instant(value, zone, _locale(context))


@pass_context
def translate(context: Context, message: Any) -> str:
    """Translate a message built with ``_`` in Python code (form errors, flashes)."""
    if message is None:
        return ""
    request = context.get("request")
    if request is None or not isinstance(message, str):
        return str(message)
    return str(request.localizer.translate(message))


@pass_context
def issue_text(context: Context, item: dict[str, Any], key: str = "message") -> str:
    """Translate a stored inspection message (saved with its msgid and mapping)."""
    request = context.get("request")
    msgid = item.get("msgid") or item.get(key, "")
    if request is None or not msgid:
        return str(item.get(key, ""))
    ts = TranslationString(msgid, domain=DOMAIN, mapping=item.get("mapping") or None)
    return str(request.localizer.translate(ts))


@pass_context
def filesize(context: Context, size: int | None) -> str:
    """Bytes as kB or MB in the reader's locale."""
    if size is None:
        return "\u2014"
    locale = _locale(context)
    if size < MB:
        return f"{format_decimal(max(size / 1000, 0.1), '#,##0.#', locale=locale)} kB"
    return f"{format_decimal(size / MB, '#,##0.#', locale=locale)} MB"


OUTCOME_LABELS = {
    "accept": _("Accepted"),
    "accept_with_revisions": _("Accepted with revisions"),
    "waitlist": _("Waiting list"),
    "reject": _("Not accepted"),
}


@pass_context
def outcome_label(context: Context, outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    request = context.get("request")
    if label is None or request is None:
        return outcome
    return str(request.localizer.translate(label))


EVENT_LABELS = {
    "created": _("created"),
    "updated": _("details changed"),
    "file_uploaded": _("PDF uploaded"),
    "file_inspected": _("PDF checked"),
    "submitted": _("submitted"),
    "withdrawn": _("withdrawn"),
    "reopened": _("reopened by the chairs"),
}


@pass_context
def event_label(context: Context, action: str) -> str:
    label = EVENT_LABELS.get(action)
    request = context.get("request")
    if label is None or request is None:
        return action
    return str(request.localizer.translate(label))


@pass_context
def msg(context: Context, text: str) -> str:
    """Translate stored text that may be one of our msgids (a default rubric's criteria);
    a chair's own wording is shown as written."""
    request = context.get("request")
    if request is None or not text:
        return text
    return str(request.localizer.translate(TranslationString(text, domain=DOMAIN)))


def iso(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).isoformat()


@pass_context
def text_direction(context: Context) -> str:
    return "rtl" if _locale(context) in RTL_LOCALES else "ltr"


def available_locales() -> list[tuple[str, str]]:
    """(code, the language's name in itself) for the language chooser."""
    return [(code, Locale.parse(code).get_display_name(code) or code) for code in AVAILABLE_LOCALES]


def language_name(code: str) -> str:
    """A language's name in itself ("français", "العربية"), for language choosers."""
    try:
        return str(Locale.parse(code).get_display_name(code) or code)
    except (ValueError, TypeError):
        return code


def includeme(config: Configurator) -> None:
    env: Any = config.get_jinja2_environment(".jinja2")
    env.filters["instant"] = instant
    env.filters["iso"] = iso
    env.filters["t"] = translate
    env.filters["msg"] = msg
    env.filters["issue_text"] = issue_text
    env.filters["filesize"] = filesize
    env.filters["event_label"] = event_label
    env.filters["outcome_label"] = outcome_label
    env.filters["zone_label"] = timezones.zone_label
    env.filters["language_name"] = language_name
    env.globals["text_direction"] = text_direction
    env.globals["available_locales"] = available_locales
    env.autoescape = True
