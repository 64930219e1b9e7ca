"""Translation: locale negotiation, every template string marked, catalogues extractable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from webob.acceptparse import create_accept_language_header

from poster_review.i18n import AVAILABLE_LOCALES, negotiate_locale, render

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "templates"


def _request(
    header: str | None = None, user_locale: str | None = None, cookie: str | None = None
) -> SimpleNamespace:
    return SimpleNamespace(
        user=SimpleNamespace(locale=user_locale) if user_locale else None,
        params={},
        cookies={"_LOCALE_": cookie} if cookie else {},
        accept_language=create_accept_language_header(header),
        registry=SimpleNamespace(poster_settings=SimpleNamespace(default_locale="en")),
    )


def test_english_is_always_available():
    assert AVAILABLE_LOCALES[0] == "en"


def test_negotiation_order_user_then_cookie_then_header(monkeypatch):
    monkeypatch.setattr("poster_review.i18n.AVAILABLE_LOCALES", ("en", "fr", "ru"))
    assert negotiate_locale(_request("ru, en;q=0.5")) == "ru"
    assert negotiate_locale(_request("ru", cookie="fr")) == "fr"
    assert negotiate_locale(_request("ru", cookie="fr", user_locale="en")) == "en"
    assert negotiate_locale(_request("ja, ko")) == "en"  # nothing matches: the default
    assert negotiate_locale(_request(None)) == "en"


def test_placeholders_are_filled_for_cli_output():
    from poster_review.i18n import _

    assert (
        render(_("Use at least ${n} characters.", mapping={"n": 10}))
        == "Use at least 10 characters."
    )


# Text between tags that is not inside {{ }}, {% %} or {# #} must be only punctuation,
# numbers or symbols: a word there would reach users untranslated.
_JINJA = re.compile(r"{%-? trans\b.*?endtrans -?%}|{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+);")  # &lt; is punctuation, not words
_ALLOWED = re.compile(r"^[\s\W\d]*$")
# Names of languages in themselves and the product name are not translated.
_EXEMPT = {"poster_review", "SHA-256", "ORCID"}


def test_every_template_string_is_marked_for_translation():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.jinja2")):
        if "email" in path.parts:
            continue  # mail bodies are whole {% trans %} blocks, checked below
        text = _ENTITY.sub(" ", _TAG.sub(" ", _JINJA.sub(" ", path.read_text())))
        for chunk in text.split():
            if chunk in _EXEMPT or _ALLOWED.match(chunk):
                continue
            offenders.append(f"{path.relative_to(REPO)}: {chunk!r}")
    assert offenders == []


def test_email_templates_are_whole_trans_blocks():
    for path in sorted((TEMPLATES / "email").rglob("*.jinja2")):
        outside = _JINJA.sub(" ", path.read_text())
        assert re.sub(r"[\s\W]", "", outside) == "", path


def test_catalogue_extraction_with_one_command(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(REPO / "babel.cfg"),
            "-k",
            "_",
            "--no-wrap",
            "-o",
            str(pot),
            ".",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    text = pot.read_text()
    assert (
        'msgid "Too many failed attempts. Wait ${minutes} minutes and try again, or reset' in text
    )  # from Python
    assert 'msgid "Skip to main content"' in text  # from a template
    assert 'msgid "Please confirm your e-mail address by opening this link:"' in text  # mail


def test_shipped_template_catalogue_is_current(tmp_path):
    """poster_review/locale/poster_review.pot is what `make messages` would write."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(REPO / "babel.cfg"),
            "-k",
            "_",
            "--no-location",
            "--sort-output",
            "--no-wrap",
            "-o",
            str(pot),
            ".",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )

    def ids(p: Path) -> set[str]:
        return set(re.findall(r'^msgid "(.+)"$', p.read_text(), re.M))

    shipped = REPO / "poster_review" / "locale" / "poster_review.pot"
    missing = sorted(ids(pot) - ids(shipped))
    assert missing == [], f"run `make messages`; new strings: {missing[:5]}"
