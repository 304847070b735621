"""Exact TSPTW by forward dynamic programming over (visited set, last customer).

A label at state (S, i) is a pair (departure time from i, travel cost so far).  One label
dominates another at the same state if it is no later and no costlier: with waiting
allowed, leaving earlier never hurts.  Only the Pareto front of each state is kept, so
the search is exact (the classic Dumas et al. (1995) scheme).

Pruning by time windows (what keeps it fast on tight windows): a label is dropped when
some unvisited customer can no longer be reached by its due time even along the fastest
possible path.  "Fastest" is a shortest-path bound over arc weights ``t_uv + s_v``, so
the test stays valid when the matrix breaks the triangle inequality (the Dumas matrices
do).  Labels are also dropped when their cost plus a lower bound on the rest (every
unvisited customer and the end point need one incoming arc) cannot beat an incumbent
cost, if one is given.
"""

from __future__ import annotations

from typing import Sequence

from .tsptw_model import (
    INF,
    TIME_TOLERANCE,
    InfeasibleRoute,
    TSPTWInstance,
    TSPTWResult,
    center_departure,
    evaluate,
    infeasible_result,
)


class LabelBudgetExceeded(RuntimeError):
    """The DP would need more labels than allowed; the instance is too loose for it."""


def _fastest_paths(instance: TSPTWInstance) -> list[list[float]]:
    """Lower bound L[u][v] on (arrival at v) - (departure from u) over any path u -> v.

    Floyd-Warshall on weights t_uv + s_v, then the target's own service is removed.
    Only customers and the end point are intermediate candidates; that is where routes go.
    """
    n = instance.n
    t, s = instance.travel, instance.service
    nodes = [0, *range(1, n + 1), instance.center]
    size = len(t)
    d = [[INF] * size for _ in range(size)]
    for u in nodes:
        for v in nodes:
            d[u][v] = 0 if u == v else t[u][v] + s[v]
    for k in range(1, n + 1):
        dk = d[k]
        for u in nodes:
            du = d[u]
            via = du[k]
            if via == INF:
                continue
            for v in nodes:
                alt = via + dk[v]
                if alt < du[v]:
                    du[v] = alt
    return [[d[u][v] - s[v] if d[u][v] < INF else INF for v in range(size)] for u in range(size)]


def solve_dp(
    instance: TSPTWInstance,
    upper_bound: float = INF,
    max_labels: int = 3_000_000,
) -> TSPTWResult:
    """Optimal customer order for ``instance`` (status "optimal" or "infeasible").

    ``upper_bound``: cost of a known feasible route, used only to prune; the optimum is
    still found if it equals the bound.  A bound below the optimum is a caller error and
    raises ValueError (it could otherwise look like infeasibility or a worse optimum).  Raises :class:`LabelBudgetExceeded` when more than
    ``max_labels`` labels are alive at once (memory guard for loose windows).
    """
    n = instance.n
    t, a, b, s = instance.travel, instance.ready, instance.due, instance.service
    end = 0
    try:
        leave_center = center_departure(instance)
    except InfeasibleRoute as exc:
        return infeasible_result("dp", str(exc))
    base_cost = t[instance.start][instance.center]
    c = instance.center
    if n == 0:
        arrive = leave_center + t[c][end]
        if arrive > b[end] + TIME_TOLERANCE:
            return infeasible_result("dp", "end point not reachable in time")
        return TSPTWResult("optimal", (), base_cost + t[c][end], "dp", evaluate(instance, ()))

    fastest = _fastest_paths(instance)
    customers = list(range(1, n + 1))
    bit = {j: 1 << (j - 1) for j in customers}
    full = (1 << n) - 1
    # cheapest arc into each customer / the end from anywhere it can come from, for bounding
    min_in = {j: min(t[i][j] for i in [c, *customers] if i != j) for j in customers}
    min_in_end = min(t[i][end] for i in customers)
    slack = TIME_TOLERANCE

    def reachable(node: int, depart: float, visited: int) -> bool:
        row = fastest[node]
        for k in customers:
            if not visited & bit[k] and depart + row[k] > b[k] + slack:
                return False
        return depart + row[end] <= b[end] + slack

    def rest_bound(visited: int) -> float:
        return sum(min_in[k] for k in customers if not visited & bit[k]) + min_in_end

    # a label is (depart_time, cost, parent_label, node)
    root = (leave_center, base_cost, None, c)
    if not reachable(c, leave_center, 0):
        return infeasible_result("dp", "some customer cannot be reached by its due time even directly")
    layer: dict[tuple[int, int], list[tuple]] = {(0, c): [root]}
    cut_by_bound = False
    for _ in range(n):
        nxt: dict[tuple[int, int], list[tuple]] = {}
        alive = 0
        for (visited, i), labels in layer.items():
            row = t[i]
            for j in customers:
                if visited & bit[j]:
                    continue
                mask = visited | bit[j]
                bound_rest = rest_bound(mask) if upper_bound < INF else 0.0
                for label in labels:
                    arrive = label[0] + row[j]
                    begin = arrive if arrive > a[j] else a[j]
                    if begin > b[j] + slack:
                        continue
                    depart = begin + s[j]
                    cost = label[1] + row[j]
                    if upper_bound < INF and cost + bound_rest > upper_bound + slack:
                        cut_by_bound = True
                        continue
                    if not reachable(j, depart, mask):
                        continue
                    bucket = nxt.setdefault((mask, j), [])
                    if _insert_pareto(bucket, (depart, cost, label, j)):
                        alive += 1
        if alive > max_labels:
            raise LabelBudgetExceeded(f"more than {max_labels} labels alive; windows too loose for exact DP")
        layer = nxt
        if not layer:
            break

    best = None
    best_cost = INF
    for (visited, i), labels in layer.items():
        assert visited == full
        for label in labels:
            arrive = label[0] + t[i][end]
            if arrive > b[end] + slack:
                continue
            total = label[1] + t[i][end]
            if total < best_cost - 1e-12:
                best, best_cost = label, total
    if (best is None and cut_by_bound) or (best is not None and best_cost > upper_bound + slack):
        raise ValueError(f"upper_bound: {upper_bound} is below every feasible route's cost")
    if best is None:
        return infeasible_result("dp", "no order of the customers meets every time window")
    order: list[int] = []
    node = best
    while node is not None and node[3] != c:
        order.append(node[3])
        node = node[2]
    order.reverse()
    schedule = evaluate(instance, order)
    return TSPTWResult("optimal", tuple(order), schedule.cost, "dp", schedule)


def _insert_pareto(bucket: list[tuple], label: tuple) -> bool:
    """Add ``label`` to a Pareto front over (time, cost) unless dominated; drop what it dominates."""
    time, cost = label[0], label[1]
    for other in bucket:
        if other[0] <= time and other[1] <= cost:
            return False
    bucket[:] = [o for o in bucket if not (time <= o[0] and cost <= o[1])]
    bucket.append(label)
    return True


def order_cost(instance: TSPTWInstance, order: Sequence[int]) -> float:
    """Travel time of a given order (raises if it breaks a window)."""
    return evaluate(instance, order).cost
