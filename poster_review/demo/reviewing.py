"""The demo's reviewing: what each reviewer wrote, and when, and the awards (pure).

Who reviews which poster is decided at load time by the assignment solver, as
``poster-review assign`` would decide it; :func:`plan_reviews` then writes each
assignment's review from a small model of reviewing:

* every poster has a latent quality on the rubric's 1-5 scale, and a profile (some
  posters are clearer than they are original, some PDFs are poorly laid out);
* every reviewer has a leniency: a few are generous (:data:`LENIENCY` > 0), a few are
  severe, the others are close to neutral, so raw means and calibrated scores differ;
* each score is quality + profile + leniency + noise, rounded into the scale;
* confidence follows expertise: the reviewer's tracks, topics and languages;
* the comments for the authors are written in the poster's language when the reviewer
  reads it (French and Spanish), otherwise in English; the comments for the committee
  are in English and say what the reviewer recommends.

Most reviews are submitted; a poster assigned only days ago more often has a draft or
nothing yet. The two demo reviewer accounts always have work left: their two most
recent assignments are not started and the one before is a draft.

Times are naive wall-clock times in the conference's zone, like the rest of the demo.
Everything is drawn from generators seeded by the demo's seed and the poster and
reviewer, so one review does not change when another assignment changes.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from poster_review.demo.content import (
    REVIEWER_EMAILS,
    DemoCongress,
    DemoPoster,
    DemoReviewer,
    PosterState,
)
from poster_review.reviews.rubric import Criterion, Rubric

NBSP = "\u00a0"  # French puts a no-break space before ; : ? ! and inside « »

#: How many points (on a 1-5 criterion) a reviewer gives above the others; reviewers
#: not listed lean by less than a fifth of a point either way.
LENIENCY: Mapping[str, float] = {
    "grace.otieno@uonbi.ac.ke": 0.8,
    "lucia.fernandez@fic.edu.uy": 0.7,
    "cmendoza@colmex.mx": 0.6,
    "berger@sub.uni-goettingen.de": -0.8,
    "y.mukhamedov@buketov.edu.kz": -0.7,
    "lina_lib@fudan.edu.cn": -0.6,
}

#: Spread of one score around what the model expects (criterion points).
NOISE = 0.45
#: Texts of the rubric fields the demo fills.
AUTHORS_FIELD = "comments_authors"
COMMITTEE_FIELD = "comments_committee"


class Progress(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class DemoSave:
    """One save of a score sheet, as the scoring page would send it."""

    at: dt.datetime
    scores: Mapping[str, int | None]
    texts: Mapping[str, str]
    confidence: int | None
    submit: bool
    client: str  # where it was saved from ("desk", "laptop", "phone")


@dataclass(frozen=True)
class DemoReview:
    poster_number: int
    reviewer_email: str
    assigned_at: dt.datetime
    saves: tuple[DemoSave, ...]  # oldest first; empty when not started

    @property
    def progress(self) -> Progress:
        if not self.saves:
            return Progress.NOT_STARTED
        return Progress.SUBMITTED if self.saves[-1].submit else Progress.DRAFT


@dataclass(frozen=True)
class DemoAward:
    """An award category as the chair declares it, before any review is submitted."""

    name: str
    description: str
    name_translations: Mapping[str, str]
    description_translations: Mapping[str, str]
    student_presenter: bool
    places: int
    shortlist_size: int
    tie_breaks: tuple[tuple[str, ...], ...]


AWARDS: tuple[DemoAward, ...] = (
    DemoAward(
        name="Best Poster",
        description=(
            "The three best posters of the session, on the reviewers' calibrated scores "
            "and the judges' scores at the board."
        ),
        name_translations={"fr": "Meilleur poster", "es": "Mejor póster"},
        description_translations={
            "fr": (
                "Les trois meilleurs posters de la session, selon les notes calibrées des "
                "évaluateurs et les notes du jury devant les posters."
            ),
            "es": (
                "Los tres mejores pósteres de la sesión, según las puntuaciones calibradas "
                "de los evaluadores y las del jurado ante los pósteres."
            ),
        },
        student_presenter=False,
        places=3,
        shortlist_size=10,
        tie_breaks=(("criterion", "originality"), ("judges",), ("casting",)),
    ),
    DemoAward(
        name="Best Student Poster",
        description="The best poster presented by a student.",
        name_translations={
            "fr": "Meilleur poster étudiant",
            "es": "Mejor póster de estudiante",
        },
        description_translations={
            "fr": "Le meilleur poster présenté par une étudiante ou un étudiant.",
            "es": "El mejor póster presentado por una o un estudiante.",
        },
        student_presenter=True,
        places=1,
        shortlist_size=5,
        tie_breaks=(("judges",), ("casting",)),
    ),
)


def awards_declared_at(demo: DemoCongress) -> dt.datetime:
    """The awards were announced with the call, long before any score existed."""
    return demo.conference.phases.call_opens + dt.timedelta(hours=2)


# --- The model -------------------------------------------------------------------------


def _rng(demo: DemoCongress, *parts: object) -> random.Random:
    # A string seed is hashed with SHA-512: the same on every run and platform.
    return random.Random("/".join(str(p) for p in (demo.seed, *parts)))


def leniency(demo: DemoCongress, email: str) -> float:
    if email in LENIENCY:
        return LENIENCY[email]
    return round(_rng(demo, "leniency", email).uniform(-0.2, 0.2), 2)


def quality(demo: DemoCongress, poster: DemoPoster) -> float:
    """The poster's latent quality on a 1-5 criterion."""
    return round(min(4.7, max(1.7, _rng(demo, "quality", poster.number).gauss(3.3, 0.65))), 2)


