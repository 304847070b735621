"""Distribution-center selection (Buying.com §4.1, as fixed in docs/specs/routing.md).

Eligible centers are within radius R of the customer, hold stock for every ordered item
and are open at the order time.  Among them the center minimising

    F(j) = p1 d_jk/R + p2 (1 - R_j) + p3 (1 - tau_j) + p4 (1 - e_j) + p5 M_j/M_total

wins, ties to the lowest id.  tau_j = t_j / max t over the *eligible* centers (time since
the last fulfilled order); when every eligible t_j is 0 the fairness term carries no
information and tau_j = 1 for all.  e_j is the share of the order's pieces that expire
soon at j; M_j the tokens j lacks to cover the order's worth.  The seed's garbled eq. (1)
is replaced by this form (docs/specs/routing.md).

Plain floats: this is the plaintext reference, not yet the private version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

Point = tuple[float, float]
Distance = Callable[[Point, Point], float]


@dataclass(frozen=True)
class Center:
    """A distribution center's public and private attributes at order time."""

    id: int
    location: Point
    reputation: float
    since_last_order: float
    stock: Mapping[str, int]
    expiring_soon: Mapping[str, int] = field(default_factory=dict)
    tokens: float = 0.0
    is_open: bool = True


@dataclass(frozen=True)
class Order:
    """Items and quantities ordered by one customer, and the order's worth in tokens."""

    customer: Point
    quantities: Mapping[str, int]
    worth: float


@dataclass(frozen=True)
class CenterScore:
    id: int
    score: float
    distance: float
    terms: tuple[float, float, float, float, float]


@dataclass(frozen=True)
class CenterChoice:
    """The outcome: ``center`` is None when nobody can serve, with ``reason`` saying why."""

    center: int | None
    scores: tuple[CenterScore, ...]
    excluded: Mapping[int, str]
    reason: str = ""

    @property
    def served(self) -> bool:
        return self.center is not None


NO_CENTER = "no center can serve this order"


def euclidean(p: Point, q: Point) -> float:
    """Straight-line distance, the default metric."""
    return math.hypot(p[0] - q[0], p[1] - q[1])


def check_weights(weights: Sequence[float], count: int, name: str) -> None:
    """Weights must be ``count`` numbers in [0, 1] summing to 1 (to 1e-9)."""
    if len(weights) != count:
        raise ValueError(f"{name}: expected {count} weights, got {len(weights)}")
    for k, w in enumerate(weights, start=1):
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"{name}[{k}] = {w}: each weight must lie in [0, 1]")
    if abs(sum(weights) - 1.0) > 1e-9:
        raise ValueError(f"{name}: weights sum to {sum(weights)}, not 1")


def _validate(order: Order, centers: Sequence[Center], radius: float) -> None:
    if not radius > 0:
        raise ValueError(f"radius: must be > 0, got {radius}")
    if not order.quantities or any(q <= 0 for q in order.quantities.values()):
        raise ValueError("order.quantities: need at least one item, every quantity > 0")
    if order.worth < 0:
        raise ValueError("order.worth: must be >= 0")
    ids = [c.id for c in centers]
    if len(set(ids)) != len(ids):
        raise ValueError("centers: ids must be unique")
    for c in centers:
        if not 0.0 <= c.reputation <= 1.0:
            raise ValueError(f"center {c.id}: reputation {c.reputation} outside [0, 1]")
        if c.since_last_order < 0:
            raise ValueError(f"center {c.id}: since_last_order must be >= 0")
        if c.tokens < 0:
            raise ValueError(f"center {c.id}: tokens must be >= 0")


def eligibility(order: Order, center: Center, radius: float, distance: Distance = euclidean) -> str:
    """Empty string if ``center`` may serve ``order``, else the first reason it may not."""
    if not center.is_open:
        return "closed"
    d = distance(center.location, order.customer)
    if d > radius:
        return f"outside radius ({d:.3f} > {radius})"
    for item, qty in order.quantities.items():
        have = center.stock.get(item, 0)
        if have < qty:
            return f"stock of {item!r}: {have} < {qty}"
    return ""


def select_center(
    order: Order,
    centers: Sequence[Center],
    radius: float,
    weights: Sequence[float],
    distance: Distance = euclidean,
) -> CenterChoice:
    """Pick the eligible center with the smallest F(j) (ties: lowest id)."""
    check_weights(weights, 5, "weights")
    _validate(order, centers, radius)
    excluded: dict[int, str] = {}
    eligible: list[Center] = []
    for c in centers:
        why = eligibility(order, c, radius, distance)
        if why:
            excluded[c.id] = why
        else:
            eligible.append(c)
    if not eligible:
        return CenterChoice(None, (), excluded, NO_CENTER)
    t_max = max(c.since_last_order for c in eligible)
    pieces = sum(order.quantities.values())
    p1, p2, p3, p4, p5 = weights
    scores = []
    for c in eligible:
        d = distance(c.location, order.customer)
        tau = c.since_last_order / t_max if t_max > 0 else 1.0
        expiring = sum(min(c.expiring_soon.get(i, 0), q) for i, q in order.quantities.items()) / pieces
        missing = max(0.0, order.worth - c.tokens)
        missing_share = missing / order.worth if order.worth > 0 else 0.0
        terms = (d / radius, 1.0 - c.reputation, 1.0 - tau, 1.0 - expiring, missing_share)
        score = p1 * terms[0] + p2 * terms[1] + p3 * terms[2] + p4 * terms[3] + p5 * terms[4]
        scores.append(CenterScore(c.id, score, d, terms))
    scores.sort(key=lambda s: (s.score, s.id))
    return CenterChoice(scores[0].id, tuple(scores), excluded)
