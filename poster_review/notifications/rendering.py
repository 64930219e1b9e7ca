"""Render e-mail templates (``templates/email/<event>/``) outside any request.

Each event has ``subject.txt.jinja2`` and ``body.txt.jinja2``; the recipient's locale
picks the translations. Chair-editable, sandboxed copies come with the notifications
issue; these files are the defaults.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pyramid.i18n import make_localizer
from translationstring import TranslationString

from poster_review.conferences import timezones
from poster_review.i18n import DOMAIN, LOCALE_DIR
from poster_review.paths import templates_dir


@functools.cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / "email")),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=False,
    )
    localizer = make_localizer(locale, [str(LOCALE_DIR)])

    # Jinja's new-style gettext: the callable translates, then fills %(name)s itself.
    def gettext(message: str, **mapping: Any) -> str:
        text = str(localizer.translate(TranslationString(message, domain=DOMAIN)))
        return text % mapping if mapping else text

    def ngettext(singular: str, plural: str, n: int, **mapping: Any) -> str:
        text = str(localizer.pluralize(singular, plural, n, domain=DOMAIN))
        return text % {"num": n, **mapping}

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["instant"] = lambda value, zone="UTC": timezones.format_instant(value, zone, locale)
    return env


def render_email(event: str, context: Mapping[str, Any], locale: str = "en") -> tuple[str, str]:
    """Return (subject, plain-text body) for ``event``."""
    env = _environment(locale)
    subject = env.get_template(f"{event}/subject.txt.jinja2").render(context)
    body = env.get_template(f"{event}/body.txt.jinja2").render(context)
    return " ".join(subject.split()), body.strip() + "\n"