def _profile(
    demo: DemoCongress, poster: DemoPoster, criteria: Iterable[Criterion]
) -> dict[str, float]:
    """How far each criterion sits from the poster's quality; a flawed PDF costs design."""
    rng = _rng(demo, "profile", poster.number)
    offsets = {c.key: rng.gauss(0, 0.35) for c in criteria}
    if poster.pdf_quirks and "design" in offsets:
        offsets["design"] -= 0.6
    return offsets


def _clip(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def _overlap(reviewer: DemoReviewer, poster: DemoPoster) -> bool:
    topics = [t.casefold() for t in reviewer.expertise]
    return any(t in k.casefold() or k.casefold() in t for t in topics for k in poster.keywords)


def _confidence(reviewer: DemoReviewer, poster: DemoPoster, rng: random.Random) -> int:
    value = 3 + (poster.track in reviewer.tracks) + _overlap(reviewer, poster)
    value -= poster.language not in reviewer.languages
    value += rng.choice((-1, 0, 0, 0, 1))
    return min(5, max(1, value))


# --- Times -----------------------------------------------------------------------------


def horizon(today: dt.date) -> dt.datetime:
    """The demo's present: nothing in it happened after the start of ``today``."""
    return dt.datetime.combine(today, dt.time())


def assigned_at(demo: DemoCongress, poster: DemoPoster, today: dt.date) -> dt.datetime:
    """When the poster got its reviewers: as reviewing opened, or soon after it was
    submitted when that came later."""
    if poster.submitted_at is None:
        raise ValueError(f"poster {poster.number} was never submitted")
    when = max(demo.conference.phases.reviews_open, poster.submitted_at + dt.timedelta(hours=2))
    return min(when, horizon(today) - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)


def _moment(
    rng: random.Random, start: dt.datetime, end: dt.datetime, low: float, high: float
) -> dt.datetime:
    """A whole minute between ``low`` and ``high`` of the way from ``start`` to ``end``."""
    span = (end - start).total_seconds()
    moment = start + dt.timedelta(seconds=span * rng.uniform(low, high))
    return max(start, moment.replace(second=0, microsecond=0))


# --- Comments --------------------------------------------------------------------------

_OPENINGS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "high": (
            "A strong poster that I enjoyed reading.",
            "An excellent contribution, and a pleasure to review.",
            "This is one of the best posters I was given.",
        ),
        "mid": (
            "A solid poster with a useful message.",
            "An interesting case that deserves its place in the session.",
            "A sound piece of practice, honestly reported.",
        ),
        "low": (
            "The topic matters, but the poster is not ready yet.",
            "There is a good idea here, but it needs more work.",
            "I struggled to find the main finding in this poster.",
        ),
    },
    "fr": {
        "high": ("Un excellent poster, que j'ai eu plaisir à lire.",),
        "mid": ("Un poster solide, au message utile.",),
        "low": ("Le sujet est important, mais le poster n'est pas encore prêt.",),
    },
    "es": {
        "high": ("Un póster excelente, que he leído con gusto.",),
        "mid": ("Un póster sólido, con un mensaje útil.",),
        "low": ("El tema es importante, pero el póster aún no está listo.",),
    },
}

