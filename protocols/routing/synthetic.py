"""Generated TSPTW instances in the style of Dumas et al. (1995), for scaling runs.

Customers are uniform on a ``grid`` x ``grid`` square of integer points, travel times are
rounded Euclidean distances from a central depot; a random tour is driven and each
customer's window of width ``width`` is placed so that the tour's arrival falls inside
it.  The instance is therefore always feasible, and wider windows make it harder (more
orders stay feasible), as in the Dumas families n{N}w{W}.
"""

from __future__ import annotations

import math
import random

from .tsptw_model import TSPTWInstance, from_matrix


def dumas_style(n: int, width: int, seed: int, grid: int = 50) -> TSPTWInstance:
    """A feasible n-customer TSPTW with windows of the given width (deterministic in ``seed``)."""
    if n < 1 or width < 0 or grid < 1:
        raise ValueError("n >= 1, width >= 0 and grid >= 1 are required")
    rng = random.Random(seed)
    depot = (grid // 2, grid // 2)
    pts = [depot] + [(rng.randint(0, grid), rng.randint(0, grid)) for _ in range(n)]
    travel = [[round(math.dist(p, q)) for q in pts] for p in pts]
    order = list(range(1, n + 1))
    rng.shuffle(order)
    ready = [0] * (n + 1)
    due = [0] * (n + 1)
    clock, here = 0, 0
    for k in order:
        clock += travel[here][k]
        ready[k] = max(0, clock - rng.randint(0, width))
        due[k] = ready[k] + width
        clock, here = max(clock, ready[k]), k
    due[0] = clock + travel[here][0] + width
    return from_matrix(travel, ready, due, depot=0, coords=pts, name=f"gen_n{n}w{width}s{seed}")
