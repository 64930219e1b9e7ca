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


#: The conference languages we aim to serve (IFLA's seven official languages).
TARGET_LOCALES: tuple[str, ...] = ("en", "fr", "es", "de", "ru", "ar", "zh")
RTL_LOCALES = frozenset({"ar", "fa", "he", "ur"})


def _catalogued() -> tuple[str, ...]:
    """English (the source language, always complete) plus every locale whose compiled
    catalogue ships in ``locale/<code>/LC_MESSAGES/poster_review.mo``. A page is never
    labelled with a language it is not written in."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return ("en", *[code for code in found if code != "en"])


AVAILABLE_LOCALES: tuple[str, ...] = _catalogued()


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
    registry = getattr(request, "registry", None)
    settings = getattr(registry, "poster_settings", None)
    default = str(getattr(settings, "default_locale", "en"))
    accept = getattr(request, "accept_language", None)
    if accept is not None and getattr(accept, "header_value", None):
        # RFC 4647 lookup: "fr-CA" falls back to "fr"; no match gives the default.
        return str(accept.lookup(list(AVAILABLE_LOCALES), default=default))
    return default


def includeme(config: object) -> None:
    from pyramid.config import Configurator

    assert isinstance(config, Configurator)  # noqa: S101 - narrows the type for mypy
    config.set_locale_negotiator(negotiate_locale)
    config.add_translation_dirs("poster_review:locale/")