_STRENGTHS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "relevance": (
            "It speaks directly to the congress theme and to everyday library work.",
            "The link to the congress theme is explicit and convincing.",
        ),
        "originality": (
            "The work on {kw} is genuinely new, and other libraries could reuse it.",
            "I had not seen {kw} approached this way; the method travels well.",
        ),
        "clarity": (
            "The main message is clear within a minute.",
            "The argument is easy to follow, from question to result.",
        ),
        "design": (
            "The layout is clean and the figures carry the argument.",
            "Good contrast and generous type: it will read well from a distance.",
        ),
    },
    "fr": {
        "relevance": (
            "Il répond directement au thème du congrès et au travail quotidien des bibliothèques.",
        ),
        "originality": (
            f"Le travail sur «{NBSP}{{kw}}{NBSP}» est vraiment nouveau et transposable ailleurs.",
        ),
        "clarity": ("Le message principal se comprend en une minute.",),
        "design": ("La mise en page est claire et les figures portent le propos.",),
    },
    "es": {
        "relevance": (
            "Responde directamente al tema del congreso y al trabajo diario de las bibliotecas.",
        ),
        "originality": (
            "El trabajo sobre «{kw}» es realmente nuevo y otras bibliotecas podrían aplicarlo.",
        ),
        "clarity": ("El mensaje principal se entiende en un minuto.",),
        "design": ("El diseño es limpio y las figuras sostienen el argumento.",),
    },
}

_WEAKNESSES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "relevance": (
            "The link to the congress theme is left to the reader; one sentence would make "
            "it explicit.",
            "Say how this helps libraries beyond your own institution.",
        ),
        "originality": (
            "Say more about what is new compared with earlier work on {kw}.",
            "The approach to {kw} is familiar; the poster should say what others can learn.",
        ),
        "clarity": (
            "The text is dense: cut it by a third and lead with the result.",
            "The methods take most of the space; the findings deserve more of it.",
        ),
        "design": (
            "Enlarge the body text and raise the contrast so that it reads from two metres.",
            "The figures need labelled axes and alternative text in the digital version.",
        ),
    },
    "fr": {
        "relevance": (
            f"Le lien avec le thème du congrès reste implicite{NBSP}; une phrase suffirait "
            "à l'expliciter.",
        ),
        "originality": (
            "Précisez ce qui est nouveau par rapport aux travaux antérieurs sur "
            f"«{NBSP}{{kw}}{NBSP}».",
        ),
        "clarity": (
            f"Le texte est dense{NBSP}: réduisez-le d'un tiers et commencez par le résultat.",
        ),
        "design": (
            "Agrandissez le texte et renforcez le contraste pour une lecture à deux mètres.",
        ),
    },
    "es": {
        "relevance": (
            "La relación con el tema del congreso queda implícita; bastaría una frase para "
            "explicarla.",
        ),
        "originality": (
            "Expliquen mejor qué aporta de nuevo frente a trabajos anteriores sobre «{kw}».",
        ),
        "clarity": ("El texto es denso: redúzcanlo en un tercio y empiecen por el resultado.",),
        "design": ("Aumenten el tamaño del texto y el contraste para que se lea a dos metros.",),
    },
}

