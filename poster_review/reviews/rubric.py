"""Rubrics: weighted criteria with anchored levels, free-text fields, and score checks.

Pure: no web, no database. A rubric is stored as JSON (``as_json``/``from_json``) and
versioned by the caller; once a score exists for a version, that version never changes.
Totals are on a 0-100 scale: each criterion's score is rescaled from its own scale,
weighted, and criteria left empty ("not observed") on optional criteria re-weight the
others instead of counting as zero.

A rubric is written in one base language and may carry translations of its wording per
locale. A translation changes words only: keys, weights, scales and rules stay those of
the base, so a score means the same whatever language the reviewer read it in.
``localised`` gives the rubric as a reader of one locale sees it, with the base text
wherever a translation is missing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from poster_review.i18n import _

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: A locale code as Pyramid and Babel write it: "fr", "pt_BR", "zh_Hant".
LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})?$")


class Visibility(enum.StrEnum):
    authors = "authors"  # shown to the authors with the decision
    committee = "committee"  # chairs and, after they submit, fellow reviewers only


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: float
    scale_min: int = 1
    scale_max: int = 5
    description: str = ""
    #: Level -> what that level means ("1 = the message is unclear").
    levels: Mapping[int, str] = field(default_factory=dict)
    required: bool = True

    def rescaled(self, value: int) -> float:
        """The score on a 0-1 scale."""
        return (value - self.scale_min) / (self.scale_max - self.scale_min)


@dataclass(frozen=True)
class TextField:
    key: str
    label: str
    visibility: Visibility = Visibility.authors
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class CriterionText:
    """A criterion's wording in one other language; an empty text is not translated."""

    name: str = ""
    description: str = ""
    levels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextFieldText:
    """A comment field's wording in one other language; an empty text is not translated."""

    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class Translation:
    """The rubric's wording in one locale, keyed like the rubric (criteria and fields by
    key, anchored levels by level)."""

    name: str = ""
    criteria: Mapping[str, CriterionText] = field(default_factory=dict)
    text_fields: Mapping[str, TextFieldText] = field(default_factory=dict)


@dataclass(frozen=True)
class Rubric:
    name: str
    criteria: tuple[Criterion, ...]
    text_fields: tuple[TextField, ...] = ()
    #: Ask for the reviewer's confidence (1-5) with the scores.
    confidence: bool = True
    #: Locale -> the wording in that locale.
    translations: Mapping[str, Translation] = field(default_factory=dict)

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class ScoreSheet:
    """What one reviewer entered; ``None`` means "not scored / not observed"."""

    scores: Mapping[str, int | None]
    texts: Mapping[str, str] = field(default_factory=dict)
    confidence: int | None = None


