"""Translation markers usable everywhere, including pure modules.

``_`` builds :class:`translationstring.TranslationString` objects: they behave as
``str`` (the English default) and are translated by ``request.localizer`` in views
and templates, or by :func:`translate` outside a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from translationstring import TranslationString, TranslationStringFactory

DOMAIN = "poster_review"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_factory = TranslationStringFactory(DOMAIN)


def _(msgid: str, mapping: Mapping[str, object] | None = None, default: str | None = None) -> str:
    """Mark ``msgid`` for translation; ``${name}`` placeholders are filled from ``mapping``.

    Returns a TranslationString (a ``str``), typed as ``str`` for callers.
    """
    ts: str = _factory(msgid, mapping=mapping, default=default)
    return ts

#: Locales with a catalogue; English is the source language and always complete.
AVAILABLE_LOCALES: tuple[str, ...] = ("en", "fr", "es", "de", "ru", "ar", "zh")
RTL_LOCALES = frozenset({"ar"})


def render(message: str, mapping: Mapping[str, object] | None = None) -> str:
    """Return the English text of ``message`` with ``${name}`` placeholders filled.

    Used by command-line tools and logs, which speak English.
    """
    if isinstance(message, TranslationString):
        return (
            str(message.interpolate())
            if mapping is None
            else str(TranslationString(message, mapping=dict(mapping)).interpolate())
        )
    if mapping:
        return str(TranslationString(message, mapping=dict(mapping)).interpolate())
    return str(message)


def negotiate_locale(request: object) -> str:
    """The user's saved choice, then ``?_LOCALE_``/cookie, then Accept-Language, then default."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "locale", None) in AVAILABLE_LOCALES:
        return str(user.locale)
    params = getattr(request, "params", {})
    cookies = getattr(request, "cookies", {})
    for candidate in (params.get("_LOCALE_"), cookies.get("_LOCALE_")):
        if candidate in AVAILABLE_LOCALES:
            return str(candidate)
    accept = getattr(request, "accept_language", None)
    if accept is not None and getattr(accept, "header_value", None):
        best = accept.best_match(list(AVAILABLE_LOCALES))
        if best:
            return str(best)
    registry = getattr(request, "registry", None)
    settings = getattr(registry, "poster_settings", None)
    return str(getattr(settings, "default_locale", "en"))


def includeme(config: object) -> None:
    from pyramid.config import Configurator

    assert isinstance(config, Configurator)  # noqa: S101 - narrows the type for mypy
    config.set_locale_negotiator(negotiate_locale)
    config.add_translation_dirs("poster_review:locale/")
