"""Time the ranking: 10,000 posters x 3 reviews by ~1,000 reviewers, 1,000 resamples.

Run: ``python -m bench.ranking [--posters 10000 --reviewers 1000 --resamples 1000]``.

Prints the wall and CPU time of each method (calibrated with bootstrap, the fit alone,
mean, median), the process's peak resident memory, and the peak of Python-tracked
allocations (numpy included) in a separate run under tracemalloc, which slows it.
Target: calibrated + 1,000 resamples under 5 s.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from poster_review.ranking.scoring import Method, RankingParameters, Review, rank


def synthetic_reviews(posters: int, reviewers: int, per_poster: int, seed: int = 1) -> list[Review]:
    """Clustered assignment: 20 topics, 10% of posters reviewed across topics."""
    rng = np.random.default_rng(seed)
    topics = 20
    home = rng.integers(0, topics, reviewers)
    members = [np.flatnonzero(home == k) for k in range(topics)]
    topic = rng.integers(0, topics, posters)
    quality = rng.normal(60, 10, posters)
    leniency = rng.normal(0, 8, reviewers)
    reviews = []
    for p in range(posters):
        pool = members[topic[p]] if rng.random() > 0.1 else np.arange(reviewers)
        for r in rng.choice(pool, per_poster, replace=False):
            score = quality[p] + leniency[r] + rng.normal(0, 6)
            reviews.append(Review(p, int(r), float(score), float(rng.integers(1, 6))))
    return reviews


def timed(reviews: list[Review], params: RankingParameters) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    rank(reviews, params)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posters", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=1_000)
    parser.add_argument("--per-poster", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()

    reviews = synthetic_reviews(args.posters, args.reviewers, args.per_poster)
    reviewers = len({r.reviewer for r in reviews})
    print(f"{args.posters} posters, {len(reviews)} reviews, {reviewers} reviewers")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cases = [
        ("calibrated + bootstrap", RankingParameters(n_bootstrap=args.resamples)),
        ("calibrated, no bootstrap", RankingParameters(n_bootstrap=0)),
        ("mean + bootstrap", RankingParameters(Method.MEAN, n_bootstrap=args.resamples)),
        ("median + bootstrap", RankingParameters(Method.MEDIAN, n_bootstrap=args.resamples)),
    ]
    for name, params in cases:
        runs = [timed(reviews, params) for _ in range(args.repeat)]
        wall, cpu = min(runs)
        print(f"{name:26s} wall {wall:6.2f} s   cpu {cpu:6.2f} s   (best of {args.repeat})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB (after loading the data: {baseline:.0f} MiB)")

    tracemalloc.start()
    rank(reviews, cases[0][1])
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced allocations during calibrated + bootstrap: {traced / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