class RubricError(ValueError):
    """A rubric definition is not valid; ``problems`` says what, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def check(rubric: Rubric) -> list[str]:
    """Problems with a rubric definition (empty when it is usable)."""
    problems: list[str] = []
    if not rubric.criteria:
        problems.append(_("A rubric needs at least one criterion."))
    keys = [c.key for c in rubric.criteria] + [t.key for t in rubric.text_fields]
    if len(keys) != len(set(keys)):
        problems.append(_("Two criteria or fields have the same key."))
    for c in rubric.criteria:
        if not KEY.match(c.key):
            problems.append(
                _(
                    "The key ${key} may use lower-case letters, digits and _ only.",
                    mapping={"key": c.key},
                )
            )
        if c.weight <= 0:
            problems.append(
                _("The weight of ${name} must be more than 0.", mapping={"name": c.name})
            )
        if c.scale_max <= c.scale_min or c.scale_max - c.scale_min > 100:
            problems.append(
                _(
                    "The scale of ${name} must go up, with at most 100 steps.",
                    mapping={"name": c.name},
                )
            )
        if any(not c.scale_min <= level <= c.scale_max for level in c.levels):
            problems.append(_("A level of ${name} is outside its scale.", mapping={"name": c.name}))
    for locale, translation in sorted(rubric.translations.items()):
        problems += _translation_problems(rubric, locale, translation)
    return problems


def _translation_problems(rubric: Rubric, locale: str, translation: Translation) -> list[str]:
    """A translation may only word what the base rubric has: its criteria, the levels
    the base anchors with a text, and its comment fields."""
    if not LOCALE.match(locale):
        return [_("${locale} is not a language code.", mapping={"locale": locale})]
    problems: list[str] = []
    criteria = {c.key: c for c in rubric.criteria}
    for key, text in sorted(translation.criteria.items()):
        criterion = criteria.get(key)
        if criterion is None:
            problems.append(
                _(
                    "The ${locale} translation names a criterion ${key} that the rubric "
                    "does not have.",
                    mapping={"locale": locale, "key": key},
                )
            )
            continue
        for level in sorted(set(text.levels) - set(criterion.levels)):
            problems.append(
                _(
                    "The ${locale} translation of ${name} describes level ${level}, but "
                    "the rubric gives that level no text.",
                    mapping={"locale": locale, "name": criterion.name, "level": level},
                )
            )
    fields = {t.key for t in rubric.text_fields}
    for key in sorted(set(translation.text_fields) - fields):
        problems.append(
            _(
                "The ${locale} translation names a comment field ${key} that the rubric "
                "does not have.",
                mapping={"locale": locale, "key": key},
            )
        )
    return problems


def translation_for(rubric: Rubric, locale: str | None) -> Translation | None:
    """The translation a reader of ``locale`` gets: the exact locale ("pt_BR"), else its
    language ("pt" for "pt_BR"); None when the rubric has neither."""
    if not locale:
        return None
    wanted = locale.replace("-", "_")
    found = rubric.translations.get(wanted)
    if found is None:
        found = rubric.translations.get(wanted.split("_", 1)[0].lower())
    return found


def localised(rubric: Rubric, locale: str | None) -> Rubric:
    """The rubric worded for a reader of ``locale``.

    Each translated text replaces its base text; a text without a translation (a
    criterion's name, description or one level's meaning, a field's label or help)
    stays as in the base. Keys, weights, scales and rules are unchanged, so scores and
    totals are the same in every language. The result is for display: it carries no
    translations of its own.
    """
    translation = translation_for(rubric, locale)
    if translation is None:
        return replace(rubric, translations={})
    criteria = []
    for c in rubric.criteria:
        text = translation.criteria.get(c.key, CriterionText())
        criteria.append(
            replace(
                c,
                name=text.name or c.name,
                description=text.description or c.description,
                levels={level: text.levels.get(level) or base for level, base in c.levels.items()},
            )
        )
    fields = []
    for t in rubric.text_fields:
        words = translation.text_fields.get(t.key, TextFieldText())
        fields.append(replace(t, label=words.label or t.label, help=words.help or t.help))
    return replace(
        rubric,
        name=translation.name or rubric.name,
        criteria=tuple(criteria),
        text_fields=tuple(fields),
        translations={},
    )


def weighted_total(rubric: Rubric, scores: Mapping[str, int | None]) -> float | None:
    """The 0-100 total of the scored criteria, or None when nothing is scored."""
    got = [(c, scores.get(c.key)) for c in rubric.criteria]
    scored = [(c, v) for c, v in got if v is not None]
    weight = sum(c.weight for c, _v in scored)
    if not scored or weight == 0:
        return None
    return round(100 * sum(c.weight * c.rescaled(v) for c, v in scored) / weight, 4)


def parse_sheet(rubric: Rubric, data: Mapping[str, Any]) -> tuple[ScoreSheet, dict[str, str]]:
    """Read a score sheet from form or JSON values; errors are keyed by field name.

    Accepts ``score-<key>``/``text-<key>``/``confidence`` (the form) or
    ``{"scores": {...}, "texts": {...}, "confidence": n}`` (the autosave JSON).
    Empty values are "not scored yet", never zero.
    """
    scores_in = data.get("scores") if isinstance(data.get("scores"), Mapping) else None
    texts_in = data.get("texts") if isinstance(data.get("texts"), Mapping) else None
    errors: dict[str, str] = {}
    scores: dict[str, int | None] = {}
    for c in rubric.criteria:
        raw = scores_in.get(c.key) if scores_in is not None else data.get(f"score-{c.key}")
        value, problem = _integer(raw, c.scale_min, c.scale_max)
        if problem:
            errors[f"score-{c.key}"] = problem
        scores[c.key] = value
    texts: dict[str, str] = {}
    for t in rubric.text_fields:
        raw = texts_in.get(t.key) if texts_in is not None else data.get(f"text-{t.key}")
        text = raw if isinstance(raw, str) else ""
        if len(text) > 20_000:
            errors[f"text-{t.key}"] = _("Use at most ${n} characters.", mapping={"n": 20_000})
            text = text[:20_000]
        texts[t.key] = text.replace("\x00", "")
    confidence = None
    if rubric.confidence:
        confidence, problem = _integer(data.get("confidence"), 1, 5)
        if problem:
            errors["confidence"] = problem
    return ScoreSheet(scores, texts, confidence), errors


def _integer(raw: object, low: int, high: int) -> tuple[int | None, str | None]:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, bool):
        return None, _("Choose one of the levels.")
    try:
        value = int(raw) if isinstance(raw, int) else int(str(raw).strip())
    except ValueError:
        return None, _("Choose one of the levels.")
    if not low <= value <= high:
        return None, _("Choose a level from ${low} to ${high}.", mapping={"low": low, "high": high})
    return value, None


def missing_for_submit(rubric: Rubric, sheet: ScoreSheet) -> list[str]:
    """What must be filled before a review can be submitted."""
    missing = [c.name for c in rubric.criteria if c.required and sheet.scores.get(c.key) is None]
    missing += [
        t.label for t in rubric.text_fields if t.required and not sheet.texts.get(t.key, "").strip()
    ]
    if rubric.confidence and sheet.confidence is None:
        missing.append(str(_("Confidence")))
    return missing


def as_json(rubric: Rubric) -> dict[str, Any]:
    """The JSON stored for a rubric; ``translations`` only when there are some, so a
    rubric without them is stored exactly as before they existed."""
    data: dict[str, Any] = {
        "name": rubric.name,
        "confidence": rubric.confidence,
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "weight": c.weight,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "description": c.description,
                "required": c.required,
                "levels": {str(k): v for k, v in sorted(c.levels.items())},
            }
            for c in rubric.criteria
        ],
        "text_fields": [
            {
                "key": t.key,
                "label": t.label,
                "visibility": t.visibility.value,
                "required": t.required,
                "help": t.help,
            }
            for t in rubric.text_fields
        ],
    }
    if rubric.translations:
        data["translations"] = {
            locale: _translation_json(t) for locale, t in sorted(rubric.translations.items())
        }
    return data


def _translation_json(translation: Translation) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if translation.name:
        data["name"] = translation.name
    criteria: dict[str, Any] = {}
    for key, c in translation.criteria.items():
        entry: dict[str, Any] = {}
        if c.name:
            entry["name"] = c.name
        if c.description:
            entry["description"] = c.description
        if c.levels:
            entry["levels"] = {str(k): v for k, v in sorted(c.levels.items())}
        criteria[key] = entry
    if criteria:
        data["criteria"] = criteria
    fields: dict[str, Any] = {}
    for key, t in translation.text_fields.items():
        entry = {}
        if t.label:
            entry["label"] = t.label
        if t.help:
            entry["help"] = t.help
        fields[key] = entry
    if fields:
        data["text_fields"] = fields
    return data


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be an object")
    return value


def _text(value: object) -> str:
    """A stored text; blank means "not translated"."""
    return str(value).strip() if value is not None else ""


def translations_from_json(data: object) -> dict[str, Translation]:
    """Translations from stored JSON; blank texts, and entries left with nothing in
    them, are dropped (they would show the base text anyway)."""
    found: dict[str, Translation] = {}
    for locale, raw in _mapping(data, "translations").items():
        words = _mapping(raw, f"translations.{locale}")
        criteria: dict[str, CriterionText] = {}
        for key, raw_c in _mapping(words.get("criteria") or {}, "criteria").items():
            c = _mapping(raw_c, f"criteria.{key}")
            levels = {
                int(level): _text(text)
                for level, text in _mapping(c.get("levels") or {}, "levels").items()
                if _text(text)
            }
            text = CriterionText(_text(c.get("name")), _text(c.get("description")), levels)
            if text != CriterionText():
                criteria[str(key)] = text
        fields: dict[str, TextFieldText] = {}
        for key, raw_t in _mapping(words.get("text_fields") or {}, "text_fields").items():
            t = _mapping(raw_t, f"text_fields.{key}")
            label = TextFieldText(_text(t.get("label")), _text(t.get("help")))
            if label != TextFieldText():
                fields[str(key)] = label
        translation = Translation(_text(words.get("name")), criteria, fields)
        if translation != Translation():
            found[str(locale)] = translation
    return found


def from_json(data: Mapping[str, Any]) -> Rubric:
    """Build a rubric from stored JSON. Raises RubricError when it is not valid."""
    try:
        rubric = Rubric(
            name=str(data["name"]),
            confidence=bool(data.get("confidence", True)),
            criteria=tuple(
                Criterion(
                    key=str(c["key"]),
                    name=str(c["name"]),
                    weight=float(c["weight"]),
                    scale_min=int(c.get("scale_min", 1)),
                    scale_max=int(c.get("scale_max", 5)),
                    description=str(c.get("description", "")),
                    required=bool(c.get("required", True)),
                    levels={int(k): str(v) for k, v in dict(c.get("levels", {})).items()},
                )
                for c in data["criteria"]
            ),
            text_fields=tuple(
                TextField(
                    key=str(t["key"]),
                    label=str(t["label"]),
                    visibility=Visibility(t.get("visibility", "authors")),
                    required=bool(t.get("required", False)),
                    help=str(t.get("help", "")),
                )
                for t in data.get("text_fields", [])
            ),
            translations=translations_from_json(data.get("translations") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RubricError(
            [_("The rubric definition is incomplete: ${what}.", mapping={"what": str(exc)})]
        ) from None
    problems = check(rubric)
    if problems:
        raise RubricError(problems)
    return rubric


def default_poster_rubric() -> Rubric:
    """The poster rubric the demo uses: five weighted criteria with anchored levels."""
    return Rubric(
        name=_("Poster review"),
        criteria=(
            Criterion(
                "relevance",
                _("Relevance to the congress theme"),
                20,
                description=_(
                    "How well the work speaks to the congress theme and to libraries' work."
                ),
                levels={
                    1: _("Not related to the theme."),
                    2: _("Loosely related."),
                    3: _("Related, but the link is left to the reader."),
                    4: _("Clearly related and explained."),
                    5: _("Central to the theme; advances it."),
                },
            ),
            Criterion(
                "originality",
                _("Originality and impact"),
                25,
                description=_("New practice, evidence or ideas, and how far they could travel."),
                levels={
                    1: _("Repeats well-known work."),
                    2: _("Small local variation."),
                    3: _("Useful new case."),
                    4: _("New and transferable to others."),
                    5: _("Changes how others will work."),
                },
            ),
            Criterion(
                "clarity",
                _("Clarity of content"),
                20,
                description=_("Can a passer-by get the message?"),
                levels={
                    1: _("The message is unclear."),
                    2: _("Clear only after long reading."),
                    3: _("Clear with some effort."),
                    4: _("Clear in a minute."),
                    5: _("Message understood in 30 seconds."),
                },
            ),
            Criterion(
                "design",
                _("Visual design and accessibility"),
                20,
                description=_(
                    "Readable from two metres, good contrast, figures that carry meaning, "
                    "accessible digital version."
                ),
                levels={
                    1: _("Hard to read; poor contrast."),
                    2: _("Crowded; small text."),
                    3: _("Readable, plain."),
                    4: _("Well structured and legible."),
                    5: _("Exemplary design and accessibility."),
                },
            ),
            Criterion(
                "presentation",
                _("Presentation and discussion at the board"),
                15,
                required=False,
                description=_("Scored at the board during the session; leave empty before it."),
                levels={
                    1: _("Presenter absent or unprepared."),
                    2: _("Reads the poster."),
                    3: _("Explains the work."),
                    4: _("Engaging, answers well."),
                    5: _("Inspiring conversation."),
                },
            ),
        ),
        text_fields=(
            TextField(
                "comments_authors",
                _("Comments for the authors"),
                Visibility.authors,
                help=_("Kind and specific: what works, what to improve."),
            ),
            TextField(
                "comments_committee", _("Comments for the committee only"), Visibility.committee
            ),
        ),
        confidence=True,
    )