_MINOR: Mapping[str, str] = {
    "en": "A small suggestion: add a QR code to the full report or the data.",
    "fr": f"Un détail{NBSP}: ajoutez un code QR vers le rapport complet ou les données.",
    "es": "Un detalle: añadan un código QR al informe completo o a los datos.",
}

_RECOMMENDATIONS: Mapping[str, tuple[str, ...]] = {
    "high": (
        "Strong accept; a candidate for the best poster award.",
        "Accept. One of the best in my batch.",
    ),
    "good": ("Accept.", "Accept; solid work."),
    "borderline": (
        "Borderline: accept if there is room on the boards.",
        "Weak accept: a useful case, modestly presented.",
    ),
    "low": (
        "Reject in its current form; a revised version could work next year.",
        "Not ready; I would not accept it without a new version.",
    ),
}


def _band(total: float) -> str:
    if total >= 75:
        return "high"
    if total >= 60:
        return "good"
    if total >= 45:
        return "borderline"
    return "low"


def _keyword(poster: DemoPoster, rng: random.Random, language: str) -> str:
    keyword = rng.choice(poster.keywords)
    if language == "en" and poster.language != "en":
        return f"“{keyword}”"
    return keyword


def _authors_text(
    poster: DemoPoster,
    scores: Mapping[str, int | None],
    mean: float,
    language: str,
    rng: random.Random,
) -> list[str]:
    """The comment for the authors, sentence by sentence: an overall opinion, the best
    criterion's strength, then the weakest criterion's remedy (or a small suggestion)."""
    band = "high" if mean >= 4 else "mid" if mean >= 3 else "low"
    keyword = _keyword(poster, rng, language)
    scored = sorted((v, k) for k, v in scores.items() if v is not None)
    parts = [rng.choice(_OPENINGS[language][band])]
    best_value, best = scored[-1]
    if best_value >= 4 and best in _STRENGTHS[language]:
        parts.append(rng.choice(_STRENGTHS[language][best]).format(kw=keyword))
    worst_value, worst = scored[0]
    if worst_value <= 3 and worst in _WEAKNESSES[language]:
        parts.append(rng.choice(_WEAKNESSES[language][worst]).format(kw=keyword))
    else:
        parts.append(_MINOR[language])
    return parts


def _committee_text(
    reviewer: DemoReviewer,
    poster: DemoPoster,
    total: float,
    confidence: int,
    rng: random.Random,
) -> str:
    parts = [rng.choice(_RECOMMENDATIONS[_band(total)])]
    if poster.language not in reviewer.languages:
        parts.append("I read it with a machine translation; weigh my scores accordingly.")
    elif confidence <= 2:
        parts.append("This is outside my field; weigh my scores lightly.")
    if poster.pdf_quirks:
        parts.append("The PDF needs a corrected version before printing.")
    return " ".join(parts)


def _total(criteria: Iterable[Criterion], scores: Mapping[str, int | None]) -> float:
    """The 0-100 total a recommendation is based on (the service stores its own)."""
    scored = [(c, scores[c.key]) for c in criteria if scores.get(c.key) is not None]
    weight = sum(c.weight for c, _v in scored)
    return 100 * sum(c.weight * c.rescaled(int(v)) for c, v in scored if v is not None) / weight


# --- Planning ---------------------------------------------------------------------------


