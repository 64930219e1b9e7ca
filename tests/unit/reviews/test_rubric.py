"""Rubric translations: stored JSON, the reader's wording with fallback, and checks."""

from __future__ import annotations

from typing import Any

import pytest

from poster_review.i18n import render
from poster_review.reviews import rubric as rubrics
from poster_review.reviews.rubric import (
    Criterion,
    CriterionText,
    Rubric,
    RubricError,
    TextField,
    TextFieldText,
    Translation,
    Visibility,
)


def _rubric(**translations: Translation) -> Rubric:
    return Rubric(
        name="Poster review",
        criteria=(
            Criterion(
                "clarity",
                "Clarity of content",
                60,
                description="Can a passer-by get the message?",
                levels={1: "The message is unclear.", 5: "Understood in 30 seconds."},
            ),
            Criterion("design", "Visual design", 40, levels={1: "Hard to read."}),
        ),
        text_fields=(
            TextField("comments_authors", "Comments for the authors", help="Kind and specific."),
            TextField("comments_committee", "Comments for the committee", Visibility.committee),
        ),
        translations=translations,
    )


FRENCH = Translation(
    name="Évaluation des posters",
    criteria={
        "clarity": CriterionText(
            name="Clarté du contenu", levels={1: "Le message n'est pas clair."}
        )
    },
    text_fields={"comments_authors": TextFieldText(label="Commentaires pour les auteurs")},
)


def test_json_round_trip_keeps_translations():
    rubric = _rubric(fr=FRENCH, es=Translation(name="Evaluación de pósteres"))
    data = rubrics.as_json(rubric)
    assert data["translations"]["fr"] == {
        "name": "Évaluation des posters",
        "criteria": {
            "clarity": {"name": "Clarté du contenu", "levels": {"1": "Le message n'est pas clair."}}
        },
        "text_fields": {"comments_authors": {"label": "Commentaires pour les auteurs"}},
    }
    assert rubrics.from_json(data) == rubric
    assert rubrics.as_json(rubrics.from_json(data)) == data


def test_json_without_translations_still_loads_and_is_written_as_before():
    data = rubrics.as_json(_rubric())
    assert "translations" not in data  # a rubric without them is stored as it always was
    assert rubrics.from_json(data).translations == {}
    assert rubrics.from_json({**data, "translations": None}).translations == {}


def test_blank_translated_texts_are_dropped_when_loaded():
    data = rubrics.as_json(_rubric())
    data["translations"] = {
        "fr": {
            "name": "  ",
            "criteria": {"clarity": {"name": "", "levels": {"1": " "}}},
            "text_fields": {"comments_authors": {"label": "Commentaires", "help": ""}},
        },
        "de": {"name": "", "criteria": {}},
    }
    loaded = rubrics.from_json(data)
    assert loaded.translations == {
        "fr": Translation(text_fields={"comments_authors": TextFieldText(label="Commentaires")})
    }


def test_localised_uses_each_translated_text_and_the_base_for_the_rest():
    shown = rubrics.localised(_rubric(fr=FRENCH), "fr")
    clarity, design = shown.criteria
    assert shown.name == "Évaluation des posters"
    assert clarity.name == "Clarté du contenu"
    assert clarity.description == "Can a passer-by get the message?"  # not translated
    assert clarity.levels == {1: "Le message n'est pas clair.", 5: "Understood in 30 seconds."}
    assert (design.name, design.levels) == ("Visual design", {1: "Hard to read."})
    authors, committee = shown.text_fields
    assert (authors.label, authors.help) == ("Commentaires pour les auteurs", "Kind and specific.")
    assert committee.label == "Comments for the committee"
    # Only words change: keys, weights, scales and rules are the base rubric's.
    assert [(c.key, c.weight, c.scale_min, c.scale_max) for c in shown.criteria] == [
        ("clarity", 60, 1, 5),
        ("design", 40, 1, 5),
    ]
    assert shown.translations == {}
    sheet = rubrics.ScoreSheet({"clarity": 4, "design": 2})
    assert rubrics.weighted_total(shown, sheet.scores) == rubrics.weighted_total(
        _rubric(fr=FRENCH), sheet.scores
    )


