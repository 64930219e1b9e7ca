"""How well each reviewer suits each poster, in [0, 1] (pure: no Pyramid, no database).

Three components, each in [0, 1], are mixed by :class:`AffinityWeights`:

- **bid**: the reviewer's bid on the poster (:data:`BID_SCORES`; no bid is neutral);
- **topic**: Jaccard overlap of the poster's and the reviewer's topic sets;
- **text**: cosine similarity of TF-IDF vectors (scikit-learn) of the poster's title and
  abstract against the reviewer's keywords and profile. Tokens are case- and
  width-folded words of any script; Chinese and Japanese, written without spaces, are
  cut into overlapping character pairs, the usual trick for CJK retrieval.

The result keeps the components so the chair's page can show why a pair scored as it
did. A "conflict" bid is a declared conflict: its pair gets affinity 0 and is listed in
``declared_conflicts`` for the caller to forbid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

FloatArray: TypeAlias = NDArray[np.float64]


class Bid(StrEnum):
    EAGER = "eager"
    WILLING = "willing"
    NOT_WILLING = "not_willing"
    CONFLICT = "conflict"


#: Bid component per bid; a reviewer who did not bid sits between willing and unwilling.
BID_SCORES: Mapping[Bid | None, float] = {
    Bid.EAGER: 1.0,
    Bid.WILLING: 0.7,
    None: 0.4,
    Bid.NOT_WILLING: 0.0,
    Bid.CONFLICT: 0.0,
}


@dataclass(frozen=True)
class AffinityWeights:
    """Relative weights of the components; they are divided by their sum, so the
    affinity stays in [0, 1]. Raises ValueError if one is negative or all are zero."""

    bid: float = 0.4
    topic: float = 0.3
    text: float = 0.3

    def __post_init__(self) -> None:
        if min(self.bid, self.topic, self.text) < 0 or self.total == 0:
            raise ValueError("affinity weights must be non-negative and not all zero")

    @property
    def total(self) -> float:
        return self.bid + self.topic + self.text


@dataclass(frozen=True)
class PosterText:
    poster_id: int
    title: str
    abstract: str = ""
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReviewerInterests:
    reviewer_id: int
    keywords: tuple[str, ...] = ()
    profile: str = ""
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class AffinityMatrix:
    """``values`` and the three components are ``posters x reviewers`` arrays in [0, 1],
    rows and columns in the order of ``poster_ids`` and ``reviewer_ids``."""

    poster_ids: tuple[int, ...]
    reviewer_ids: tuple[int, ...]
    values: FloatArray
    bid: FloatArray
    topic: FloatArray
    text: FloatArray
    weights: AffinityWeights
    declared_conflicts: frozenset[tuple[int, int]]  # (poster_id, reviewer_id)


_WORD_RE = re.compile(r"\w+")
# Han ideographs, kana and their extensions: scripts written without spaces between words.
_CJK_RUN_RE = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def tokens(text: str, stop_words: frozenset[str] = frozenset()) -> Iterator[str]:
    """Words of two or more characters, folded (NFKC, casefold), without ``stop_words``;
    runs of CJK characters become overlapping character pairs."""
    for word in _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()):
        for part in _CJK_RUN_RE.split(word):
            if not part:
                continue
            if _CJK_RUN_RE.fullmatch(part):
                if len(part) == 1:
                    yield part
                yield from (part[i : i + 2] for i in range(len(part) - 1))
            elif len(part) >= 2 and part not in stop_words:
                yield part


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two topic sets: |a & b| / |a | b|, 0 when both are empty."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def text_similarity(poster_docs: Sequence[str], reviewer_docs: Sequence[str]) -> FloatArray:
    """Cosine similarity of TF-IDF vectors, fitted on both sets of documents together."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    shape = (len(poster_docs), len(reviewer_docs))
    stop_words = _english_stop_words()
    docs = [list(tokens(d, stop_words)) for d in (*poster_docs, *reviewer_docs)]
    if not any(docs):
        return np.zeros(shape, dtype=np.float64)
    vectoriser = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    matrix = vectoriser.fit_transform(docs)  # rows are L2-normalised
    similarity = (matrix[: shape[0]] @ matrix[shape[0] :].T).toarray()
    return np.clip(np.asarray(similarity, dtype=np.float64).reshape(shape), 0.0, 1.0)


def compute_affinity(
    posters: Sequence[PosterText],
    reviewers: Sequence[ReviewerInterests],
    bids: Mapping[tuple[int, int], Bid],
    weights: AffinityWeights | None = None,
) -> AffinityMatrix:
    """The affinity of every (poster, reviewer) pair; ``bids`` maps
    (poster_id, reviewer_id) to the reviewer's bid, absent pairs meaning no bid."""
    weights = weights or AffinityWeights()
    poster_ids = tuple(p.poster_id for p in posters)
    reviewer_ids = tuple(r.reviewer_id for r in reviewers)
    row = {pid: i for i, pid in enumerate(poster_ids)}
    col = {rid: j for j, rid in enumerate(reviewer_ids)}
    shape = (len(posters), len(reviewers))

    bid = np.full(shape, BID_SCORES[None], dtype=np.float64)
    declared = set()
    for (pid, rid), value in bids.items():
        if pid in row and rid in col:
            bid[row[pid], col[rid]] = BID_SCORES[Bid(value)]
            if value == Bid.CONFLICT:
                declared.add((pid, rid))

    topic = np.array(
        [[jaccard(p.topics, r.topics) for r in reviewers] for p in posters], dtype=np.float64
    ).reshape(shape)
    text = text_similarity(
        [f"{p.title}\n{p.abstract}" for p in posters],
        ["\n".join((*r.keywords, r.profile)) for r in reviewers],
    )
    values = (weights.bid * bid + weights.topic * topic + weights.text * text) / weights.total
    for pid, rid in declared:
        values[row[pid], col[rid]] = 0.0
    return AffinityMatrix(
        poster_ids=poster_ids,
        reviewer_ids=reviewer_ids,
        values=np.clip(values, 0.0, 1.0),
        bid=bid,
        topic=topic,
        text=text,
        weights=weights,
        declared_conflicts=frozenset(declared),
    )
