"""Route selection (Buying.com §4.3): one entry point over the TSPTW methods.

* ``"milp"``: the seed's MILP on HiGHS (:mod:`.tsptw_milp`), exact, for small n;
* ``"dp"``: exact dynamic programming with time-window pruning (:mod:`.tsptw_dp`), the
  method that scales (tight windows: dozens of customers in well under a second);
* ``"pyvrp"``: PyVRP's local search with one vehicle, a heuristic for instances whose
  windows are too loose for the exact DP;
* ``"brute_force"``: every permutation, the oracle for n <= 8 in tests;
* ``"auto"``: the DP, falling back to PyVRP (status "feasible", not "optimal") when the
  DP exceeds its label budget.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings

import numpy as np

from .tsptw_dp import LabelBudgetExceeded, solve_dp
from .tsptw_milp import solve_milp
from .tsptw_model import (
    INF,
    InfeasibleRoute,
    TSPTWInstance,
    TSPTWResult,
    center_departure,
    evaluate,
    infeasible_result,
)

METHODS = ("auto", "dp", "milp", "pyvrp", "brute_force")
BRUTE_FORCE_MAX_N = 9


def solve_brute_force(instance: TSPTWInstance) -> TSPTWResult:
    """Optimal order by trying every permutation (n <= 9 only). Ties: first in lexicographic order."""
    if instance.n > BRUTE_FORCE_MAX_N:
        raise ValueError(f"brute force is limited to n <= {BRUTE_FORCE_MAX_N} customers, got {instance.n}")
    best = None
    for perm in itertools.permutations(instance.customers):
        try:
            sched = evaluate(instance, perm)
        except InfeasibleRoute:
            continue
        if best is None or sched.cost < best.cost - 1e-12:
            best = sched
    if best is None:
        return infeasible_result("brute_force", "no permutation meets every time window")
    return TSPTWResult("optimal", best.order, best.cost, "brute_force", best)


def solve_pyvrp_single(instance: TSPTWInstance, time_limit: float = 10.0, seed: int = 0) -> TSPTWResult:
    """A good (not proved optimal) order from PyVRP with one vehicle: center -> customers -> end.

    Floating-point times are scaled by 1000 (travel rounded up for time, to the nearest
    for cost) so the returned order is feasible with the exact times; it is re-evaluated
    exactly before being returned.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    try:
        leave = center_departure(instance)
    except InfeasibleRoute as exc:
        return infeasible_result("pyvrp", str(exc))
    n = instance.n
    if n == 0:
        return solve_brute_force(instance)
    values = [v for row in instance.travel for v in row] + list(instance.ready) + list(instance.service)
    finite_due = [v for v in instance.due if math.isfinite(v)]
    integral = all(float(v).is_integer() for v in values + finite_due)
    scale = 1 if integral else 1000
    nodes = [instance.center, 0, *instance.customers]  # PyVRP locations: start depot, end depot, clients
    t = np.array([[instance.travel[i][j] for j in nodes] for i in nodes], dtype=float)
    dist = np.rint(t * scale).astype(np.int64)
    dur = np.ceil(t * scale - 1e-9).astype(np.int64)
    big = 1 << 40

    def scaled(v: float, up: bool) -> int:
        if not math.isfinite(v):
            return big
        return int(math.ceil(v * scale - 1e-9)) if up else int(math.floor(v * scale + 1e-9))

    model = pyvrp.Model()
    locs = [model.add_location(0.0, 0.0) for _ in nodes]
    start_depot = model.add_depot(locs[0])
    end_depot = model.add_depot(locs[1], tw_late=scaled(instance.due[0], False))
    model.add_vehicle_type(
        1, start_depot=start_depot, end_depot=end_depot, tw_early=scaled(leave, True), start_late=scaled(leave, True)
    )
    for k, node in enumerate(nodes[2:], start=2):
        model.add_client(
            locs[k],
            service_duration=scaled(instance.service[node], True),
            tw_early=scaled(instance.ready[node], True),
            tw_late=scaled(instance.due[node], False),
        )
    for i, frm in enumerate(locs):
        for j, to in enumerate(locs):
            if i != j:
                model.add_edge(frm, to, distance=int(dist[i, j]), duration=int(dur[i, j]))
    data = model.data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # penalty-saturation notices; the order is re-checked exactly below
        res = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False)
    routes = [[nodes[data.client(a.idx).location] for a in r if a.is_client()] for r in res.best.routes()]
    order = routes[0] if routes else []
    try:
        sched = evaluate(instance, order)
    except InfeasibleRoute as exc:
        return TSPTWResult("infeasible", (), INF, "pyvrp", None, f"no feasible order found (not a proof): {exc}")
    return TSPTWResult("feasible", tuple(order), sched.cost, "pyvrp", sched, "heuristic; optimality not proved")


def solve_tsptw(
    instance: TSPTWInstance,
    method: str = "auto",
    time_limit: float | None = None,
    max_labels: int = 3_000_000,
) -> TSPTWResult:
    """Best customer order for the seed's TSPTW with the chosen method (see module docstring)."""
    if method not in METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    started = time.perf_counter()
    if method == "milp":
        result = solve_milp(instance, time_limit=time_limit)
    elif method == "dp":
        result = solve_dp(instance, max_labels=max_labels)
    elif method == "brute_force":
        result = solve_brute_force(instance)
    elif method == "pyvrp":
        result = solve_pyvrp_single(instance, time_limit or 10.0)
    else:
        try:
            result = solve_dp(instance, max_labels=max_labels)
        except LabelBudgetExceeded as exc:
            result = solve_pyvrp_single(instance, time_limit or 10.0)
            result = TSPTWResult(
                result.status, result.order, result.cost, "pyvrp", result.schedule, f"{exc}; {result.detail}"
            )
    elapsed = time.perf_counter() - started
    return TSPTWResult(
        result.status, result.order, result.cost, result.method, result.schedule,
        (result.detail + f" [{elapsed:.3f}s]").strip(),
    )