@pytest.mark.parametrize("locale", ["en", "de", None, ""])
def test_localised_without_a_translation_is_the_base_text(locale):
    base = _rubric(fr=FRENCH)
    assert rubrics.localised(base, locale) == _rubric()


@pytest.mark.parametrize("locale", ["fr_CA", "fr-CA", "fr"])
def test_a_regional_locale_falls_back_to_its_language(locale):
    assert rubrics.localised(_rubric(fr=FRENCH), locale).name == "Évaluation des posters"


def test_an_exact_regional_translation_wins_over_the_language():
    rubric = _rubric(pt=Translation(name="Avaliação"), pt_BR=Translation(name="Avaliação BR"))
    assert rubrics.localised(rubric, "pt_BR").name == "Avaliação BR"
    assert rubrics.localised(rubric, "pt_PT").name == "Avaliação"


def test_missing_fields_are_named_in_the_readers_wording():
    shown = rubrics.localised(_rubric(fr=FRENCH), "fr")
    missing = rubrics.missing_for_submit(shown, rubrics.ScoreSheet({"design": 3}, confidence=3))
    assert missing == ["Clarté du contenu"]


def test_check_accepts_a_valid_translation():
    assert rubrics.check(_rubric(fr=FRENCH)) == []


def _problems(translation: Translation, locale: str = "fr") -> list[str]:
    return [render(p) for p in rubrics.check(_rubric(**{locale: translation}))]


def test_check_refuses_an_unknown_criterion_in_a_translation():
    assert _problems(Translation(criteria={"handout": CriterionText(name="Document")})) == [
        "The fr translation names a criterion handout that the rubric does not have."
    ]


def test_check_refuses_a_level_the_base_rubric_does_not_describe():
    # Level 3 is on the scale but has no text in the base; 9 is off the scale.
    levels = {3: "Clair avec effort.", 9: "Hors échelle."}
    assert _problems(Translation(criteria={"clarity": CriterionText(levels=levels)})) == [
        "The fr translation of Clarity of content describes level 3, but the rubric gives "
        "that level no text.",
        "The fr translation of Clarity of content describes level 9, but the rubric gives "
        "that level no text.",
    ]


def test_check_refuses_an_unknown_comment_field_and_a_bad_locale():
    unknown = Translation(text_fields={"summary": TextFieldText(label="Résumé")})
    assert _problems(unknown) == [
        "The fr translation names a comment field summary that the rubric does not have."
    ]
    assert _problems(Translation(name="x"), locale="French") == ["French is not a language code."]


def test_from_json_raises_on_translations_that_do_not_fit():
    data: dict[str, Any] = rubrics.as_json(_rubric())
    data["translations"] = {"fr": {"criteria": {"handout": {"name": "Document"}}}}
    with pytest.raises(RubricError) as raised:
        rubrics.from_json(data)
    assert [render(p) for p in raised.value.problems] == [
        "The fr translation names a criterion handout that the rubric does not have."
    ]
    for broken in (
        ["fr"],
        {"fr": "Évaluation"},
        {"fr": {"criteria": {"clarity": {"levels": {"x": "?"}}}}},
    ):
        data["translations"] = broken
        with pytest.raises(RubricError, match="incomplete"):
            rubrics.from_json(data)


def test_demo_translations_fit_both_default_rubrics():
    from poster_review.assignment.models import ReviewRound
    from poster_review.demo.rubric import translations
    from poster_review.reviews.services import default_rubric

    for round_ in ReviewRound:
        data = rubrics.as_json(default_rubric(round_))
        data["translations"] = translations(round_ == ReviewRound.judging)
        rubric = rubrics.from_json(data)  # raises on any key or level that does not fit
        for locale in ("fr", "es"):
            shown = rubrics.localised(rubric, locale)
            # Every text is translated: nothing falls back to the English base.
            base = rubrics.as_json(default_rubric(round_))
            assert shown.name != base["name"]
            for c, english in zip(shown.criteria, base["criteria"], strict=True):
                assert c.name != english["name"] and c.description != english["description"]
                assert set(c.levels) == {int(k) for k in english["levels"]}
                assert all(c.levels[int(k)] != v for k, v in english["levels"].items())
            for t, english in zip(shown.text_fields, base["text_fields"], strict=True):
                assert t.label != english["label"]
                assert t.help != english["help"] or not english["help"]
