"""VRPTW with capacities (the seed's "adapted VRPTW" note, §4.3) on PyVRP.

PyVRP (iterated local search, state of the art on Solomon/Homberger) does the search;
this module only states the problem in PyVRP's integer terms and checks what comes back
with an independent evaluator in the instance's own units.  Conventions follow
``protocols/routing/data/README.md``:

* ``"dimacs"``: d_ij = t_ij = floor(10*euclid)/10; objective total distance; fleet as
  given.  PyVRP works in tenths, which is exact.
* ``"hierarchical"``: Euclidean in double precision; minimise vehicles first, then
  distance.  PyVRP gets distances x1000 rounded and durations x1000 rounded *up*, so
  every schedule it finds also meets the windows with exact durations; a fixed cost per
  vehicle larger than any possible distance makes fewer vehicles always win.
* ``"euclid"``: Euclidean in double precision, distance only.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from .benchmark_files import SolomonInstance, distance_matrix
from .tsptw_model import TIME_TOLERANCE, InfeasibleRoute

CONVENTIONS = ("dimacs", "hierarchical", "euclid")
_DOUBLE_SCALE = 1000


@dataclass(frozen=True)
class VRPTWSolution:
    """Routes as lists of customer numbers (1..n, depot omitted), with their objective.

    ``distance`` is in the instance's units under ``convention``; ``feasible`` is what the
    independent evaluator says, not what the solver claims.
    """

    routes: tuple[tuple[int, ...], ...]
    distance: float
    convention: str
    runtime: float
    feasible: bool
    solver: str = "pyvrp"
    detail: str = ""
    start_times: tuple[tuple[float, ...], ...] = field(default=())

    @property
    def vehicles(self) -> int:
        return len(self.routes)


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention: {convention!r} is not one of {', '.join(CONVENTIONS)}")


def route_schedule(
    inst: SolomonInstance, route: Sequence[int], travel: Sequence[Sequence[float]]
) -> tuple[float, list[float]]:
    """Distance and service-start times of one depot -> route -> depot tour.

    ``travel`` is in file units.  Raises :class:`InfeasibleRoute` naming the customer
    whose window or the depot due time is missed.
    """
    clock = float(inst.ready[0])
    here = 0
    dist = 0.0
    starts = []
    for c in route:
        arrive = clock + travel[here][c]
        dist += travel[here][c]
        begin = max(arrive, inst.ready[c])
        if begin > inst.due[c] + TIME_TOLERANCE:
            raise InfeasibleRoute(f"customer {c}: service would start at {begin:.4f}, after due {inst.due[c]}")
        starts.append(begin)
        clock = begin + inst.service[c]
        here = c
    back = clock + travel[here][0]
    dist += travel[here][0]
    if back > inst.due[0] + TIME_TOLERANCE:
        raise InfeasibleRoute(f"route {list(route)} returns at {back:.4f}, after the depot due time {inst.due[0]}")
    return dist, starts


def evaluate_routes(inst: SolomonInstance, routes: Sequence[Sequence[int]], convention: str) -> float:
    """Total distance of ``routes`` under ``convention``; raises if any rule is broken.

    Rules: every customer exactly once, load <= capacity per route, windows as in
    :func:`route_schedule`, at most the file's number of vehicles.
    """
    _check_convention(convention)
    seen = sorted(c for r in routes for c in r)
    if seen != list(range(1, inst.n + 1)):
        missing = sorted(set(range(1, inst.n + 1)) - set(seen))
        raise InfeasibleRoute(f"routes must visit customers 1..{inst.n} exactly once (missing {missing[:5]}, or repeats)")
    if len([r for r in routes if r]) > inst.vehicles:
        raise InfeasibleRoute(f"{len(routes)} routes but only {inst.vehicles} vehicles")
    travel = _travel_in_file_units(inst, convention)
    total = 0.0
    for r in routes:
        load = sum(inst.demand[c] for c in r)
        if load > inst.capacity:
            raise InfeasibleRoute(f"route {list(r)} carries {load} > capacity {inst.capacity}")
        total += route_schedule(inst, r, travel)[0]
    return total


def _travel_in_file_units(inst: SolomonInstance, convention: str) -> list[list[float]]:
    if convention == "dimacs":
        return [[v / 10 for v in row] for row in distance_matrix(inst, "dimacs")]
    return distance_matrix(inst, "euclid")


def build_model(inst: SolomonInstance, convention: str, fleet: int | None = None) -> pyvrp.Model:
    """The PyVRP model of ``inst`` in integer units (see the module docstring)."""
    _check_convention(convention)
    if convention == "dimacs":
        scale = 10
        dist = np.array(distance_matrix(inst, "dimacs"), dtype=np.int64)
        dur = dist
    else:
        scale = _DOUBLE_SCALE
        exact = np.array(distance_matrix(inst, "euclid"))
        dist = np.rint(exact * scale).astype(np.int64)
        dur = np.ceil(exact * scale - 1e-9).astype(np.int64)
    # a vehicle must cost more than any set of routes can travel for fleet size to come first
    fixed = int(dist.sum()) + 1 if convention == "hierarchical" else 0
    model = pyvrp.Model()
    locs = [model.add_location(x, y, name=str(i)) for i, (x, y) in zip(inst.ids, inst.coords())]
    model.add_depot(locs[0], tw_early=scale * inst.ready[0], tw_late=scale * inst.due[0])
    model.add_vehicle_type(
        num_available=fleet if fleet is not None else inst.vehicles,
        capacity=inst.capacity,
        tw_early=scale * inst.ready[0],
        tw_late=scale * inst.due[0],
        fixed_cost=fixed,
    )
    for k in range(1, inst.n + 1):
        model.add_client(
            locs[k],
            delivery=inst.demand[k],
            service_duration=scale * inst.service[k],
            tw_early=scale * inst.ready[k],
            tw_late=scale * inst.due[k],
            name=str(k),
        )
    for i, frm in enumerate(locs):
        for j, to in enumerate(locs):
            model.add_edge(frm, to, distance=int(dist[i, j]), duration=int(dur[i, j]))
    return model


def solve_vrptw(
    inst: SolomonInstance,
    convention: str = "dimacs",
    time_limit: float = 30.0,
    seed: int = 0,
) -> VRPTWSolution:
    """Best routes PyVRP finds within ``time_limit`` seconds, checked independently.

    A heuristic: no optimality proof.  ``feasible`` is False (and ``distance`` infinite)
    when PyVRP found nothing that meets every window and the capacity.
    """
    _check_convention(convention)
    if time_limit <= 0:
        raise ValueError("time_limit: must be > 0 seconds")
    model = build_model(inst, convention)
    data = model.data()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        # PyVRP warns when its penalties saturate on the way; the outcome is checked below anyway
        warnings.simplefilter("always")
        result = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False)
    runtime = time.perf_counter() - started
    notes = sorted({type(w.message).__name__ for w in caught})
    routes = tuple(
        tuple(data.client(act.idx).location for act in route if act.is_client()) for route in result.best.routes()
    )
    routes = tuple(r for r in routes if r)
    try:
        distance = evaluate_routes(inst, routes, convention)
        feasible = True
        detail = f"{result.num_iterations} iterations" + (f"; PyVRP warned: {', '.join(notes)}" if notes else "")
    except InfeasibleRoute as exc:
        distance, feasible, detail = math.inf, False, str(exc)
    travel = _travel_in_file_units(inst, convention)
    starts = tuple(tuple(route_schedule(inst, r, travel)[1]) for r in routes) if feasible else ()
    return VRPTWSolution(routes, distance, convention, runtime, feasible, "pyvrp", detail, starts)
