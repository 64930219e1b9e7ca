"""Affinity: bids, topic overlap and TF-IDF text similarity, mixed by the weights."""

from __future__ import annotations

import numpy as np
import pytest

from poster_review.assignment.affinity import (
    BID_SCORES,
    AffinityWeights,
    Bid,
    PosterText,
    ReviewerInterests,
    compute_affinity,
    jaccard,
    text_similarity,
    tokens,
)

POSTERS = [
    PosterText(
        1,
        "Digitising Kazakh manuscripts",
        "A national library digitises rare manuscripts and publishes the scans openly.",
        frozenset({"digitisation", "manuscripts"}),
    ),
    PosterText(
        2,
        "数字图书馆服务研究",
        "面向读者的数字图书馆服务与推广",
        frozenset({"services"}),
    ),
    PosterText(3, "Библиотечные фонды", "Комплектование библиотечных фондов", frozenset()),
]
REVIEWERS = [
    ReviewerInterests(10, ("manuscripts", "digitising"), "rare books", frozenset({"manuscripts"})),
    ReviewerInterests(11, ("图书馆服务",), "", frozenset({"services", "outreach"})),
    ReviewerInterests(12, ("библиотечные фонды",), "", frozenset()),
]


def test_tokens_fold_case_and_width_and_pair_cjk_characters():
    assert list(tokens("Digital LIBRARIES, ｆｕｌｌ-width 北京大学 مكتبة رقمية")) == [
        "digital", "libraries", "full", "width", "北京", "京大", "大学", "مكتبة", "رقمية",
    ]  # fmt: skip
    assert list(tokens("the library of a", frozenset({"the", "of"}))) == ["library"]


def test_jaccard():
    assert jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_text_similarity_pairs_documents_in_their_own_language():
    similarity = text_similarity(
        [f"{p.title}\n{p.abstract}" for p in POSTERS],
        ["\n".join((*r.keywords, r.profile)) for r in REVIEWERS],
    )
    assert similarity.shape == (3, 3)
    # Each poster is most similar to the reviewer writing about it, in its script.
    assert similarity.argmax(axis=1).tolist() == [0, 1, 2]
    assert similarity[0, 1] == similarity[0, 2] == 0.0
    assert ((similarity >= 0) & (similarity <= 1)).all()


def test_text_similarity_without_any_words_is_zero():
    assert text_similarity(["", "!!"], ["a"]).tolist() == [[0.0], [0.0]]


def test_affinity_mixes_components_with_normalised_weights():
    bids = {(1, 10): Bid.EAGER, (2, 11): Bid.WILLING, (3, 10): Bid.NOT_WILLING}
    weights = AffinityWeights(bid=2.0, topic=1.0, text=1.0)
    result = compute_affinity(POSTERS, REVIEWERS, bids, weights)
    assert result.poster_ids == (1, 2, 3) and result.reviewer_ids == (10, 11, 12)
    assert result.bid[0, 0] == BID_SCORES[Bid.EAGER] == 1.0
    assert result.bid[1, 1] == BID_SCORES[Bid.WILLING]
    assert result.bid[2, 0] == BID_SCORES[Bid.NOT_WILLING] == 0.0
    assert result.bid[0, 1] == BID_SCORES[None]
    assert result.topic[0, 0] == pytest.approx(0.5)  # {digitisation, manuscripts} vs {manuscripts}
    assert result.topic[1, 1] == pytest.approx(0.5)
    expected = (2 * result.bid + result.topic + result.text) / 4
    assert result.values == pytest.approx(expected)
    assert ((result.values >= 0) & (result.values <= 1)).all()
    assert result.values.argmax(axis=1).tolist() == [0, 1, 2]
    assert result.declared_conflicts == frozenset()


def test_conflict_bid_zeroes_the_pair_and_is_reported():
    result = compute_affinity(POSTERS, REVIEWERS, {(1, 10): Bid.CONFLICT, (9, 10): Bid.EAGER})
    assert result.values[0, 0] == 0.0
    assert result.declared_conflicts == frozenset({(1, 10)})
    # Bids naming unknown posters are ignored rather than shifting other rows.
    assert np.count_nonzero(result.bid == 1.0) == 0


@pytest.mark.parametrize("weights", [(-0.1, 0.5, 0.5), (0.0, 0.0, 0.0)])
def test_weights_must_be_non_negative_and_not_all_zero(weights):
    with pytest.raises(ValueError, match="non-negative"):
        AffinityWeights(*weights)
