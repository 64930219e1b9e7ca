"""Synthetic review data with a known truth: poster quality, reviewer leniency, noise.

Reviewers belong to topic clusters and review mostly posters of their own cluster;
a share of posters (``bridge``) is reviewed by anyone, which links the clusters.
That is the design where leniency hurts a raw mean most: a cluster of lenient
reviewers lifts all of its posters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poster_review.ranking.scoring import Review


@dataclass(frozen=True)
class Truth:
    quality: np.ndarray  # per poster id 0..P-1
    leniency: np.ndarray  # per reviewer id 0..R-1


def clustered(
    seed: int,
    *,
    posters: int = 120,
    reviewers: int = 30,
    clusters: int = 4,
    per_poster: int = 3,
    bridge: float = 0.15,
    leniency_sd: float = 8.0,
    noise_sd: float = 5.0,
    cluster_leniency_sd: float = 0.0,
) -> tuple[list[Review], Truth]:
    rng = np.random.default_rng(seed)
    home = np.arange(reviewers) % clusters
    topic = np.arange(posters) % clusters
    members = [np.flatnonzero(home == k) for k in range(clusters)]
    quality = rng.normal(60.0, 8.0, posters)
    leniency = rng.normal(0.0, leniency_sd, reviewers)
    leniency += rng.normal(0.0, cluster_leniency_sd, clusters)[home]
    reviews = []
    for p in range(posters):
        pool = members[topic[p]] if rng.random() > bridge else np.arange(reviewers)
        for r in rng.choice(pool, per_poster, replace=False):
            score = quality[p] + leniency[r] + rng.normal(0.0, noise_sd)
            reviews.append(Review(poster=p, reviewer=int(r), score=float(score)))
    return reviews, Truth(quality=quality, leniency=leniency)


def complete(
    seed: int, *, posters: int = 20, reviewers: int = 5, noise_sd: float = 5.0
) -> tuple[list[Review], Truth]:
    """Every reviewer scores every poster, without leniency."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(60.0, 8.0, posters)
    reviews = [
        Review(poster=p, reviewer=r, score=float(quality[p] + rng.normal(0.0, noise_sd)))
        for p in range(posters)
        for r in range(reviewers)
    ]
    return reviews, Truth(quality=quality, leniency=np.zeros(reviewers))
