"""The demo congress's rubrics: the default poster rubric with its wording in French and
Spanish, two of the congress's languages, so that reviewers who read the pages in
those languages score against anchors written in them.

The translations are stored with the rubric (``translations`` in its JSON), as a chair
would enter them in the rubric editor. They say what the English base text says; the
keys, weights and scales are the base rubric's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from poster_review.assignment.models import ReviewRound
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services

NBSP = "\u00a0"  # French puts a no-break space before ; : ? !

#: Locale -> the rubric's wording, in the JSON shape of ``rubric.as_json``.
#: ``name`` is the review round's name; the judging round's is in JUDGING_NAMES.
TRANSLATIONS: dict[str, dict[str, Any]] = {
    "fr": {
        "name": "Évaluation des posters",
        "criteria": {
            "relevance": {
                "name": "Pertinence par rapport au thème du congrès",
                "description": (
                    "Dans quelle mesure le travail répond au thème du congrès et au travail "
                    "des bibliothèques."
                ),
                "levels": {
                    "1": "Sans rapport avec le thème.",
                    "2": "Vaguement lié au thème.",
                    "3": "Lié au thème, mais le lien est laissé au lecteur.",
                    "4": "Clairement lié au thème, et le lien est expliqué.",
                    "5": f"Au cœur du thème{NBSP}; le fait avancer.",
                },
            },
            "originality": {
                "name": "Originalité et impact",
                "description": (
                    "Pratiques, données probantes ou idées nouvelles, et leur capacité à être "
                    "reprises ailleurs."
                ),
                "levels": {
                    "1": "Reprend des travaux bien connus.",
                    "2": "Petite variante locale.",
                    "3": "Cas nouveau et utile.",
                    "4": "Nouveau et transposable ailleurs.",
                    "5": "Change la façon de travailler des autres.",
                },
            },
            "clarity": {
                "name": "Clarté du contenu",
                "description": f"Une personne qui passe saisit-elle le message{NBSP}?",
                "levels": {
                    "1": "Le message n'est pas clair.",
                    "2": "Clair seulement après une longue lecture.",
                    "3": "Clair au prix d'un certain effort.",
                    "4": "Clair en une minute.",
                    "5": "Message compris en 30 secondes.",
                },
            },
            "design": {
                "name": "Conception visuelle et accessibilité",
                "description": (
                    "Lisible à deux mètres, bon contraste, figures porteuses de sens, "
                    "version numérique accessible."
                ),
                "levels": {
                    "1": f"Difficile à lire{NBSP}; contraste faible.",
                    "2": f"Surchargé{NBSP}; texte trop petit.",
                    "3": "Lisible, sans plus.",
                    "4": "Bien structuré et lisible.",
                    "5": "Conception et accessibilité exemplaires.",
                },
            },
            "presentation": {
                "name": "Présentation et discussion devant le poster",
                "description": (
                    f"Notée devant le poster pendant la session{NBSP}; à laisser vide avant."
                ),
                "levels": {
                    "1": "Présentateur absent ou non préparé.",
                    "2": "Lit le poster.",
                    "3": "Explique le travail.",
                    "4": "Captivant, répond bien aux questions.",
                    "5": "Échange inspirant.",
                },
            },
        },
        "text_fields": {
            "comments_authors": {
                "label": "Commentaires pour les auteurs",
                "help": (
                    f"Bienveillants et précis{NBSP}: ce qui fonctionne, ce qui peut être amélioré."
                ),
            },
            "comments_committee": {"label": "Commentaires pour le comité uniquement"},
        },
    },
    "es": {
        "name": "Evaluación de pósteres",
        "criteria": {
            "relevance": {
                "name": "Pertinencia para el tema del congreso",
                "description": (
                    "En qué medida el trabajo responde al tema del congreso y a la labor de "
                    "las bibliotecas."
                ),
                "levels": {
                    "1": "Sin relación con el tema.",
                    "2": "Relación vaga con el tema.",
                    "3": "Relacionado, pero el vínculo queda a cargo del lector.",
                    "4": "Claramente relacionado, y la relación se explica.",
                    "5": "Central para el tema; lo hace avanzar.",
                },
            },
            "originality": {
                "name": "Originalidad e impacto",
                "description": (
                    "Prácticas, evidencias o ideas nuevas, y hasta qué punto pueden aplicarse en "
                    "otros lugares."
                ),
                "levels": {
                    "1": "Repite trabajos bien conocidos.",
                    "2": "Pequeña variación local.",
                    "3": "Caso nuevo y útil.",
                    "4": "Nuevo y transferible a otros contextos.",
                    "5": "Cambia la forma de trabajar de otros.",
                },
            },
            "clarity": {
                "name": "Claridad del contenido",
                "description": "¿Capta el mensaje una persona que pasa por delante?",
                "levels": {
                    "1": "El mensaje no es claro.",
                    "2": "Claro solo tras una lectura larga.",
                    "3": "Claro con cierto esfuerzo.",
                    "4": "Claro en un minuto.",
                    "5": "Mensaje comprendido en 30 segundos.",
                },
            },
            "design": {
                "name": "Diseño visual y accesibilidad",
                "description": (
                    "Legible a dos metros, buen contraste, figuras que transmiten significado, "
                    "versión digital accesible."
                ),
                "levels": {
                    "1": "Difícil de leer; contraste pobre.",
                    "2": "Recargado; texto pequeño.",
                    "3": "Legible, sin más.",
                    "4": "Bien estructurado y legible.",
                    "5": "Diseño y accesibilidad ejemplares.",
                },
            },
            "presentation": {
                "name": "Presentación y debate ante el póster",
                "description": (
                    "Se puntúa ante el póster durante la sesión; déjelo vacío hasta entonces."
                ),
                "levels": {
                    "1": "Presentador ausente o sin preparación.",
                    "2": "Lee el póster.",
                    "3": "Explica el trabajo.",
                    "4": "Ameno, responde bien a las preguntas.",
                    "5": "Conversación inspiradora.",
                },
            },
        },
        "text_fields": {
            "comments_authors": {
                "label": "Comentarios para los autores",
                "help": "Amables y concretos: qué funciona y qué se puede mejorar.",
            },
            "comments_committee": {"label": "Comentarios solo para el comité"},
        },
    },
}

#: The judging round's rubric is called "On-site judging".
JUDGING_NAMES = {"fr": "Évaluation sur place", "es": "Evaluación in situ"}


def translations(judging: bool) -> dict[str, dict[str, Any]]:
    """The translations of one round's rubric (the rubrics differ only in their name)."""
    if not judging:
        return TRANSLATIONS
    return {
        locale: {**words, "name": JUDGING_NAMES[locale]} for locale, words in TRANSLATIONS.items()
    }


def store_rubrics(dbsession: Session, conference_id: int, now: dt.datetime) -> None:
    """Store both rounds' default rubrics with their translations (version 1)."""
    for round_ in ReviewRound:
        definition = rubrics.as_json(services.default_rubric(round_))
        definition["translations"] = translations(round_ == ReviewRound.judging)
        services.save_rubric(
            dbsession,
            conference_id=conference_id,
            round_=round_,
            definition=definition,
            by_id=None,
            now=now,
        )
