"""Driver selection (Buying.com §4.2, eq. (2) as fixed in docs/specs/routing.md).

Eligible drivers are within radius r of the center, available, with enough free capacity
for the order and every required piece of equipment.  Each gets

    f(l) = r1 d(l, j)/r + r2 (1 - rep_l) + r3 (t_max - t_l)/t_max

(t_max over the eligible drivers; the last term is 0 for all when t_max = 0).  The x
drivers with the smallest f (ties: lowest id) are notified.  Responses arrive as
(driver, time) events; the first response opens a window of y time units (inclusive) and
among the notified drivers who answer inside it the smallest f wins (ties: earlier answer,
then lower id).  Answers from drivers who were not notified, or after the window, are
ignored.  Nobody eligible, or nobody answering, gives a result with ``driver = None`` and
a reason -- never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .center_selection import Distance, Point, check_weights, euclidean


@dataclass(frozen=True)
class Driver:
    id: int
    location: Point
    reputation: float
    since_last_route: float
    free_capacity: float
    available: bool = True
    equipment: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DriverScore:
    id: int
    score: float
    distance: float


@dataclass(frozen=True)
class Notification:
    """The x best eligible drivers, best first, plus who was left out and why."""

    notified: tuple[DriverScore, ...]
    excluded: dict[int, str]
    reason: str = ""


@dataclass(frozen=True)
class DriverChoice:
    driver: int | None
    reason: str = ""
    considered: tuple[int, ...] = ()


NO_DRIVER = "no driver is eligible for this order"
NO_RESPONSE = "no notified driver responded"


def driver_eligibility(
    driver: Driver, center: Point, radius: float, load: float, needs: frozenset[str], distance: Distance = euclidean
) -> str:
    """Empty string if ``driver`` may take the order, else the first reason it may not."""
    if not driver.available:
        return "not available"
    d = distance(driver.location, center)
    if d > radius:
        return f"outside radius ({d:.3f} > {radius})"
    if driver.free_capacity < load:
        return f"free capacity {driver.free_capacity} < load {load}"
    missing = needs - driver.equipment
    if missing:
        return f"missing equipment {sorted(missing)}"
    return ""


def notify_drivers(
    drivers: Sequence[Driver],
    center: Point,
    radius: float,
    load: float,
    weights: Sequence[float],
    x: int,
    needs: Iterable[str] = (),
    distance: Distance = euclidean,
) -> Notification:
    """Score every eligible driver with f(l) and return the x best (ties: lowest id)."""
    check_weights(weights, 3, "weights")
    if not radius > 0:
        raise ValueError(f"radius: must be > 0, got {radius}")
    if x < 1:
        raise ValueError(f"x: must notify at least one driver, got {x}")
    if load < 0:
        raise ValueError("load: must be >= 0")
    ids = [d.id for d in drivers]
    if len(set(ids)) != len(ids):
        raise ValueError("drivers: ids must be unique")
    for d in drivers:
        if not 0.0 <= d.reputation <= 1.0:
            raise ValueError(f"driver {d.id}: reputation {d.reputation} outside [0, 1]")
        if d.since_last_route < 0:
            raise ValueError(f"driver {d.id}: since_last_route must be >= 0")
    needs = frozenset(needs)
    excluded: dict[int, str] = {}
    eligible: list[tuple[Driver, float]] = []
    for d in drivers:
        why = driver_eligibility(d, center, radius, load, needs, distance)
        if why:
            excluded[d.id] = why
        else:
            eligible.append((d, distance(d.location, center)))
    if not eligible:
        return Notification((), excluded, NO_DRIVER)
    t_max = max(d.since_last_route for d, _ in eligible)
    r1, r2, r3 = weights
    scored = []
    for d, dist in eligible:
        idle = (t_max - d.since_last_route) / t_max if t_max > 0 else 0.0
        scored.append(DriverScore(d.id, r1 * dist / radius + r2 * (1.0 - d.reputation) + r3 * idle, dist))
    scored.sort(key=lambda s: (s.score, s.id))
    return Notification(tuple(scored[:x]), excluded)


def pick_responder(notification: Notification, responses: Iterable[tuple[int, float]], y: float) -> DriverChoice:
    """Apply the first-response-within-y rule to (driver id, response time) events."""
    if y < 0:
        raise ValueError(f"y: response window must be >= 0, got {y}")
    if not notification.notified:
        return DriverChoice(None, notification.reason or NO_DRIVER)
    score = {s.id: s.score for s in notification.notified}
    valid: dict[int, float] = {}
    for driver, when in responses:
        if driver in score and (driver not in valid or when < valid[driver]):
            valid[driver] = when  # a driver's first answer counts
    if not valid:
        return DriverChoice(None, NO_RESPONSE)
    first = min(valid.values())
    window = [(score[d], when, d) for d, when in valid.items() if when <= first + y]
    window.sort()
    return DriverChoice(window[0][2], "", tuple(d for _, _, d in window))


def select_driver(
    drivers: Sequence[Driver],
    center: Point,
    radius: float,
    load: float,
    weights: Sequence[float],
    x: int,
    y: float,
    responses: Iterable[tuple[int, float]],
    needs: Iterable[str] = (),
) -> DriverChoice:
    """Notify the x best drivers and resolve their responses (both steps of §4.2)."""
    return pick_responder(notify_drivers(drivers, center, radius, load, weights, x, needs), responses, y)
