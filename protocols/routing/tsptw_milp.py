"""The seed's TSPTW MILP (Buying.com §4.3, eqs. 3-11) on HiGHS through scipy.optimize.milp.

Variables: x_ij in {0,1} for every arc of the seed's arc set
A = {(n+1, n+2)} u {(n+2, j)} u {(i, j): i != j customers} u {(i, 0)}, and w_i >= 0, the
service-start time of every node (departure time for n+1, arrival time for 0).

    minimise   sum t_ij x_ij                                              (3)
    w_{n+1} = 0                                                           (4)
    x_{n+1,n+2} = 1                                                       (5)
    sum_j x_ij = 1  for i in customers u {n+2}     (leave once)           (6)
    sum_i x_ij = 1  for j in customers u {0}       (enter once)           (7)
    w_i + s_i + t_ij - w_j <= (1 - x_ij) M_ij   for (i, j) in A          (8)
    a_i <= w_i <= b_i                                                     (9)

The seed's text lists (7) over "customers u {n+1}"; the start has no incoming arc, so the
equation must be over the end point 0 (as the seed's prose says).  Windows (9) are also
applied to the center and to the end point (due = latest return), which the benchmark
convention needs.  Instead of the seed's single M = 10^10 -- far beyond what a floating
point MILP solver can use without false feasibility -- each arc gets the smallest valid
constant M_ij = max(0, b_i + s_i + t_ij - a_j), which leaves the feasible set unchanged.

Known gap of the formulation: (8) removes subtours only when every cycle takes positive
time.  With two customers at the same place and zero service time, x_12 = x_21 = 1 with
w_1 = w_2 is feasible and the model can return a disconnected "route".  By default the
solver then adds Miller-Tucker-Zemlin order constraints (``order_cuts``); pass
``order_cuts=False`` for the literal seed model (a test keeps the counterexample).
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from .tsptw_model import (
    INF,
    InfeasibleRoute,
    TSPTWInstance,
    TSPTWResult,
    evaluate,
    infeasible_result,
    time_horizon,
)


class SubtourInSolution(RuntimeError):
    """The MILP's optimum is not one route (only possible with ``order_cuts=False``)."""

    def __init__(self, message: str, successors: dict[int, int]):
        super().__init__(message)
        self.successors = successors


def seed_arcs(n: int) -> list[tuple[int, int]]:
    """The seed's arc set A for n >= 1 customers."""
    start, center = n + 1, n + 2
    arcs = [(start, center)]
    arcs += [(center, j) for j in range(1, n + 1)]
    arcs += [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]
    arcs += [(i, 0) for i in range(1, n + 1)]
    return arcs


def has_zero_time_cycle_risk(instance: TSPTWInstance) -> bool:
    """True if some customer arc takes no time (s_i + t_ij <= 0): (8) may then allow subtours."""
    s, t = instance.service, instance.travel
    return any(s[i] + t[i][j] <= 0 for i in instance.customers for j in instance.customers if i != j)


