"""From review scores to a ranking the chair can defend.

* :func:`weighted_total` turns one review's rubric scores into 0-100.
* :func:`rank` ranks posters by a *calibrated* score (default), the raw mean or the
  median, with bootstrap intervals, the probability of being in the top N, reviewer
  leniency and the warnings a chair needs (thin coverage, a review graph in pieces,
  reviewers who disagree with everyone else).

The calibrated model is regularised least squares,
``score[i] = quality[poster] + bias[reviewer] + noise``: ``quality`` is the poster's
calibrated score (the intercept is folded into it), ``bias`` the reviewer's leniency.
Each review is weighted by its confidence (1-5, neutral 3), and the fit is a Huber
M-estimate (residuals beyond ``huber_k`` robust standard deviations count linearly,
not squared), so one wild review cannot drag a poster. A ridge penalty
``ridge_lambda * bias**2`` shrinks the leniency of reviewers with few reviews toward 0:
``bias = sum(w * (score - quality)) / (sum(w) + lambda)``, so ``lambda`` reads as
"pseudo-reviews at zero leniency". Only the smaller side of the
bipartite poster-reviewer system is solved directly (its Schur complement is dense
and small), the other side follows in closed form.

Bootstrap intervals resample reviews with replacement within each poster (each
poster keeps its number of reviews). All resamples of a batch are solved together by
conjugate gradients on the same Schur complement, preconditioned by the full-data
Cholesky factor and started from the full-data solution, so each takes a handful of
sparse products instead of a factorisation (10,000 posters, 30,000 reviews and 1,000
resamples take about 3 s; each resample is within 1e-3 points of its exact
solution). The robust weights of the full-data fit are kept fixed inside the
resamples.

Everything is deterministic: reviews are put in a canonical order first, and the
only randomness is a ``numpy.random.Generator`` seeded from the parameters, so equal
inputs and parameters give an identical :class:`Ranking`, whatever the input order.

Pure: numpy and scipy, never pyramid or sqlalchemy. Bad input raises
:class:`ScoringError` with a translatable one-sentence message.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg
import scipy.stats
from threadpoolctl import threadpool_limits

from poster_review.errors import DomainError
from poster_review.i18n import _

Id: TypeAlias = int | str
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

#: Confidence that counts as weight 1; confidence 5 weighs 5/3, confidence 1 weighs 1/3.
NEUTRAL_CONFIDENCE = 3.0
CONFIDENCE_RANGE = (1.0, 5.0)

#: Resamples solved together. Part of the random stream's layout, so changing it
#: changes bootstrap results (never their distribution): keep it fixed.
BOOTSTRAP_BATCH = 50

#: Up to this many unknowns on the small side, the Schur complement is factorised
#: densely (Cholesky); beyond, sparse LU keeps memory in check.
DENSE_LIMIT = 4000

_HUBER_MAX_ROUNDS = 1000
#: Stop when no score or leniency moves by more than this share of the noise scale.
_HUBER_TOLERANCE = 1e-9
_CG_TOLERANCE = 1e-5
_CG_MAX_ROUNDS = 200
#: Normal consistency constant of the median absolute deviation.
_MAD_TO_SD = 1.482602218505602
#: Ids listed in a warning's sentence; the full list is in the warning's fields.
_IDS_IN_MESSAGE = 12
#: The outlier test needs a scale it can trust (a median absolute deviation of fewer
#: residuals wobbles too much) and a few comparable reviews per reviewer.
_OUTLIER_MIN_INFORMATIVE = 30
_OUTLIER_MIN_REVIEWS = 3


class ScoringError(DomainError):
    """Scores or parameters that cannot be ranked; the message is one sentence."""


class Method(enum.StrEnum):
    CALIBRATED = "calibrated"
    MEAN = "mean"
    MEDIAN = "median"


class WarningCode(enum.StrEnum):
    COVERAGE = "coverage"
    DISCONNECTED = "disconnected"
    OUTLIER_REVIEWERS = "outlier_reviewers"


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: its weight and the ends of its scale."""

    name: str
    weight: float
    scale_min: float
    scale_max: float
    optional: bool = False


@dataclass(frozen=True)
class Review:
    """One reviewer's total for one poster, with an optional confidence from 1 to 5."""

    poster: Id
    reviewer: Id
    score: float
    confidence: float | None = None


@dataclass(frozen=True)
class RankingParameters:
    """Everything that decides a ranking besides the reviews; fix it before scoring.

    ``ridge_lambda`` is the leniency shrinkage in pseudo-reviews, ``huber_k`` the Huber
    threshold in robust standard deviations (``None``: plain least squares),
    ``n_bootstrap`` the number of resamples (0: no intervals), ``top_n`` the cut-off the
    probabilities and the "indistinguishable" flags refer to, ``min_reviews`` the
    coverage every poster should have, ``trim`` the share cut from each end for the
    trimmed mean, ``outlier_alpha`` the family-wise error rate of the outlier test.
    """

    method: Method = Method.CALIBRATED
    ridge_lambda: float = 2.0
    huber_k: float | None = 2.0
    n_bootstrap: int = 1000
    seed: int = 0
    top_n: int = 10
    use_confidence: bool = True
    min_reviews: int = 3
    ci_level: float = 0.95
    trim: float = 0.2
    outlier_alpha: float = 0.01

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (self.ridge_lambda > 0, _("The ridge penalty lambda must be positive.")),
            (
                self.huber_k is None or self.huber_k > 0,
                _("The Huber threshold k must be positive."),
            ),
            (self.n_bootstrap >= 0, _("The number of bootstrap resamples cannot be negative.")),
            (self.top_n >= 1, _("The top N cut-off must be at least 1.")),
            (self.min_reviews >= 1, _("The required number of reviews must be at least 1.")),
            (0 < self.ci_level < 1, _("The interval level must lie between 0 and 1.")),
            (0 <= self.trim < 0.5, _("The trimmed share must lie between 0 and 0.5.")),
            (0 < self.outlier_alpha < 1, _("The outlier test level must lie between 0 and 1.")),
        ]
        checks.append((self.seed >= 0, _("The random seed cannot be negative.")))
        for ok, message in checks:
            if not ok:
                raise ScoringError(message)
        try:
            object.__setattr__(self, "method", Method(self.method))
        except ValueError:
            raise ScoringError(
                _("There is no ranking method ${method}.", mapping={"method": self.method})
            ) from None


