"""An independent reference for the assignment solver: the same problem as a linear
program solved by HiGHS (scipy.optimize.linprog). Its constraint matrix is totally
unimodular (posters and reviewers are two partitions of the pair variables, and the
institution caps nest inside the poster rows), so the LP optimum is the integer optimum.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix


def lp_optimum(
    affinity: np.ndarray,
    k: Sequence[int],
    min_load: Sequence[int],
    max_load: Sequence[int],
    *,
    forbidden: Collection[tuple[int, int]] = (),
    fixed: Collection[tuple[int, int]] = (),
    institutions: Sequence[int] | None = None,
    cap: int | None = None,
    threshold: float | None = None,
) -> float | None:
    """The maximum total affinity, or None when no assignment exists.

    ``forbidden`` pairs get no variable; ``fixed`` pairs are bounded to 1 (a fixed pair
    that is also forbidden makes the problem infeasible); with ``threshold``, pairs below
    it are forbidden unless fixed.
    """
    n_p, n_r = affinity.shape
    forbidden, fixed = set(forbidden), set(fixed)
    if forbidden & fixed:
        return None
    pairs = [
        (i, j)
        for i in range(n_p)
        for j in range(n_r)
        if (i, j) not in forbidden
        and (threshold is None or affinity[i, j] >= threshold or (i, j) in fixed)
    ]
    if not pairs:
        feasible = not any(k) and not any(min_load)
        return 0.0 if feasible else None
    n = len(pairs)
    cost = -np.array([affinity[i, j] for i, j in pairs])
    bounds = [(1, 1) if pair in fixed else (0, 1) for pair in pairs]
    var = np.arange(n)
    posters = np.array([i for i, _j in pairs])
    reviewers = np.array([j for _i, j in pairs])
    a_eq = coo_matrix((np.ones(n), (posters, var)), shape=(n_p, n))
    rows = [reviewers, n_r + reviewers]
    values = [np.ones(n), -np.ones(n)]
    b_ub = [*max_load, *(-m for m in min_load)]
    if cap is not None and institutions is not None:
        groups: dict[tuple[int, int], list[int]] = {}
        for v, (i, j) in enumerate(pairs):
            if institutions[j] >= 0:
                groups.setdefault((i, institutions[j]), []).append(v)
        extra_rows, extra_vars = [], []
        for g, members in enumerate(groups.values()):
            extra_rows += [2 * n_r + g] * len(members)
            extra_vars += members
            b_ub.append(cap)
        rows.append(np.array(extra_rows, dtype=int))
        values.append(np.ones(len(extra_vars)))
        var_ub = np.concatenate([var, var, np.array(extra_vars, dtype=int)])
    else:
        var_ub = np.concatenate([var, var])
    a_ub = coo_matrix(
        (np.concatenate(values), (np.concatenate(rows), var_ub)), shape=(len(b_ub), n)
    )
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.asarray(k, dtype=float),
        bounds=bounds,
        method="highs",
    )
    if result.status == 2:
        return None
    assert result.status == 0, result.message
    return -float(result.fun)