def solve_milp(
    instance: TSPTWInstance,
    time_limit: float | None = None,
    order_cuts: bool | None = None,
) -> TSPTWResult:
    """Solve the seed's MILP exactly (HiGHS, relative gap 0).

    ``order_cuts``: add MTZ constraints; ``None`` adds them only when a zero-time arc
    between customers makes subtours possible.  Status "optimal" when HiGHS proves it,
    "feasible" when the time limit stops it with an incumbent, "infeasible" when HiGHS
    proves no route exists.  Raises :class:`SubtourInSolution` if the returned
    assignment is not a single route (only possible with ``order_cuts=False``).
    """
    n = instance.n
    if n == 0:
        try:
            sched = evaluate(instance, ())
        except InfeasibleRoute as exc:
            return infeasible_result("milp", str(exc))
        return TSPTWResult("optimal", (), sched.cost, "milp", sched)
    if order_cuts is None:
        order_cuts = has_zero_time_cycle_risk(instance)
    t, a, b, s = instance.travel, instance.ready, instance.due, instance.service
    start, center = n + 1, n + 2
    arcs = seed_arcs(n)
    n_arcs = len(arcs)
    n_nodes = n + 3
    horizon = time_horizon(instance)
    w_lo = [float(max(0.0, a[i])) for i in range(n_nodes)]
    w_hi = [float(min(b[i], horizon)) for i in range(n_nodes)]
    w_lo[start] = w_hi[start] = 0.0  # (4)
    w_lo[0] = 0.0  # arriving early at the end point is fine
    # variable layout: x (n_arcs) | w (n_nodes) | u (n customers, only with order cuts)
    w_at = n_arcs
    u_at = n_arcs + n_nodes
    n_vars = u_at + (n if order_cuts else 0)
    cost = np.zeros(n_vars)
    for k, (i, j) in enumerate(arcs):
        cost[k] = t[i][j]
    rows: list[tuple[dict[int, float], float, float]] = []
    rows.append(({0: 1.0}, 1.0, 1.0))  # (5): arc 0 is (n+1, n+2)
    out_arcs: dict[int, list[int]] = {}
    in_arcs: dict[int, list[int]] = {}
    for k, (i, j) in enumerate(arcs):
        out_arcs.setdefault(i, []).append(k)
        in_arcs.setdefault(j, []).append(k)
    for i in [*instance.customers, center]:  # (6)
        rows.append(({k: 1.0 for k in out_arcs[i]}, 1.0, 1.0))
    for j in [*instance.customers, 0]:  # (7)
        rows.append(({k: 1.0 for k in in_arcs[j]}, 1.0, 1.0))
    for k, (i, j) in enumerate(arcs):  # (8) with a per-arc big-M
        big_m = max(0.0, w_hi[i] + s[i] + t[i][j] - w_lo[j])
        # w_i - w_j + M x_ij <= M - s_i - t_ij
        rows.append(({w_at + i: 1.0, w_at + j: -1.0, k: big_m}, -np.inf, big_m - s[i] - t[i][j]))
    if order_cuts:
        for k, (i, j) in enumerate(arcs):
            if 1 <= i <= n and 1 <= j <= n:
                # u_i - u_j + n x_ij <= n - 1
                rows.append(({u_at + i - 1: 1.0, u_at + j - 1: -1.0, k: float(n)}, -np.inf, n - 1.0))
    matrix = lil_matrix((len(rows), n_vars))
    lo = np.empty(len(rows))
    hi = np.empty(len(rows))
    for r, (coefs, low, high) in enumerate(rows):
        for col, val in coefs.items():
            matrix[r, col] = val
        lo[r], hi[r] = low, high
    var_lo = np.concatenate([np.zeros(n_arcs), w_lo, np.ones(n if order_cuts else 0)])
    var_hi = np.concatenate([np.ones(n_arcs), w_hi, np.full(n if order_cuts else 0, float(n))])
    if np.any(var_lo > var_hi):
        return infeasible_result("milp", "a time window is empty after bounding")
    integrality = np.concatenate([np.ones(n_arcs), np.zeros(n_vars - n_arcs)])
    options = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    started = time.perf_counter()
    res = milp(
        cost,
        constraints=LinearConstraint(matrix.tocsr(), lo, hi),
        integrality=integrality,
        bounds=Bounds(var_lo, var_hi),
        options=options,
    )
    elapsed = time.perf_counter() - started
    if res.status == 2:
        return infeasible_result("milp", "HiGHS proved the model infeasible")
    if res.x is None:
        return TSPTWResult("feasible", (), INF, "milp", None, f"no incumbent: {res.message}")
    succ = {arcs[k][0]: arcs[k][1] for k in range(n_arcs) if res.x[k] > 0.5}
    order = _follow(succ, center, n)
    sched = evaluate(instance, order)
    status = "optimal" if res.status == 0 else "feasible"
    return TSPTWResult(status, tuple(order), sched.cost, "milp", sched, f"HiGHS {elapsed:.2f}s: {res.message}")


def _follow(succ: dict[int, int], center: int, n: int) -> list[int]:
    order: list[int] = []
    node = succ[center]
    while node != 0 and len(order) <= n:
        order.append(node)
        node = succ[node]
    if len(order) != n:
        raise SubtourInSolution(
            f"MILP solution is not one route: the path from the center visits {len(order)} of {n} customers",
            succ,
        )
    return order


def arcs_of(order: Sequence[int], n: int) -> list[tuple[int, int]]:
    """The seed arcs used by a customer order."""
    path = [n + 1, n + 2, *order, 0]
    return list(zip(path, path[1:]))
