"""The adapted TSPTW of the Buying.com seed (§4.3) as data, plus exact route evaluation.

Node numbering follows the seed: ``0`` is the end point, ``1..n`` are the customers,
``n+1`` is the vehicle's start point (left at time 0) and ``n+2`` is the distribution
center, visited right after the start to load the goods (loading time ``s[n+2]``).
Any of 0, n+1, n+2 may share a location; the benchmark instances use one depot for all
three with zero loading time.

Time model: service at a node starts at ``max(arrival, a_i)`` (waiting allowed) and must
start by ``b_i``; the vehicle leaves ``s_i`` later.  The end point's ``b_0`` is the latest
arrival there.  The objective is the total travel time along the route, including the
fixed start -> center leg.  Numbers may be ints or floats; with floats, comparisons
allow :data:`TIME_TOLERANCE` so that instances whose windows are met to the last bit
(double-precision Euclidean benchmarks) are not rejected by rounding noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

TIME_TOLERANCE = 1e-9
INF = math.inf


class InfeasibleRoute(ValueError):
    """A customer sequence that breaks a time window or is not a permutation."""


@dataclass(frozen=True)
class TSPTWInstance:
    """One adapted-TSPTW instance in the seed's node numbering.

    ``travel[i][j]`` is the travel time (= cost) of arc (i, j); it is a full
    ``(n+3) x (n+3)`` matrix even though only the seed's arc set is used.
    ``ready``/``due``/``service`` have one entry per node.  ``labels`` maps each node to
    the identifier used by the caller (customer ids of the source file, for example).
    ``coords`` is optional and only used for plots.
    """

    travel: tuple[tuple[float, ...], ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]
    labels: tuple[object, ...] = ()
    coords: tuple[tuple[float, float], ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        size = len(self.travel)
        if size < 3:
            raise ValueError("travel: need at least the end, start and center nodes (3x3)")
        for field_name in ("ready", "due", "service"):
            if len(getattr(self, field_name)) != size:
                raise ValueError(f"{field_name}: expected {size} entries, got {len(getattr(self, field_name))}")
        for i, row in enumerate(self.travel):
            if len(row) != size:
                raise ValueError(f"travel: row {i} has {len(row)} entries, expected {size}")
            for j, value in enumerate(row):
                if not value >= 0:
                    raise ValueError(f"travel[{i}][{j}] = {value}: travel times must be >= 0")
        for i in range(size):
            if not self.service[i] >= 0:
                raise ValueError(f"service[{i}] = {self.service[i]}: must be >= 0")
            if self.ready[i] > self.due[i]:
                raise ValueError(f"ready[{i}] > due[{i}]: empty time window")
        if self.labels and len(self.labels) != size:
            raise ValueError(f"labels: expected {size} entries")
        if self.coords and len(self.coords) != size:
            raise ValueError(f"coords: expected {size} entries")

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.travel) - 3

    @property
    def start(self) -> int:
        return self.n + 1

    @property
    def center(self) -> int:
        return self.n + 2

    @property
    def customers(self) -> range:
        return range(1, self.n + 1)

    def label(self, node: int) -> object:
        return self.labels[node] if self.labels else node


@dataclass(frozen=True)
class Schedule:
    """A customer order with its service-start times and total travel time."""

    order: tuple[int, ...]
    start_times: dict[int, float] = field(default_factory=dict)
    end_arrival: float = 0.0
    cost: float = 0.0


def check_order(instance: TSPTWInstance, order: Sequence[int]) -> None:
    """Raise :class:`InfeasibleRoute` unless ``order`` lists every customer exactly once."""
    if sorted(order) != list(instance.customers):
        raise InfeasibleRoute(
            f"order must visit each of the {instance.n} customers exactly once, got {list(order)}"
        )


def center_departure(instance: TSPTWInstance) -> float:
    """Time the vehicle leaves the center: drive from the start (time 0), wait, load."""
    arrive = instance.travel[instance.start][instance.center]
    begin = max(arrive, instance.ready[instance.center])
    if begin > instance.due[instance.center] + TIME_TOLERANCE:
        raise InfeasibleRoute("the center cannot be reached within its opening window")
    return begin + instance.service[instance.center]


def evaluate(instance: TSPTWInstance, order: Sequence[int]) -> Schedule:
    """Simulate start -> center -> ``order`` -> end and return the schedule.

    Raises :class:`InfeasibleRoute` naming the first node whose window is missed.
    """
    check_order(instance, order)
    t = instance.travel
    if instance.ready[instance.start] > 0 or instance.due[instance.start] < 0:
        raise InfeasibleRoute("the start window must contain time 0")
    cost = t[instance.start][instance.center]
    begin_center = max(cost, instance.ready[instance.center])
    starts: dict[int, float] = {instance.start: 0.0, instance.center: begin_center}
    clock = center_departure(instance)
    here = instance.center
    for node in order:
        arrive = clock + t[here][node]
        cost += t[here][node]
        begin = max(arrive, instance.ready[node])
        if begin > instance.due[node] + TIME_TOLERANCE:
            raise InfeasibleRoute(
                f"customer {instance.label(node)}: service would start at {begin}, after its due time {instance.due[node]}"
            )
        starts[node] = begin
        clock = begin + instance.service[node]
        here = node
    arrive_end = clock + t[here][0]
    cost += t[here][0]
    if arrive_end > instance.due[0] + TIME_TOLERANCE:
        raise InfeasibleRoute(f"end point reached at {arrive_end}, after its due time {instance.due[0]}")
    starts[0] = max(arrive_end, instance.ready[0])
    return Schedule(tuple(order), starts, arrive_end, cost)


def is_feasible(instance: TSPTWInstance, order: Sequence[int]) -> bool:
    try:
        evaluate(instance, order)
    except InfeasibleRoute:
        return False
    return True


def time_horizon(instance: TSPTWInstance) -> float:
    """An upper bound on every service-start time of any feasible schedule.

    Used for big-M constants and for windows given as infinite.  Any feasible schedule
    starts service at node i no later than ``due[i]``; where that is infinite, no later
    than the latest finite ready time plus one full pass of longest arcs and services.
    """
    size = len(instance.travel)
    longest_pass = sum(max(row) for row in instance.travel) + sum(instance.service)
    finite_ready = max(a for a in instance.ready if math.isfinite(a))
    bound = finite_ready + longest_pass
    finite_due = [b for b in instance.due if math.isfinite(b)]
    if len(finite_due) == size:
        return max(finite_due)
    return max([bound, *finite_due])


def from_matrix(
    travel: Sequence[Sequence[float]],
    ready: Sequence[float],
    due: Sequence[float],
    service: Sequence[float] | None = None,
    depot: int = 0,
    labels: Sequence[object] | None = None,
    coords: Sequence[tuple[float, float]] | None = None,
    name: str = "",
) -> TSPTWInstance:
    """Build the seed's instance from a classic TSPTW: one depot that is start, center and end.

    ``travel`` is indexed by the caller's nodes, ``depot`` is the depot's index there.
    The depot's window becomes the end point's window (latest return) and the start and
    center get ``[0, due[depot]]`` with zero service, i.e. the benchmark case
    start = center = end = depot with loading time 0.
    """
    size = len(travel)
    if not (len(ready) == len(due) == size):
        raise ValueError("ready/due: need one entry per node of the matrix")
    service = list(service) if service is not None else [0] * size
    if len(service) != size:
        raise ValueError("service: need one entry per node of the matrix")
    if not 0 <= depot < size:
        raise ValueError(f"depot: index {depot} outside the matrix")
    cust = [i for i in range(size) if i != depot]
    # seed order: end, customers..., start, center -- all depot copies but the customers
    nodes = [depot, *cust, depot, depot]
    mat = tuple(tuple(0 if (a == depot and b == depot) else travel[a][b] for b in nodes) for a in nodes)
    n = len(cust)
    rd = [ready[depot]] + [ready[c] for c in cust] + [0, 0]
    du = [due[depot]] + [due[c] for c in cust] + [due[depot], due[depot]]
    rd[0] = 0  # returning early is allowed: the depot's ready time only constrains departure
    sv = [0] + [service[c] for c in cust] + [0, 0]
    lab = list(labels) if labels is not None else list(range(size))
    node_labels = tuple([lab[depot]] + [lab[c] for c in cust] + [lab[depot], lab[depot]])
    node_coords = tuple(coords[i] for i in nodes) if coords is not None else ()
    assert len(mat) == n + 3
    return TSPTWInstance(mat, tuple(rd), tuple(du), tuple(sv), node_labels, node_coords, name)


@dataclass(frozen=True)
class TSPTWResult:
    """Outcome of a TSPTW solve.

    ``status`` is ``"optimal"`` (proved), ``"feasible"`` (a route, optimality not proved)
    or ``"infeasible"`` (proved: no order meets every window; ``order`` is empty and
    ``cost`` is infinite).  ``order`` lists customers 1..n in visiting order.
    """

    status: str
    order: tuple[int, ...]
    cost: float
    method: str
    schedule: Schedule | None = None
    detail: str = ""

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible"


def infeasible_result(method: str, detail: str) -> TSPTWResult:
    return TSPTWResult("infeasible", (), INF, method, None, detail)
