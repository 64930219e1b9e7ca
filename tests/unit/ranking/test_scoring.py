"""Scoring: weighted totals, per-poster statistics, the calibrated model, the
bootstrap, warnings for the chair, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from poster_review.i18n import render
from poster_review.ranking import scoring
from poster_review.ranking.scoring import (
    Criterion,
    Method,
    RankingParameters,
    Review,
    ScoringError,
    WarningCode,
    criterion_means,
    rank,
    weighted_total,
)
from tests.unit.ranking import simulate

QUICK = RankingParameters(n_bootstrap=0)


def _by_poster(ranking):
    return {p.poster: p for p in ranking.posters}


def _by_reviewer(ranking):
    return {r.reviewer: r for r in ranking.reviewers}


def _interval(poster) -> tuple[float, float, float]:
    """(low, high, p_top_n) of a poster ranked with a bootstrap."""
    assert poster.ci_low is not None and poster.ci_high is not None
    assert poster.p_top_n is not None
    return poster.ci_low, poster.ci_high, poster.p_top_n


# --- weighted_total ------------------------------------------------------------------

RUBRIC = (
    Criterion("clarity", weight=2, scale_min=1, scale_max=5),
    Criterion("originality", weight=1, scale_min=0, scale_max=10),
    Criterion("demo", weight=1, scale_min=1, scale_max=5, optional=True),
)


def test_weighted_total_maps_each_scale_to_0_100():
    assert weighted_total(RUBRIC, {"clarity": 5, "originality": 10, "demo": 5}) == 100.0
    assert weighted_total(RUBRIC, {"clarity": 1, "originality": 0, "demo": 1}) == 0.0
    # clarity 3/5 -> 0.5 (weight 2), originality 10 -> 1 (weight 1), demo 1 -> 0 (weight 1)
    total = weighted_total(RUBRIC, {"clarity": 3, "originality": 10, "demo": 1})
    assert total == pytest.approx(100 * (2 * 0.5 + 1 * 1 + 1 * 0) / 4)


def test_weighted_total_reweights_when_an_optional_criterion_is_not_observed():
    expected = 100 * (2 * 0.5 + 1 * 1.0) / 3
    assert weighted_total(RUBRIC, {"clarity": 3, "originality": 10, "demo": None}) == (
        pytest.approx(expected)
    )
    assert weighted_total(RUBRIC, {"clarity": 3, "originality": 10}) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "needle"),
    [
        ({"originality": 5}, "clarity needs a score"),
        ({"clarity": 6, "originality": 5}, "outside 1-5"),
        ({"clarity": float("nan"), "originality": 5}, "outside"),
        ({"clarity": 3, "originality": 5, "colour": 2}, "no criterion colour"),
    ],
)
def test_weighted_total_refuses_bad_scores(scores, needle):
    with pytest.raises(ScoringError) as info:
        weighted_total(RUBRIC, scores)
    assert needle in render(info.value.message)


def test_weighted_total_needs_some_weight():
    only_optional = (Criterion("demo", 1, 1, 5, optional=True),)
    with pytest.raises(ScoringError):
        weighted_total(only_optional, {"demo": None})


def test_criterion_means_skip_unobserved_scores():
    means = criterion_means(
        [
            (1, {"clarity": 4, "demo": None}),
            (1, {"clarity": 2, "demo": 5}),
            ("b", {"clarity": 3}),
        ]
    )
    assert means == {1: {"clarity": 3.0, "demo": 5.0}, "b": {"clarity": 3.0}}


# --- Per-poster statistics and ranks -----------------------------------------------------


def test_per_poster_statistics():
    reviews = [Review("p", r, s) for r, s in zip("abcde", [1, 9, 5, 3, 7], strict=True)]
    reviews.append(Review("q", "a", 4))
    ranking = rank(reviews, dataclasses.replace(QUICK, method=Method.MEAN, min_reviews=1))
    p, q = _by_poster(ranking)["p"], _by_poster(ranking)["q"]
    assert (p.raw_mean, p.median, p.n_reviews, p.score_range) == (5.0, 5.0, 5, 8.0)
    assert p.trimmed_mean == 5.0  # int(0.2 * 5) = 1 cut from each end: mean of 3, 5, 7
    assert p.sd == pytest.approx(np.std([1, 9, 5, 3, 7], ddof=1))
    assert (q.sd, q.score_range, q.n_reviews) == (None, 0.0, 1)


def test_trimmed_mean_cuts_the_extremes():
    scores = [0, 50, 51, 52, 100]
    reviews = [Review(1, r, s) for r, s in enumerate(scores)]
    ranking = rank(reviews, dataclasses.replace(QUICK, trim=0.2))
    assert ranking.posters[0].trimmed_mean == 51.0
    assert ranking.posters[0].raw_mean == pytest.approx(50.6)


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    reviews = [
        Review("d", "x", 9),
        Review("b", "x", 7),
        Review("c", "x", 7),
        Review("a", "x", 5),
    ]
    ranking = rank(reviews, dataclasses.replace(QUICK, method=Method.MEAN, min_reviews=1))
    assert [(p.poster, p.rank) for p in ranking.posters] == [
        ("d", 1),
        ("b", 2),
        ("c", 2),
        ("a", 4),
    ]


def test_mixed_ids_sort_integers_first_in_numeric_order():
    ids: list[int | str] = ["b", 10, 9, "a"]
    reviews = [Review(p, "x", 5) for p in ids]
    ranking = rank(reviews, dataclasses.replace(QUICK, method=Method.MEAN, min_reviews=1))
    assert [p.poster for p in ranking.posters] == [9, 10, "a", "b"]
    assert {p.rank for p in ranking.posters} == {1}


# --- The calibrated model ------------------------------------------------------------------


def _reference(reviews, ridge, use_confidence=True):
    """Ridge least squares by brute force: a dense design matrix, normal equations."""
    posters = sorted({r.poster for r in reviews})
    reviewers = sorted({r.reviewer for r in reviews})
    n_p = len(posters)
    x = np.zeros((len(reviews), n_p + len(reviewers)))
    w = np.empty(len(reviews))
    y = np.empty(len(reviews))
    for i, r in enumerate(reviews):
        x[i, posters.index(r.poster)] = 1
        x[i, n_p + reviewers.index(r.reviewer)] = 1
        confidence = 3 if r.confidence is None else r.confidence
        w[i] = confidence / 3 if use_confidence else 1
        y[i] = r.score
    penalty = np.diag([0.0] * n_p + [ridge] * len(reviewers))
    theta = np.linalg.solve(x.T @ (w[:, None] * x) + penalty, x.T @ (w * y))
    return dict(zip(posters, theta[:n_p], strict=True)), dict(
        zip(reviewers, theta[n_p:], strict=True)
    )


@pytest.mark.parametrize(("posters", "reviewers"), [(40, 8), (6, 15)])
def test_calibrated_model_solves_the_ridge_least_squares_problem(posters, reviewers):
    """Both arrangements (more posters than reviewers, and fewer) give the exact
    solution of the normal equations, confidence weights included."""
    rng = np.random.default_rng(3)
    reviews = []
    for p in range(posters):
        for r in rng.choice(reviewers, 3, replace=False):
            reviews.append(Review(p, int(r), float(rng.normal(50, 10)), float(rng.integers(1, 6))))
    ranking = rank(reviews, dataclasses.replace(QUICK, huber_k=None, ridge_lambda=1.5))
    expected_scores, expected_bias = _reference(reviews, 1.5)
    for poster in ranking.posters:
        assert poster.calibrated == pytest.approx(expected_scores[poster.poster], abs=1e-9)
    for r in ranking.reviewers:
        assert r.leniency == pytest.approx(expected_bias[r.reviewer], abs=1e-9)


def test_calibrated_model_recovers_leniency():
    reviews, truth = simulate.clustered(1, posters=300, reviewers=20, leniency_sd=8.0)
    ranking = rank(reviews, QUICK)
    estimated = np.array([_by_reviewer(ranking)[r].leniency for r in range(20)])
    # Leniency is only known up to a common shift; compare the centred values.
    error = (estimated - estimated.mean()) - (truth.leniency - truth.leniency.mean())
    assert np.abs(error).max() < 2.5
    assert np.corrcoef(estimated, truth.leniency)[0, 1] > 0.97


def test_a_one_review_reviewer_has_their_leniency_shrunk():
    """Three steady reviewers score ten posters exactly; another reviewer scores 20
    points above them on one poster, or on all ten. Relative to the steady three,
    the ridge credits n / (n + lambda) of the deviation as leniency: a third for
    the single review, five sixths for ten; the rest is read as poster quality."""
    quality = {p: 40 + 3 * p for p in range(10)}
    steady = [Review(p, r, q) for p, q in quality.items() for r in ("a", "b", "c")]
    params = dataclasses.replace(QUICK, huber_k=None, ridge_lambda=2.0)

    once = _by_reviewer(rank([*steady, Review(0, "z", quality[0] + 20)], params))
    assert once["z"].leniency - once["a"].leniency == pytest.approx(20 * 1 / 3)

    always = [Review(p, "z", q + 20) for p, q in quality.items()]
    many = _by_reviewer(rank(steady + always, params))
    assert many["z"].leniency - many["a"].leniency == pytest.approx(20 * 10 / 12)


def test_stronger_ridge_shrinks_more():
    reviews, _truth = simulate.clustered(2, posters=60, reviewers=12)
    spread = []
    for ridge in (0.5, 5.0, 50.0):
        ranking = rank(reviews, dataclasses.replace(QUICK, ridge_lambda=ridge))
        spread.append(np.std([r.leniency for r in ranking.reviewers]))
    assert spread[0] > spread[1] > spread[2]


def test_confidence_weights_pull_toward_the_confident_review():
    reviews = [Review(1, "sure", 80, 5), Review(1, "unsure", 40, 1)]
    reviews += [Review(2, "sure", 60, 3), Review(2, "unsure", 60, 3)]
    weighted = _by_poster(rank(reviews, dataclasses.replace(QUICK, huber_k=None)))[1]
    plain = _by_poster(
        rank(reviews, dataclasses.replace(QUICK, huber_k=None, use_confidence=False))
    )[1]
    assert weighted.calibrated > plain.calibrated + 5


def test_huber_weights_limit_one_wild_review():
    quality = {p: 50 + p for p in range(30)}
    reviews = [Review(p, r, q + (r - 2)) for p, q in quality.items() for r in range(5)]
    reviews = [r for r in reviews if not (r.poster == 7 and r.reviewer == 4)]
    reviews.append(Review(7, 4, 0.0))  # a slip of the finger: 0 instead of ~59
    robust = _by_poster(rank(reviews, QUICK))[7]
    plain = _by_poster(rank(reviews, dataclasses.replace(QUICK, huber_k=None)))[7]
    assert abs(robust.calibrated - 57) < abs(plain.calibrated - 57) - 5


# --- Warnings -------------------------------------------------------------------------------


def test_disconnected_review_graph_is_warned_about():
    left = [Review(p, r, 50 + p) for p in range(5) for r in ("a", "b")]
    right = [Review(p, r, 60 + p) for p in range(10, 13) for r in ("c", "d")]
    ranking = rank(left + right, dataclasses.replace(QUICK, min_reviews=2))
    assert ranking.components == 2
    (warning,) = [w for w in ranking.warnings if w.code is WarningCode.DISCONNECTED]
    assert warning.posters == (10, 11, 12)
    assert warning.reviewers == ("c", "d")
    assert "2 groups" in render(warning.message)


def test_a_connected_graph_has_no_disconnection_warning():
    reviews, _truth = simulate.clustered(4)
    ranking = rank(reviews, QUICK)
    assert ranking.components == 1
    assert WarningCode.DISCONNECTED not in {w.code for w in ranking.warnings}


def test_coverage_warning_names_thin_and_unreviewed_posters():
    reviews = [Review(1, r, 5) for r in "abc"] + [Review(2, "a", 5)]
    ranking = rank(reviews, QUICK, posters=[1, 2, 3])
    (warning,) = [w for w in ranking.warnings if w.code is WarningCode.COVERAGE]
    assert warning.posters == (3, 2)
    assert render(warning.message) == "Posters with fewer than 3 reviews: 3, 2."
    assert {p.poster for p in ranking.posters} == {1, 2}  # 3 has nothing to rank


def test_an_erratic_reviewer_is_flagged_but_kept():
    reviews, truth = simulate.clustered(5, posters=200, reviewers=30, leniency_sd=6.0)
    rng = np.random.default_rng(0)
    reviews = [
        Review(r.poster, r.reviewer, float(rng.uniform(20, 100)))
        if r.reviewer == 0
        else Review(r.poster, r.reviewer, r.score + 20)
        if r.reviewer == 1
        else r
        for r in reviews
    ]
    ranking = rank(reviews, QUICK)
    reviewers = _by_reviewer(ranking)
    assert reviewers[0].outlier
    assert reviewers[0].disagreement > 2
    assert not reviewers[1].outlier  # lenient but consistent: leniency, not disagreement
    assert reviewers[1].leniency == pytest.approx(truth.leniency[1] + 20, abs=4)
    assert [r.reviewer for r in ranking.reviewers if r.outlier] == [0]
    (warning,) = [w for w in ranking.warnings if w.code is WarningCode.OUTLIER_REVIEWERS]
    assert warning.reviewers == (0,)
    # Never dropped: the erratic reviewer's reviews still count.
    assert sum(p.n_reviews for p in ranking.posters) == len(reviews)
    assert reviewers[0].n_reviews == sum(r.reviewer == 0 for r in reviews)
    assert reviewers[0].mean_robust_weight < 0.9


def test_no_outlier_flags_on_well_behaved_reviewers():
    flagged = 0
    for seed in range(5):
        reviews, _truth = simulate.clustered(seed, posters=300, reviewers=60)
        flagged += sum(r.outlier for r in rank(reviews, QUICK).reviewers)
    assert flagged == 0


# --- Bootstrap ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(Method))
def test_bootstrap_interval_contains_the_point_estimate(method):
    reviews, _truth = simulate.clustered(6)
    params = RankingParameters(method=method, n_bootstrap=200, top_n=10, seed=1)
    intervals = [(p.score, *_interval(p)) for p in rank(reviews, params).posters]
    for score, low, high, p_top_n in intervals:
        assert low <= score <= high
        assert 0 <= p_top_n <= 1
    # Ties share the places, so the probabilities always add up to N.
    assert sum(p_top_n for *_rest, p_top_n in intervals) == pytest.approx(10)
    assert np.median([high - low for _score, low, high, _p in intervals]) > 1


def test_cutoff_flags_posters_whose_interval_straddles_the_boundary():
    reviews, _truth = simulate.clustered(7)
    ranking = rank(reviews, RankingParameters(n_bootstrap=200, top_n=5))
    posters = ranking.posters
    boundary = (posters[4].score + posters[5].score) / 2
    for p in posters:
        low, high, _p_top_n = _interval(p)
        assert p.at_cutoff == (low <= boundary <= high)
    assert posters[4].at_cutoff or posters[5].at_cutoff
    assert not posters[-1].at_cutoff


def test_p_top_n_is_high_for_clear_winners_and_low_for_clear_losers():
    reviews = [
        Review(p, r, 90.0 + r if p < 2 else 30.0 + p + r) for p in range(8) for r in range(3)
    ]
    ranking = rank(reviews, RankingParameters(n_bootstrap=100, top_n=2))
    probability = {p.poster: p.p_top_n for p in ranking.posters}
    assert probability[0] == probability[1] == 1.0
    assert all(probability[p] == 0.0 for p in range(2, 8))
    assert not any(p.at_cutoff for p in ranking.posters)


def test_bootstrap_with_more_reviewers_than_posters():
    """The other arrangement of the solver: posters are the small side."""
    rng = np.random.default_rng(11)
    reviews = [
        Review(p, int(r), float(60 + 3 * p + rng.normal(0, 4)))
        for p in range(8)
        for r in rng.choice(40, 6, replace=False)
    ]
    ranking = rank(reviews, RankingParameters(n_bootstrap=100, top_n=3))
    for p in ranking.posters:
        low, high, _p_top_n = _interval(p)
        assert low <= p.score <= high
    assert [p.poster for p in ranking.posters[:3]] == [7, 6, 5]


@pytest.mark.parametrize("n", [1, 3, 12])
def test_resampling_keeps_each_posters_number_of_reviews(n):
    counts = scoring._multiplicities(np.random.default_rng(0), n, 500, 40)
    assert counts.shape == (500 * n, 40)
    per_poster = counts.reshape(500, n, 40).sum(axis=1)
    assert (per_poster == n).all()
    assert counts.min() >= 0
    assert counts.mean() == pytest.approx(1.0)
    if n > 1:  # with replacement: some reviews drawn twice, some not at all
        assert (counts == 0).any() and (counts >= 2).any()


def test_batched_conjugate_gradients_match_exact_resample_solutions():
    """The bootstrap solves all resamples of a batch together by preconditioned
    conjugate gradients; each column must match a direct solve of that resample."""
    reviews, _truth = simulate.clustered(8, posters=150, reviewers=25)
    data = scoring._prepare(reviews)
    fit = scoring._fit(data, RankingParameters())
    block = next(iter(scoring._bootstrap_calibrated(data, fit, 4, np.random.default_rng(9))))
    # Replay the same draws to rebuild each resample's review multiplicities.
    rng = np.random.default_rng(9)
    counts = np.empty((data.n, 4))
    for n, posters, positions in scoring._size_groups(data):
        counts[positions.ravel()] = scoring._multiplicities(rng, n, posters.size, 4)
    assert (counts.reshape(-1, 4).sum(axis=0) == data.n).all()
    for column in range(4):
        exact, _bias, _factor = fit.design.solve(fit.weights * counts[:, column])
        assert np.abs(exact - block[:, column]).max() < 1e-3
        assert np.abs(exact - fit.scores).max() > 1  # the resample really differs


def test_sparse_factorisation_gives_the_dense_result(monkeypatch):
    reviews, _truth = simulate.clustered(9, posters=80, reviewers=16)
    params = RankingParameters(n_bootstrap=40, huber_k=None)
    dense = rank(reviews, params)
    monkeypatch.setattr(scoring, "DENSE_LIMIT", 0)
    sparse = rank(reviews, params)
    for a, b in zip(dense.posters, sparse.posters, strict=True):
        assert a.poster == b.poster
        assert a.calibrated == pytest.approx(b.calibrated, abs=1e-9)
        assert a.ci_low == pytest.approx(b.ci_low, abs=1e-3)


# --- Determinism and parameters ------------------------------------------------------------------


def test_same_inputs_and_parameters_give_an_identical_ranking():
    reviews, _truth = simulate.clustered(10)
    params = RankingParameters(n_bootstrap=100, seed=42)
    first = rank(reviews, params)
    shuffled = [reviews[i] for i in np.random.default_rng(1).permutation(len(reviews))]
    assert rank(reviews, params) == first
    assert rank(shuffled, params) == first  # input order does not matter either
    other_seed = rank(reviews, dataclasses.replace(params, seed=43))
    assert [p.ci_low for p in other_seed.posters] != [p.ci_low for p in first.posters]
    assert [p.score for p in other_seed.posters] == [p.score for p in first.posters]


def test_parameters_are_frozen_and_checked():
    params = RankingParameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.seed = 3  # type: ignore[misc]
    assert RankingParameters(method="median").method is Method.MEDIAN  # type: ignore[arg-type]
    for bad in (
        {"ridge_lambda": 0},
        {"huber_k": -1},
        {"n_bootstrap": -1},
        {"top_n": 0},
        {"ci_level": 1.0},
        {"trim": 0.5},
        {"seed": -1},
        {"method": "best"},
    ):
        with pytest.raises(ScoringError):
            RankingParameters(**bad)


@pytest.mark.parametrize(
    ("reviews", "needle"),
    [
        ([], "no reviews"),
        ([Review(1, "a", float("inf"))], "not a number"),
        ([Review(1, "a", 5, 6)], "outside 1-5"),
        ([Review(1, "a", 5), Review(1, "a", 6)], "scored poster 1 twice"),
    ],
)
def test_bad_reviews_are_refused(reviews, needle):
    with pytest.raises(ScoringError) as info:
        rank(reviews, QUICK)
    assert needle in render(info.value.message)
