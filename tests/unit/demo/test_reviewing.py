"""The demo's reviews and awards as planned data: determinism, scales, leniency,
languages, times and the work left to the demo reviewer accounts."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter, defaultdict

import pytest

from poster_review.conferences.phases import Action, is_open
from poster_review.demo.content import REVIEWER_EMAILS, DemoCongress, PosterState, build_demo
from poster_review.demo.reviewing import (
    AUTHORS_FIELD,
    AWARDS,
    COMMITTEE_FIELD,
    LENIENCY,
    DemoReview,
    Progress,
    assigned_at,
    awards_declared_at,
    horizon,
    plan_reviews,
    quality,
)
from poster_review.reviews.rubric import default_poster_rubric, weighted_total

TODAY = dt.date(2026, 3, 1)
RUBRIC = default_poster_rubric()


@pytest.fixture(scope="module")
def demo() -> DemoCongress:
    return build_demo(TODAY)


def _pairs(demo: DemoCongress) -> list[tuple[int, str]]:
    """Three unconflicted reviewers per submitted poster, in turn (not the solver's
    choice: enough to exercise the plan), six at most each, six for the demo accounts."""
    conflicted = {(c.poster_number, c.person_email) for c in demo.expected_conflicts}
    emails = [r.email for r in demo.reviewers]
    loads: Counter[str] = Counter()
    pairs: list[tuple[int, str]] = []
    turn = 0
    for poster in demo.posters:
        if poster.state is not PosterState.SUBMITTED:
            continue
        chosen: list[str] = []
        while len(chosen) < 3:
            email = emails[turn % len(emails)]
            turn += 1
            if (poster.number, email) not in conflicted and loads[email] < 6:
                chosen.append(email)
                loads[email] += 1
        pairs += [(poster.number, e) for e in chosen]
    return pairs


@pytest.fixture(scope="module")
def plans(demo: DemoCongress) -> tuple[DemoReview, ...]:
    return plan_reviews(demo, _pairs(demo), RUBRIC, TODAY)


def test_plan_is_deterministic_and_each_review_stands_alone(demo, plans) -> None:
    pairs = _pairs(demo)
    assert plan_reviews(demo, list(reversed(pairs)), RUBRIC, TODAY) == plans
    # Another assignment changing leaves the other reviews as they were.
    ordinary = [p for p in pairs if p[1] not in REVIEWER_EMAILS]
    fewer = plan_reviews(demo, ordinary[1:], RUBRIC, TODAY)
    assert all(plan in plans for plan in fewer)
    assert len(fewer) == len(ordinary) - 1
    other_seed = plan_reviews(build_demo(TODAY, seed=7), pairs, RUBRIC, TODAY)
    assert [p.saves for p in other_seed] != [p.saves for p in plans]


def test_most_reviews_are_submitted_and_complete(plans) -> None:
    progress = Counter(p.progress for p in plans)
    assert progress[Progress.SUBMITTED] >= 0.8 * len(plans)
    assert progress[Progress.DRAFT] >= 2 and progress[Progress.NOT_STARTED] >= 4
    required = [c for c in RUBRIC.criteria if c.required]
    for plan in plans:
        if plan.progress is not Progress.SUBMITTED:
            continue
        final = plan.saves[-1]
        assert [s.submit for s in plan.saves] == [False, True]
        for c in required:
            assert c.scale_min <= (final.scores[c.key] or 0) <= c.scale_max
        assert final.scores["presentation"] is None  # scored at the board, later
        assert final.confidence in {1, 2, 3, 4, 5}
        assert final.texts[AUTHORS_FIELD].endswith(".") and final.texts[COMMITTEE_FIELD]


def test_a_draft_holds_part_of_the_scores_and_no_confidence(plans) -> None:
    drafts = [p for p in plans if p.progress is Progress.DRAFT]
    assert drafts
    for plan in drafts:
        (save,) = plan.saves
        scored = [k for k, v in save.scores.items() if v is not None]
        assert 1 <= len(scored) < 4
        assert save.confidence is None and save.texts[COMMITTEE_FIELD] == ""


def test_demo_accounts_have_submitted_draft_and_unstarted_work(demo, plans) -> None:
    for email in REVIEWER_EMAILS:
        mine = sorted(
            (p for p in plans if p.reviewer_email == email),
            key=lambda p: (p.assigned_at, p.poster_number),
        )
        assert len(mine) == 6
        assert [p.progress for p in mine[-3:]] == [
            Progress.DRAFT,
            Progress.NOT_STARTED,
            Progress.NOT_STARTED,
        ]
        assert {p.progress for p in mine[:-3]} == {Progress.SUBMITTED}


def test_lenient_reviewers_score_above_severe_ones(demo, plans) -> None:
    """Scores minus the poster's latent quality, per reviewer: the model's leniency shows."""
    keys = [c.key for c in RUBRIC.criteria if c.required]
    offsets: dict[str, list[float]] = defaultdict(list)
    for plan in plans:
        if plan.progress is Progress.SUBMITTED:
            scores = plan.saves[-1].scores
            level = quality(demo, demo.poster(plan.poster_number))
            offsets[plan.reviewer_email] += [(scores[k] or 0) - level for k in keys]
    lenient = [statistics.mean(offsets[e]) for e, v in LENIENCY.items() if v > 0]
    severe = [statistics.mean(offsets[e]) for e, v in LENIENCY.items() if v < 0]
    assert min(lenient) > 0.2 > -0.2 > max(severe)


def test_totals_follow_quality(demo, plans) -> None:
    by_poster: dict[int, list[float]] = defaultdict(list)
    for plan in plans:
        if plan.progress is Progress.SUBMITTED:
            total = weighted_total(RUBRIC, plan.saves[-1].scores)
            assert total is not None
            by_poster[plan.poster_number].append(total)
    means = {n: statistics.mean(v) for n, v in by_poster.items()}
    levels = {n: quality(demo, demo.poster(n)) for n in means}
    assert statistics.correlation(list(means.values()), list(levels.values())) > 0.6
    assert max(means.values()) - min(means.values()) > 40  # a real spread to rank


def test_comments_are_in_the_posters_language_when_the_reviewer_reads_it(demo, plans) -> None:
    reviewers = {r.email: r for r in demo.reviewers}
    seen: set[str] = set()
    for plan in plans:
        if plan.progress is not Progress.SUBMITTED:
            continue
        poster, reviewer = demo.poster(plan.poster_number), reviewers[plan.reviewer_email]
        texts = plan.saves[-1].texts
        if poster.language in {"fr", "es"} and poster.language in reviewer.languages:
            seen.add(poster.language)
            assert texts[AUTHORS_FIELD].startswith(("Un ", "El ", "Le "))
        if poster.language not in reviewer.languages:
            seen.add("translated")
            assert "machine translation" in texts[COMMITTEE_FIELD]
            assert texts[AUTHORS_FIELD].startswith(("A", "An", "The", "There", "I", "This"))
    assert seen == {"fr", "es", "translated"}


def test_times_fit_the_calendar(demo, plans) -> None:
    phases = demo.conference.phases
    schedule = phases.to_schedule(demo.conference.time_zone)
    zone = zoneinfo.ZoneInfo(demo.conference.time_zone)
    for plan in plans:
        poster = demo.poster(plan.poster_number)
        assert poster.submitted_at is not None
        assert plan.assigned_at >= max(phases.reviews_open, poster.submitted_at)
        assert plan.assigned_at == assigned_at(demo, poster, TODAY)
        moments = [plan.assigned_at, *(s.at for s in plan.saves), horizon(TODAY)]
        assert moments == sorted(moments)
        for save in plan.saves:
            instant = save.at.replace(tzinfo=zone)
            assert is_open(schedule, Action.review, instant)


def test_plan_refuses_unsubmitted_posters(demo) -> None:
    draft = next(p for p in demo.posters if p.state is PosterState.DRAFT)
    with pytest.raises(ValueError, match="never submitted"):
        plan_reviews(demo, [(draft.number, REVIEWER_EMAILS[0])], RUBRIC, TODAY)
    with pytest.raises(KeyError):
        plan_reviews(demo, [(1, "nobody@example.org")], RUBRIC, TODAY)


def test_awards_are_declared_before_reviewing_in_the_congress_languages(demo) -> None:
    assert [a.name for a in AWARDS] == ["Best Poster", "Best Student Poster"]
    best, student = AWARDS
    assert (best.places, best.shortlist_size, best.student_presenter) == (3, 10, False)
    assert best.tie_breaks == (("criterion", "originality"), ("judges",), ("casting",))
    assert (student.places, student.shortlist_size, student.student_presenter) == (1, 5, True)
    keys = {c.key for c in RUBRIC.criteria}
    for award in AWARDS:
        assert all(rule[1] in keys for rule in award.tie_breaks if rule[0] == "criterion")
        assert set(award.name_translations) == set(award.description_translations) == {"fr", "es"}
        assert set(award.name_translations) <= set(demo.conference.languages)
    assert awards_declared_at(demo) < demo.conference.phases.reviews_open