def _progress(
    pairs: list[tuple[int, str]], demo: DemoCongress, today: dt.date
) -> dict[tuple[int, str], Progress]:
    """How far each review got. A demo account's two latest assignments are not
    started and the one before is a draft; the others depend on time and chance."""
    out: dict[tuple[int, str], Progress] = {}
    end = horizon(today)
    for number, email in pairs:
        days = (end - assigned_at(demo, demo.poster(number), today)).total_seconds() / 86400
        draw = _rng(demo, "progress", number, email).random()
        submitted, draft = (0.3, 0.55) if days < 2 else (0.92, 0.96)
        out[number, email] = (
            Progress.SUBMITTED
            if draw < submitted
            else Progress.DRAFT
            if draw < draft
            else Progress.NOT_STARTED
        )
    for email in REVIEWER_EMAILS:
        mine = sorted(
            (p for p in pairs if p[1] == email),
            key=lambda p: (assigned_at(demo, demo.poster(p[0]), today), p[0]),
        )
        for position, pair in enumerate(reversed(mine)):
            out[pair] = (
                Progress.NOT_STARTED
                if position < 2
                else Progress.DRAFT
                if position == 2
                else Progress.SUBMITTED
            )
    return out


def plan_reviews(
    demo: DemoCongress, pairs: Iterable[tuple[int, str]], rubric: Rubric, today: dt.date
) -> tuple[DemoReview, ...]:
    """The review of each assignment, given as (poster number, reviewer e-mail) pairs.

    The review round scores the rubric's required criteria; the others (the
    presentation, scored at the board) stay empty. Raises KeyError for an unknown
    poster or reviewer and ValueError for a poster that was never submitted.
    """
    ordered = sorted(set(pairs))
    reviewers = {r.email: r for r in demo.reviewers}
    criteria = [c for c in rubric.criteria if c.required]
    progress = _progress(ordered, demo, today)
    end = horizon(today)
    plans: list[DemoReview] = []
    for number, email in ordered:
        poster, reviewer = demo.poster(number), reviewers[email]
        if poster.state is not PosterState.SUBMITTED:
            raise ValueError(f"poster {number} is not submitted")
        start = assigned_at(demo, poster, today)
        rng = _rng(demo, "review", number, email)
        base = quality(demo, poster) + leniency(demo, email)
        profile = _profile(demo, poster, criteria)
        scores: dict[str, int | None] = {c.key: None for c in rubric.criteria}
        for c in criteria:
            value = base + profile[c.key] + rng.gauss(0, NOISE)
            scores[c.key] = _clip(value, c.scale_min, c.scale_max)
        confidence = _confidence(reviewer, poster, rng)
        language = poster.language if poster.language in reviewer.languages else "en"
        if language not in _OPENINGS:
            language = "en"
        mean = sum(int(scores[c.key] or 0) for c in criteria) / len(criteria)
        sentences = _authors_text(poster, scores, mean, language, rng)
        authors = " ".join(sentences)
        committee = _committee_text(reviewer, poster, _total(criteria, scores), confidence, rng)
        client = rng.choice(("desk", "desk", "laptop", "phone"))
        # The first sitting: half the criteria and the opening of the comments.
        half = {c.key for c in criteria[: max(1, len(criteria) // 2)]}
        first_scores = {k: (v if k in half else None) for k, v in scores.items()}
        first_texts = {AUTHORS_FIELD: sentences[0], COMMITTEE_FIELD: ""}
        state = progress[number, email]
        saves: tuple[DemoSave, ...] = ()
        if state is Progress.DRAFT:
            at = _moment(rng, start, end, 0.2, 0.9)
            saves = (DemoSave(at, first_scores, first_texts, None, False, client),)
        elif state is Progress.SUBMITTED:
            begun = _moment(rng, start, end, 0.05, 0.6)
            done = _moment(rng, begun, end, 0.02, 0.5)
            final_texts = {AUTHORS_FIELD: authors, COMMITTEE_FIELD: committee}
            saves = (
                DemoSave(begun, first_scores, first_texts, None, False, client),
                DemoSave(done, scores, final_texts, confidence, True, client),
            )
        plans.append(DemoReview(number, email, start, saves))
    return tuple(plans)