@dataclass(frozen=True)
class PosterResult:
    """One poster's place. ``score`` is the ranking method's score; the interval and
    ``p_top_n`` come from the bootstrap (``None`` without one). ``at_cutoff``: the
    interval straddles the boundary between the N-th and the (N+1)-th poster, so the
    data cannot tell whether it belongs in the top N."""

    poster: Id
    rank: int
    score: float
    raw_mean: float
    median: float
    trimmed_mean: float
    calibrated: float
    n_reviews: int
    sd: float | None
    score_range: float
    ci_low: float | None
    ci_high: float | None
    p_top_n: float | None
    at_cutoff: bool


@dataclass(frozen=True)
class ReviewerResult:
    """A reviewer's leniency (calibrated bias: positive scores higher than peers) and
    how far their scores stray from the model. ``disagreement`` is the root mean square
    of their standardised residuals (about 1 for a typical reviewer);
    ``consensus_correlation`` correlates their scores with the other reviewers' view
    of the same posters. ``outlier`` flags a disagreement too large to be chance."""

    reviewer: Id
    n_reviews: int
    leniency: float
    residual_sd: float | None
    disagreement: float | None
    consensus_correlation: float | None
    mean_robust_weight: float
    outlier: bool


@dataclass(frozen=True)
class RankingWarning:
    code: WarningCode
    message: str
    posters: tuple[Id, ...] = ()
    reviewers: tuple[Id, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """Posters sorted by rank (1 = best; equal scores share a rank), reviewers sorted by
    id. ``robust_scale`` is the noise standard deviation the Huber weights and outlier
    test used (``None`` when no poster has two reviews)."""

    parameters: RankingParameters
    posters: tuple[PosterResult, ...]
    reviewers: tuple[ReviewerResult, ...]
    warnings: tuple[RankingWarning, ...] = ()
    components: int = 1
    robust_scale: float | None = None


# --- One review's rubric ----------------------------------------------------------


def weighted_total(criteria: Sequence[Criterion], scores: Mapping[str, float | None]) -> float:
    """Return the review's weighted total on a 0-100 scale.

    Each score is mapped linearly from its criterion's scale to 0-1. An optional
    criterion that is missing or ``None`` ("not observed") drops out and the weights of
    the others are rescaled to sum to 1. Raises :class:`ScoringError` for a missing
    required score, a score outside its scale, an unknown criterion, or when nothing
    with a positive weight is left.
    """
    known = {c.name for c in criteria}
    for name in scores:
        if name not in known:
            raise ScoringError(_("There is no criterion ${name}.", mapping={"name": name}))
    total = 0.0
    weight_sum = 0.0
    for criterion in criteria:
        value = scores.get(criterion.name)
        if criterion.weight < 0 or criterion.scale_max <= criterion.scale_min:
            raise ScoringError(
                _("The criterion ${name} is badly defined.", mapping={"name": criterion.name})
            )
        if value is None:
            if criterion.optional:
                continue
            raise ScoringError(
                _("The criterion ${name} needs a score.", mapping={"name": criterion.name})
            )
        if not (math.isfinite(value) and criterion.scale_min <= value <= criterion.scale_max):
            raise ScoringError(
                _(
                    "The score ${value} for ${name} lies outside ${low}-${high}.",
                    mapping={
                        "value": value,
                        "name": criterion.name,
                        "low": criterion.scale_min,
                        "high": criterion.scale_max,
                    },
                )
            )
        span = criterion.scale_max - criterion.scale_min
        total += criterion.weight * (value - criterion.scale_min) / span
        weight_sum += criterion.weight
    if weight_sum <= 0:
        raise ScoringError(_("No weighted criterion was scored."))
    return 100.0 * total / weight_sum


def criterion_means(
    scored: Iterable[tuple[Id, Mapping[str, float | None]]],
) -> dict[Id, dict[str, float]]:
    """Mean of each criterion per poster over the reviews that observed it (for
    tie-break rules such as "higher mean originality")."""
    sums: dict[Id, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for poster, scores in scored:
        for name, value in scores.items():
            if value is not None:
                sums[poster][name].append(float(value))
    return {
        poster: {name: math.fsum(values) / len(values) for name, values in by_name.items()}
        for poster, by_name in sums.items()
    }


# --- Reviews as arrays --------------------------------------------------------------


def id_sort_key(value: Id) -> tuple[int, int, str]:
    """Integers first in numeric order, then strings: a total order on mixed ids."""
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


@dataclass(frozen=True, eq=False)
class _Data:
    """Reviews in canonical order (poster, then reviewer), ids replaced by indices."""

    posters: tuple[Id, ...]
    reviewers: tuple[Id, ...]
    poster: IntArray
    reviewer: IntArray
    score: FloatArray
    confidence: FloatArray
    start: IntArray  # first review of each poster
    count: IntArray  # reviews of each poster

    @property
    def n(self) -> int:
        return int(self.score.size)


def _prepare(reviews: Iterable[Review]) -> _Data:
    rows = sorted(reviews, key=lambda r: (id_sort_key(r.poster), id_sort_key(r.reviewer)))
    if not rows:
        raise ScoringError(_("There are no reviews to rank."))
    low, high = CONFIDENCE_RANGE
    previous: Review | None = None
    for row in rows:
        if not math.isfinite(row.score):
            raise ScoringError(
                _(
                    "The score of reviewer ${reviewer} for poster ${poster} is not a number.",
                    mapping={"reviewer": row.reviewer, "poster": row.poster},
                )
            )
        if row.confidence is not None and not low <= row.confidence <= high:
            raise ScoringError(
                _(
                    "The confidence of reviewer ${reviewer} for poster ${poster} lies outside 1-5.",
                    mapping={"reviewer": row.reviewer, "poster": row.poster},
                )
            )
        if previous is not None and (previous.poster, previous.reviewer) == (
            row.poster,
            row.reviewer,
        ):
            raise ScoringError(
                _(
                    "Reviewer ${reviewer} scored poster ${poster} twice.",
                    mapping={"reviewer": row.reviewer, "poster": row.poster},
                )
            )
        previous = row
    posters = tuple(dict.fromkeys(r.poster for r in rows))
    reviewers = tuple(sorted({r.reviewer for r in rows}, key=id_sort_key))
    poster_index = {p: i for i, p in enumerate(posters)}
    reviewer_index = {r: i for i, r in enumerate(reviewers)}
    poster = np.fromiter((poster_index[r.poster] for r in rows), np.intp, len(rows))
    count = np.bincount(poster, minlength=len(posters)).astype(np.intp)
    start = np.zeros(len(posters), np.intp)
    np.cumsum(count[:-1], out=start[1:])
    return _Data(
        posters=posters,
        reviewers=reviewers,
        poster=poster,
        reviewer=np.fromiter((reviewer_index[r.reviewer] for r in rows), np.intp, len(rows)),
        score=np.fromiter((r.score for r in rows), np.float64, len(rows)),
        confidence=np.fromiter(
            (NEUTRAL_CONFIDENCE if r.confidence is None else r.confidence for r in rows),
            np.float64,
            len(rows),
        ),
        start=start,
        count=count,
    )


def _groups(index: IntArray, size: int) -> list[tuple[int, IntArray, IntArray]]:
    """Reviews grouped by ``index`` (poster or reviewer), nodes grouped by their number
    of reviews: ``(n, nodes, positions)`` with ``positions`` the (nodes x n) matrix of
    their reviews' positions. Lets ragged per-node work run as a few dense operations."""
    order = np.argsort(index, kind="stable")
    count = np.bincount(index, minlength=size)
    start = np.zeros(size, np.intp)
    np.cumsum(count[:-1], out=start[1:])
    groups = []
    for n in np.unique(count[count > 0]):
        nodes = np.flatnonzero(count == n).astype(np.intp)
        positions = order[start[nodes][:, None] + np.arange(n)].astype(np.intp)
        groups.append((int(n), nodes, positions))
    return groups


def _size_groups(data: _Data) -> list[tuple[int, IntArray, IntArray]]:
    return _groups(data.poster, len(data.posters))


# --- Per-poster statistics ------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Summary:
    mean: FloatArray
    median: FloatArray
    trimmed: FloatArray
    sd: FloatArray  # NaN for a single review
    spread: FloatArray


def _summarise(data: _Data, trim: float) -> _Summary:
    by_value = np.lexsort((data.score, data.poster))
    ordered = data.score[by_value]
    size = len(data.posters)
    out = {name: np.empty(size) for name in ("mean", "median", "trimmed", "sd", "spread")}
    for n, posters, positions in _size_groups(data):
        values = ordered[positions]
        cut = int(trim * n)  # scipy.stats.trim_mean's convention
        out["mean"][posters] = values.mean(axis=1)
        out["median"][posters] = np.median(values, axis=1)
        out["trimmed"][posters] = values[:, cut : n - cut].mean(axis=1)
        out["sd"][posters] = values.std(axis=1, ddof=1) if n > 1 else np.nan
        out["spread"][posters] = values[:, -1] - values[:, 0]
    return _Summary(**out)


# --- The calibrated model ------------------------------------------------------------


class _Factor:
    """Solves with a fixed symmetric positive definite matrix, one or many columns."""

    def __init__(self, matrix: scipy.sparse.csr_matrix) -> None:
        self.size = int(matrix.shape[0])
        self._dense: tuple[FloatArray, bool] | None = None
        self._sparse: Any = None  # scipy's SuperLU, untyped
        if self.size <= DENSE_LIMIT:
            self._dense = scipy.linalg.cho_factor(matrix.toarray(), check_finite=False)
        else:
            self._sparse = scipy.sparse.linalg.splu(matrix.tocsc())

    def solve(self, rhs: FloatArray) -> FloatArray:
        if self._dense is not None:
            return np.asarray(
                scipy.linalg.cho_solve(self._dense, rhs, check_finite=False), np.float64
            )
        return np.asarray(self._sparse.solve(rhs), np.float64)

    def inverse(self) -> FloatArray | None:
        """The explicit inverse when it is small enough to hold, else ``None``."""
        if self._dense is None:
            return None
        return self.solve(np.eye(self.size))


class _Design:
    """The bipartite least-squares system, arranged so that the smaller side is
    solved ("kept") and the larger side eliminated.

    Unknowns: poster scores (no penalty) and reviewer biases (ridge ``lambda``). For
    weights ``w`` the normal equations are ``[D_e C^T; C D_k] [x_e; x_k] = [Y_e; Y_k]``
    with diagonal ``D`` (summed weights plus ridge) and ``C[k, e]`` the summed weight
    of reviews joining a kept and an eliminated unknown.
    """

    def __init__(self, data: _Data, ridge: float) -> None:
        n_posters, n_reviewers = len(data.posters), len(data.reviewers)
        self.posters_kept = n_posters < n_reviewers
        if self.posters_kept:
            self.kept, self.eliminated = data.poster, data.reviewer
            self.n_kept, self.n_eliminated = n_posters, n_reviewers
            self.ridge_kept, self.ridge_eliminated = 0.0, ridge
        else:
            self.kept, self.eliminated = data.reviewer, data.poster
            self.n_kept, self.n_eliminated = n_reviewers, n_posters
            self.ridge_kept, self.ridge_eliminated = ridge, 0.0
        self.score = data.score
        columns = np.arange(data.n)
        ones = np.ones(data.n)
        # Incidence matrices: summing review rows per unknown is one sparse product.
        self.sum_kept = scipy.sparse.csr_matrix(
            (ones, (self.kept, columns)), shape=(self.n_kept, data.n)
        )
        self.sum_eliminated = scipy.sparse.csr_matrix(
            (ones, (self.eliminated, columns)), shape=(self.n_eliminated, data.n)
        )

    def diagonals(self, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        d_kept = np.bincount(self.kept, weights, self.n_kept) + self.ridge_kept
        d_elim = np.bincount(self.eliminated, weights, self.n_eliminated) + self.ridge_eliminated
        return np.asarray(d_kept, np.float64), np.asarray(d_elim, np.float64)

    def factor(self, weights: FloatArray) -> _Factor:
        """Factorise the Schur complement ``D_k - C D_e^-1 C^T`` for ``weights``."""
        d_kept, d_elim = self.diagonals(weights)
        coupling = scipy.sparse.csr_matrix(
            (weights, (self.kept, self.eliminated)), shape=(self.n_kept, self.n_eliminated)
        )
        schur = scipy.sparse.diags(d_kept) - coupling @ scipy.sparse.diags(1 / d_elim) @ (
            coupling.T
        )
        return _Factor(scipy.sparse.csr_matrix(schur))

    def solve(self, weights: FloatArray) -> tuple[FloatArray, FloatArray, _Factor]:
        """Exact weighted solution: (poster scores, reviewer biases, the factor)."""
        factor = self.factor(weights)
        scores, biases = self.solve_with(factor, weights, self.score)
        return scores, biases, factor

    def solve_with(
        self, factor: _Factor, weights: FloatArray, score: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Solution for other scores with the factor of the same ``weights``."""
        _d_kept, d_elim = self.diagonals(weights)
        wy = weights * score
        y_kept = np.bincount(self.kept, wy, self.n_kept)
        y_elim = np.bincount(self.eliminated, wy, self.n_eliminated)
        rhs = np.asarray(
            y_kept
            - np.bincount(self.kept, weights * (y_elim / d_elim)[self.eliminated], self.n_kept),
            np.float64,
        )
        x_kept = factor.solve(rhs)
        x_elim = (
            y_elim - np.bincount(self.eliminated, weights * x_kept[self.kept], self.n_eliminated)
        ) / d_elim
        if self.posters_kept:
            return x_kept, x_elim
        return x_elim, x_kept

    def approximate_leverage(self, weights: FloatArray) -> FloatArray:
        """Each review's pull on its own fit from its poster and its reviewer alone,
        ignoring the graph around them; cheap, for the reweighting rounds."""
        d_kept, d_elim = self.diagonals(weights)
        return np.asarray(weights / d_kept[self.kept] + weights / d_elim[self.eliminated])

    def leverage(self, weights: FloatArray, factor: _Factor) -> FloatArray:
        """Diagonal of the hat matrix, ``w_i x_i^T M^-1 x_i``, from the block inverse
        of the normal matrix ``M``; falls back to the approximation when the Schur
        complement is too big to invert."""
        inverse = factor.inverse()
        if inverse is None:
            return self.approximate_leverage(weights)
        _d_kept, d_elim = self.diagonals(weights)
        hat = np.empty_like(weights)
        for _n, nodes, positions in _groups(self.eliminated, self.n_eliminated):
            kept = self.kept[positions]
            w = weights[positions]
            block = inverse[kept[:, :, None], kept[:, None, :]]
            through = np.einsum("kij,kj->ki", block, w)  # (S^-1 C)[a_i, e]
            quad = np.einsum("ki,ki->k", through, w)  # c_e^T S^-1 c_e
            d = d_elim[nodes][:, None]
            diagonal = np.einsum("kii->ki", block)
            hat[positions] = w * (1 / d + quad[:, None] / d**2 + diagonal - 2 * through / d)
        return np.clip(hat, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class _Fit:
    scores: FloatArray  # per poster
    biases: FloatArray  # per reviewer
    weights: FloatArray  # per review: confidence x robust
    robust: FloatArray  # per review: Huber weight
    precision: FloatArray  # per review: confidence weight
    residuals: FloatArray
    #: Residuals divided by their own standard deviation up to ``scale``; 0 for
    #: reviews the model fits exactly (a poster's only review), which tell nothing.
    standardised: FloatArray
    informative: BoolArray
    scale: float | None
    factor: _Factor
    design: _Design


def _standardise(
    residuals: FloatArray, precision: FloatArray, leverage: FloatArray, informative: BoolArray
) -> FloatArray:
    # Var(residual) = sigma^2 (1 - h) / precision for weighted least squares.
    room = np.where(informative, 1 - leverage, 1.0)
    return np.where(informative, residuals * np.sqrt(precision / np.maximum(room, 1e-12)), 0.0)


def _robust_scale(standardised: FloatArray, informative: BoolArray) -> float | None:
    """Median absolute deviation of the informative standardised residuals."""
    if not informative.any():
        return None
    scale = _MAD_TO_SD * float(np.median(np.abs(standardised[informative])))
    return scale if scale > 0 else None


def _fit(data: _Data, parameters: RankingParameters) -> _Fit:
    """Weighted least squares, then the Huber M-estimate with the first fit's scale.

    The scale is the median absolute deviation of the first fit's standardised
    residuals, and stays fixed: re-estimating it from robust fits would shrink it, as
    Huber weights pull each poster's score toward its central reviews. The M-estimate
    is found by Huber's "winsorised residuals" iteration: refit pseudo-scores whose
    residuals are clipped at ``k`` standard deviations. Every round reuses the first
    factorisation: the ~200 rounds 30,000 reviews take cost about as much as ten
    reweighted refits, which converge no faster. At the fixed point the robust weights
    ``min(1, k / |standardised residual|)`` give the same solution by weighted least
    squares, which provides the factor the bootstrap reuses.
    """
    design = _Design(data, parameters.ridge_lambda)
    precision = (
        data.confidence / NEUTRAL_CONFIDENCE if parameters.use_confidence else np.ones(data.n)
    )
    scores, biases, factor = design.solve(precision)
    residuals = data.score - scores[data.poster] - biases[data.reviewer]
    leverage = design.leverage(precision, factor)
    # A poster's only review is fitted exactly whatever its value: it tells nothing.
    informative = (data.count[data.poster] >= 2) & (leverage < 1 - 1e-9)
    standardised = _standardise(residuals, precision, leverage, informative)
    scale = _robust_scale(standardised, informative)
    weights = precision
    robust = np.ones(data.n)
    if parameters.huber_k is not None and scale is not None:
        # Standardised residual per point of residual; 0 where nothing is standardised.
        per_point = _standardise(np.ones(data.n), precision, leverage, informative) / scale
        limit = parameters.huber_k / np.where(per_point > 0, per_point, np.nan)
        limit = np.where(per_point > 0, limit, np.inf)
        for _round in range(_HUBER_MAX_ROUNDS):
            fitted = data.score - residuals
            pseudo = fitted + np.clip(residuals, -limit, limit)
            new_scores, new_biases = design.solve_with(factor, precision, pseudo)
            change = max(
                float(np.max(np.abs(new_scores - scores))),
                float(np.max(np.abs(new_biases - biases))),
            )
            scores, biases = new_scores, new_biases
            residuals = data.score - scores[data.poster] - biases[data.reviewer]
            if change <= _HUBER_TOLERANCE * scale:
                break
        distance = np.abs(residuals) * per_point
        robust = np.where(
            distance > parameters.huber_k, parameters.huber_k / np.maximum(distance, 1e-300), 1.0
        )
        weights = precision * robust
        scores, biases, factor = design.solve(weights)
        residuals = data.score - scores[data.poster] - biases[data.reviewer]
        standardised = _standardise(residuals, precision, leverage, informative)
    return _Fit(
        scores=scores,
        biases=biases,
        weights=weights,
        robust=robust,
        precision=precision,
        residuals=residuals,
        standardised=standardised,
        informative=informative,
        scale=scale,
        factor=factor,
        design=design,
    )


# --- Bootstrap -----------------------------------------------------------------------


def _multiplicities(rng: np.random.Generator, n: int, k: int, batch: int) -> npt.NDArray[np.int32]:
    """How often each of ``k`` posters' ``n`` reviews is drawn in each resample:
    a (k * n, batch) matrix whose columns sum to ``n`` per poster."""
    draws = rng.integers(0, n, size=(k, n, batch), dtype=np.int32)
    if n <= 8:  # n comparisons beat a scatter for the usual 2-6 reviews
        counts = np.empty((k, n, batch), np.int32)
        for j in range(n):
            np.sum(draws == j, axis=1, out=counts[:, j], dtype=np.int32)
        return counts.reshape(k * n, batch)
    flat = (np.arange(k, dtype=np.int64)[:, None, None] * n + draws) * batch + np.arange(batch)
    return np.bincount(flat.ravel(), minlength=k * n * batch).astype(np.int32).reshape(k * n, batch)


def _batches(total: int) -> Iterable[slice]:
    for begin in range(0, total, BOOTSTRAP_BATCH):
        yield slice(begin, min(begin + BOOTSTRAP_BATCH, total))


def _bootstrap_calibrated(
    data: _Data, fit: _Fit, n_resamples: int, rng: np.random.Generator
) -> Iterable[FloatArray]:
    """Yield (posters x batch) matrices of resampled calibrated scores."""
    design = fit.design
    kept, elim = design.kept, design.eliminated
    sum_kept, sum_elim = design.sum_kept, design.sum_eliminated
    score = data.score[:, None]
    groups = _size_groups(data)
    x_full = fit.biases if not design.posters_kept else fit.scores
    for columns in _batches(n_resamples):
        batch = columns.stop - columns.start
        counts = np.empty((data.n, batch), np.float64)
        for n, posters, positions in groups:
            counts[positions.ravel()] = _multiplicities(rng, n, posters.size, batch)
        weights = counts
        weights *= fit.weights[:, None]
        d_kept = sum_kept @ weights + design.ridge_kept
        d_elim = sum_elim @ weights + design.ridge_eliminated
        wy = weights * score
        y_kept = sum_kept @ wy
        y_elim = sum_elim @ wy

        def apply(
            x: FloatArray, w: FloatArray = weights, dk: FloatArray = d_kept, de: FloatArray = d_elim
        ) -> FloatArray:
            through = sum_elim @ (w * np.take(x, kept, axis=0))
            through /= de
            back = np.take(through, elim, axis=0)
            back *= w
            out = dk * x
            out -= sum_kept @ back
            return out

        spread = np.take(y_elim / d_elim, elim, axis=0)
        spread *= weights
        rhs = y_kept - sum_kept @ spread
        x = np.repeat(x_full[:, None], batch, axis=1)
        x = _conjugate_gradients(apply, fit.factor.solve, rhs, x)
        if design.posters_kept:
            yield x
        else:
            yield (y_elim - sum_elim @ (weights * np.take(x, kept, axis=0))) / d_elim


def _conjugate_gradients(
    apply: Callable[[FloatArray], FloatArray],
    precondition: Callable[[FloatArray], FloatArray],
    rhs: FloatArray,
    x: FloatArray,
) -> FloatArray:
    """Preconditioned conjugate gradients on every column at once."""
    residual = rhs - apply(x)
    z = precondition(residual)
    direction = z.copy()
    rz = np.einsum("ij,ij->j", residual, z)
    limit = np.einsum("ij,ij->j", rhs, rhs) * _CG_TOLERANCE**2
    for _round in range(_CG_MAX_ROUNDS):
        if bool((np.einsum("ij,ij->j", residual, residual) <= limit).all()):
            break
        q = apply(direction)
        curvature = np.einsum("ij,ij->j", direction, q)
        # A converged column has a zero direction: leave it where it is.
        step = np.divide(rz, curvature, out=np.zeros_like(rz), where=curvature > 0)
        x += step * direction
        residual -= step * q
        z = precondition(residual)
        rz_next = np.einsum("ij,ij->j", residual, z)
        ratio = np.divide(rz_next, rz, out=np.zeros_like(rz), where=rz > 0)
        direction *= ratio
        direction += z
        rz = rz_next
    return x


def _bootstrap_simple(
    data: _Data, median: bool, n_resamples: int, rng: np.random.Generator
) -> Iterable[FloatArray]:
    """Yield (posters x batch) matrices of resampled raw means or medians."""
    groups = _size_groups(data)
    for columns in _batches(n_resamples):
        batch = columns.stop - columns.start
        out = np.empty((len(data.posters), batch))
        for n, posters, positions in groups:
            draws = rng.integers(0, n, size=(posters.size, n, batch), dtype=np.int32)
            values = np.take_along_axis(data.score[positions][:, :, None], draws, axis=1)
            out[posters] = np.median(values, axis=1) if median else values.mean(axis=1)
        yield out


@dataclass(frozen=True, eq=False)
class _Uncertainty:
    low: FloatArray
    high: FloatArray
    p_top: FloatArray


def _uncertainty(
    resamples: Iterable[FloatArray],
    n_posters: int,
    n_resamples: int,
    parameters: RankingParameters,
) -> _Uncertainty:
    store = np.empty((n_posters, n_resamples))
    in_top = np.zeros(n_posters)
    begin = 0
    for block in resamples:
        store[:, begin : begin + block.shape[1]] = block
        begin += block.shape[1]
        in_top += _top_share(block, parameters.top_n)
    tail = (1 - parameters.ci_level) / 2
    low, high = np.quantile(store, [tail, 1 - tail], axis=1)
    return _Uncertainty(low=low, high=high, p_top=in_top / n_resamples)


def _top_share(block: FloatArray, top_n: int) -> FloatArray:
    """Per poster, the number of columns in which it is among the ``top_n`` highest;
    posters tied at the threshold share the remaining places equally."""
    n_posters = block.shape[0]
    if top_n >= n_posters:
        return np.full(n_posters, float(block.shape[1]))
    threshold = -np.partition(-block, top_n - 1, axis=0)[top_n - 1]
    above = block > threshold
    level = block == threshold
    places = top_n - above.sum(axis=0)
    share = places / level.sum(axis=0)
    return np.asarray(above.sum(axis=1) + (level * share).sum(axis=1), np.float64)


# --- Reviewer diagnostics ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Diagnostics:
    residual_sd: FloatArray  # NaN when undefined
    disagreement: FloatArray
    correlation: FloatArray
    robust_weight: FloatArray
    outlier: BoolArray


def _diagnose(data: _Data, fit: _Fit, alpha: float) -> _Diagnostics:
    """Compare each review with the other reviews of its poster.

    A review's deviation is its leniency-corrected score minus the robust weighted
    mean of the others' leniency-corrected scores. Leaving the review out keeps an
    erratic reviewer from hiding in their own posters' means; the others' robust
    weights keep them from dragging their co-reviewers into suspicion. Divided by its
    standard deviation (noise of the review plus noise of the others' mean, at the
    first fit's scale), the squared deviations of a reviewer sum to a chi-square
    statistic, tested with a Bonferroni correction over all reviewers tested.
    """
    size = len(data.reviewers)
    who, poster, w = data.reviewer, data.poster, fit.weights
    corrected = data.score - fit.biases[who]
    others = np.bincount(poster, w)[poster] - w
    defined = others > 1e-9 * np.bincount(poster, w)[poster]
    safe = np.where(defined, others, 1.0)
    consensus = (np.bincount(poster, w * corrected)[poster] - w * corrected) / safe
    # Var(consensus) / sigma^2 = sum w_j^2 / precision_j / (sum w_j)^2 over the others.
    spread = np.bincount(poster, w**2 / fit.precision)[poster] - w**2 / fit.precision
    variance = 1 / fit.precision + spread / safe**2
    deviation = np.where(defined, (corrected - consensus) / np.sqrt(variance), 0.0)
    n_defined = np.bincount(who, defined, size)
    squares = np.bincount(who, deviation**2, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual_sd = np.sqrt(squares / n_defined)
        chi2 = squares / fit.scale**2 if fit.scale else np.full(size, np.nan)
        disagreement = np.sqrt(chi2 / n_defined)
    testable = (n_defined >= _OUTLIER_MIN_REVIEWS) & np.isfinite(chi2)
    if int(fit.informative.sum()) < _OUTLIER_MIN_INFORMATIVE:
        testable[:] = False
    p_values = np.ones(size)
    p_values[testable] = scipy.stats.chi2.sf(chi2[testable], n_defined[testable])
    # Bonferroni: a flag means "look at this reviewer", almost never chance.
    outlier = testable & (p_values < alpha / max(int(testable.sum()), 1))
    return _Diagnostics(
        residual_sd=residual_sd,
        disagreement=disagreement,
        correlation=_correlation(who, np.where(defined, data.score, 0.0), consensus, defined, size),
        robust_weight=np.bincount(who, fit.robust, size) / np.bincount(who, minlength=size),
        outlier=outlier,
    )


def _correlation(
    group: IntArray, x: FloatArray, y: FloatArray, use: BoolArray, size: int
) -> FloatArray:
    """Pearson correlation of ``x`` and ``y`` within each group over the rows in
    ``use``; NaN for fewer than 3 rows or a constant side."""
    x = np.where(use, x, 0.0)
    y = np.where(use, y, 0.0)
    n = np.bincount(group, use, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = np.bincount(group, x, size) / n
        mean_y = np.bincount(group, y, size) / n
        dx = np.where(use, x - mean_x[group], 0.0)
        dy = np.where(use, y - mean_y[group], 0.0)
        vx = np.bincount(group, dx * dx, size)
        vy = np.bincount(group, dy * dy, size)
        correlation = np.bincount(group, dx * dy, size) / np.sqrt(vx * vy)
    usable = (n >= 3) & (vx > 0) & (vy > 0)
    return np.where(usable, np.clip(correlation, -1.0, 1.0), np.nan)


# --- The ranking ---------------------------------------------------------------------------


def _components(data: _Data) -> tuple[IntArray, IntArray]:
    """Connected components of the bipartite poster-reviewer graph: a label per poster
    and per reviewer."""
    n_posters = len(data.posters)
    size = n_posters + len(data.reviewers)
    graph = scipy.sparse.csr_matrix(
        (np.ones(data.n), (data.poster, n_posters + data.reviewer)), shape=(size, size)
    )
    _n, labels = scipy.sparse.csgraph.connected_components(graph, directed=False)
    labels = np.asarray(labels, np.intp)
    return labels[:n_posters], labels[n_posters:]


def _ids(values: Sequence[Id]) -> str:
    """The first ids, then an ellipsis (language-neutral); warnings carry the full list."""
    shown = ", ".join(str(v) for v in values[:_IDS_IN_MESSAGE])
    return shown + ", \u2026" if len(values) > _IDS_IN_MESSAGE else shown


def _optional(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _warnings(
    data: _Data,
    parameters: RankingParameters,
    labels: tuple[IntArray, IntArray],
    diagnostics: _Diagnostics,
    unreviewed: Sequence[Id],
) -> list[RankingWarning]:
    found: list[RankingWarning] = []
    thin = [data.posters[i] for i in np.flatnonzero(data.count < parameters.min_reviews)]
    thin = list(unreviewed) + thin
    if thin:
        found.append(
            RankingWarning(
                WarningCode.COVERAGE,
                _(
                    "Posters with fewer than ${min} reviews: ${ids}.",
                    mapping={"min": parameters.min_reviews, "ids": _ids(thin)},
                ),
                posters=tuple(thin),
            )
        )
    poster_label, reviewer_label = labels
    sizes = np.bincount(poster_label)
    if sizes.size > 1:
        largest = int(np.argmax(sizes))  # the most posters; ties: the lowest label
        apart = tuple(data.posters[i] for i in np.flatnonzero(poster_label != largest))
        apart_reviewers = tuple(
            data.reviewers[i] for i in np.flatnonzero(reviewer_label != largest)
        )
        found.append(
            RankingWarning(
                WarningCode.DISCONNECTED,
                _(
                    "The reviews fall into ${groups} groups of posters that share no "
                    "reviewer, so leniency cannot be compared between groups; "
                    "posters outside the largest group: ${ids}.",
                    mapping={"groups": sizes.size, "ids": _ids(apart)},
                ),
                posters=apart,
                reviewers=apart_reviewers,
            )
        )
    flagged = tuple(data.reviewers[i] for i in np.flatnonzero(diagnostics.outlier))
    if flagged:
        found.append(
            RankingWarning(
                WarningCode.OUTLIER_REVIEWERS,
                _(
                    "Reviewers whose scores disagree strongly with the other reviewers of "
                    "the same posters (their reviews still count; please look at them): "
                    "${ids}.",
                    mapping={"ids": _ids(flagged)},
                ),
                reviewers=flagged,
            )
        )
    return found


def rank(
    reviews: Iterable[Review],
    parameters: RankingParameters = RankingParameters(),
    *,
    posters: Iterable[Id] = (),
) -> Ranking:
    """Rank the reviewed posters; see the module docstring for the model.

    ``posters`` may name every poster that should have been reviewed: those without
    any review are not ranked but appear in the coverage warning. Raises
    :class:`ScoringError` when there is no review, a score is not finite, a
    confidence lies outside 1-5, or a reviewer scored a poster twice.
    """
    # One BLAS thread: these solves are too small to gain from more, and a thread
    # count that varies between machines would change the last bits of the results.
    with threadpool_limits(limits=1, user_api="blas"):
        return _rank(_prepare(reviews), parameters, posters)


def _rank(data: _Data, parameters: RankingParameters, posters: Iterable[Id]) -> Ranking:
    summary = _summarise(data, parameters.trim)
    fit = _fit(data, parameters)
    point = {
        Method.CALIBRATED: fit.scores,
        Method.MEAN: summary.mean,
        Method.MEDIAN: summary.median,
    }[parameters.method]
    n_posters = len(data.posters)

    uncertainty: _Uncertainty | None = None
    if parameters.n_bootstrap:
        rng = np.random.default_rng(parameters.seed)
        resamples = (
            _bootstrap_calibrated(data, fit, parameters.n_bootstrap, rng)
            if parameters.method is Method.CALIBRATED
            else _bootstrap_simple(
                data, parameters.method is Method.MEDIAN, parameters.n_bootstrap, rng
            )
        )
        uncertainty = _uncertainty(resamples, n_posters, parameters.n_bootstrap, parameters)

    keys = [id_sort_key(p) for p in data.posters]
    order = sorted(range(n_posters), key=lambda i: (-point[i], keys[i]))
    descending = -point[order]
    ranks = np.searchsorted(descending, -point, side="left") + 1
    at_cutoff = np.zeros(n_posters, bool)
    if uncertainty is not None and parameters.top_n < n_posters:
        boundary = (point[order[parameters.top_n - 1]] + point[order[parameters.top_n]]) / 2
        at_cutoff = (uncertainty.low <= boundary) & (boundary <= uncertainty.high)

    poster_results = tuple(
        PosterResult(
            poster=data.posters[i],
            rank=int(ranks[i]),
            score=float(point[i]),
            raw_mean=float(summary.mean[i]),
            median=float(summary.median[i]),
            trimmed_mean=float(summary.trimmed[i]),
            calibrated=float(fit.scores[i]),
            n_reviews=int(data.count[i]),
            sd=_optional(summary.sd[i]),
            score_range=float(summary.spread[i]),
            ci_low=None if uncertainty is None else float(uncertainty.low[i]),
            ci_high=None if uncertainty is None else float(uncertainty.high[i]),
            p_top_n=None if uncertainty is None else float(uncertainty.p_top[i]),
            at_cutoff=bool(at_cutoff[i]),
        )
        for i in order
    )
    diagnostics = _diagnose(data, fit, parameters.outlier_alpha)
    reviewed_counts = np.bincount(data.reviewer, minlength=len(data.reviewers))
    reviewer_results = tuple(
        ReviewerResult(
            reviewer=reviewer,
            n_reviews=int(reviewed_counts[j]),
            leniency=float(fit.biases[j]),
            residual_sd=_optional(diagnostics.residual_sd[j]),
            disagreement=_optional(diagnostics.disagreement[j]),
            consensus_correlation=_optional(diagnostics.correlation[j]),
            mean_robust_weight=float(diagnostics.robust_weight[j]),
            outlier=bool(diagnostics.outlier[j]),
        )
        for j, reviewer in enumerate(data.reviewers)
    )
    known = set(data.posters)
    unreviewed = sorted({p for p in posters if p not in known}, key=id_sort_key)
    labels = _components(data)
    return Ranking(
        parameters=parameters,
        posters=poster_results,
        reviewers=reviewer_results,
        warnings=tuple(_warnings(data, parameters, labels, diagnostics, unreviewed)),
        components=int(labels[0].max()) + 1,
        robust_scale=fit.scale,
    )


__all__ = [
    "Criterion",
    "Id",
    "Method",
    "PosterResult",
    "Ranking",
    "RankingParameters",
    "RankingWarning",
    "Review",
    "ReviewerResult",
    "ScoringError",
    "WarningCode",
    "criterion_means",
    "id_sort_key",
    "rank",
    "weighted_total",
]
