"""BlockCom's iterative double auction (seed: blockcom-double-auction.txt §III-C, Alg. 2;
docs/specs/markets.md).

Consumers i have demand bounds c_min_i <= sum_j c_ij <= c_max_i; suppliers j have capacity
sum_i d_ji <= D_max_j and cost L_j = l1_j * sum_i d_ji^2 + psi_j * sum_i d_ji. Every round
the auctioneer solves the concave allocation problem

    OPT_max:  max  sum_ij  b_ij * ln(c_ij) - s_ji * d_ji     with c_ij = d_ji >= 0

under those bounds (scipy's SLSQP, an SQP solver, with exact gradients), then every
bidder updates its bids from the allocation:

    b_ij = c_ij / (sum_j c_ij - c_min_i + 1)        (eq. 10)
    s_ji = 2 * l1_j * d_ji + psi_j                   (eq. 11)

until no bid moves by more than ``tolerance``. The iteration contracts linearly in generic
markets; in a degenerate one (a supplier whose marginal cost at zero supply equals the
equilibrium price exactly) the vanishing pair shrinks only like 1/t, so the run can end
at ``max_iterations`` with ``converged`` false — reported, never hidden. Eq. 10 is the consumer's marginal utility
of tau * ln(sum_j c_ij - c_min_i + 1) times c_ij with tau = 1, and eq. 11 the supplier's
marginal cost, so at the fixed point the allocation is the one that maximises
sum_i ln(C_i - c_min_i + 1) - sum_j L_j (checked by the tests against a direct solve).

Reported per pair: the allocation, the consumer's bid b_ij (its payment), the unit price
b_ij / c_ij and the supplier's unit ask s_ji. Consumer satisfaction is
U_i = tau * ln(C_i - c_min_i + 1) (the seed's eq. 3 with the +1 inside, so U >= 0);
supplier profit is the payments it receives, sum_i b_ij, minus its cost L_j.

CLI: ``python -m protocols.auction.reference.blockcom --scenario FILE --json OUT``. Scenario file::

    {"consumers": [{"id": "c1", "c_min": 1, "c_max": 6}, ...],
     "suppliers": [{"id": "d1", "d_max": 5, "l1": 0.05, "psi": 0.1}, ...],
     "tau": 1.0, "tolerance": 1e-6, "max_iterations": 200}
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from mpc.cli import (ArgumentParser, CliError, check_not_input, check_output_path, guarded, read_json_file,
                     write_json_file)

_FLOOR = 1e-9  # ln(c) needs c > 0; the optimum never sits there when b > 0.


class ScenarioError(ValueError):
    """A BlockCom scenario is malformed or infeasible; the message names the field."""


@dataclass(frozen=True)
class Consumer:
    id: str
    c_min: float
    c_max: float


@dataclass(frozen=True)
class Supplier:
    id: str
    d_max: float
    l1: float
    psi: float


@dataclass(frozen=True)
class Scenario:
    consumers: tuple[Consumer, ...]
    suppliers: tuple[Supplier, ...]
    tau: float = 1.0
    tolerance: float = 1e-6
    max_iterations: int = 200


@dataclass(frozen=True)
class BlockComResult:
    allocation: np.ndarray  # c[i, j] = d[j, i]
    bids: np.ndarray  # b[i, j] after the last update
    asks: np.ndarray  # s[j, i] stored as [i, j]
    iterations: int
    converged: bool
    last_change: float
    satisfaction: np.ndarray  # U_i
    supplier_profit: np.ndarray


def solve_allocation(
    scn: Scenario, bids: np.ndarray, asks: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """The auctioneer's OPT_max for fixed bids b[i, j] > 0 and asks s[i, j]: the allocation
    c[i, j] maximising sum b ln c - s c within the demand and capacity bounds. ``start`` is
    a warm start (the previous round's allocation)."""
    n_c, n_s = len(scn.consumers), len(scn.suppliers)
    b, s = bids.ravel(), asks.ravel()
    c_min = np.array([c.c_min for c in scn.consumers])
    c_max = np.array([c.c_max for c in scn.consumers])
    d_max = np.array([d.d_max for d in scn.suppliers])
    rows = np.kron(np.eye(n_c), np.ones((1, n_s)))  # sum over suppliers, per consumer
    cols = np.kron(np.ones((1, n_c)), np.eye(n_s))  # sum over consumers, per supplier

    def negative(x):
        return -(b @ np.log(x) - s @ x)

    def negative_grad(x):
        return -(b / x - s)

    constraints = [
        {"type": "ineq", "fun": lambda x: rows @ x - c_min, "jac": lambda x: rows},
        {"type": "ineq", "fun": lambda x: c_max - rows @ x, "jac": lambda x: -rows},
        {"type": "ineq", "fun": lambda x: d_max - cols @ x, "jac": lambda x: -cols},
    ]
    if start is None:
        # Each consumer's demand midpoint split evenly; SLSQP copes if this breaks a capacity.
        start = np.repeat((c_min + c_max) / (2 * n_s), n_s)
    start = np.maximum(np.asarray(start, dtype=float).ravel(), _FLOOR)
    result = minimize(
        negative,
        start,
        jac=negative_grad,
        bounds=[(_FLOOR, None)] * (n_c * n_s),
        constraints=constraints,
        method="SLSQP",
        options={"ftol": 1e-13, "maxiter": 1000},
    )
    x = result.x
    violation = max(
        float((c_min - rows @ x).max()), float((rows @ x - c_max).max()), float((cols @ x - d_max).max()), 0.0
    )
    # Status 8 ("positive directional derivative in line search") is SLSQP saying it cannot
    # improve further in floating point; near the optimum with ftol this tight that is the
    # usual way it stops, so a feasible point is accepted (the tests check KKT afterwards).
    if not (result.success or (result.status == 8 and violation <= 1e-9)):
        raise RuntimeError(f"OPT_max solver failed: {result.message}")
    return x.reshape(n_c, n_s)


def bid_update(scn: Scenario, allocation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eqs. 10 and 11: the consumers' bids b[i, j] and suppliers' asks s[i, j] for an allocation."""
    c_min = np.array([c.c_min for c in scn.consumers])
    l1 = np.array([d.l1 for d in scn.suppliers])
    psi = np.array([d.psi for d in scn.suppliers])
    totals = allocation.sum(axis=1)
    bids = allocation / (totals - c_min + 1)[:, None]
    asks = 2 * l1[None, :] * allocation + psi[None, :]
    return bids, asks


def run_blockcom(scn: Scenario, damping: float | None = None) -> BlockComResult:
    """Iterate OPT_max and the bid updates until the bids of eqs. 10-11 computed from the
    allocation differ from the bids that produced it by at most the tolerance (or
    max_iterations is reached: then ``converged`` is False).

    ``damping`` = theta moves the bids only part of the way, b <- b + theta*(eq10(c) - b),
    which has the same fixed points. theta = 1 is the seed's literal update; it oscillates
    or diverges on many markets (e.g. when a lower demand bound binds, or l1*c^2 is large),
    see tests/markets/test_blockcom.py. The default (None) starts at theta = 1 and halves
    it (down to 1/64) whenever a step points back against the previous one (overshoot),
    the usual relaxation remedy; steady progress keeps its step size.
    """
    validate(scn)
    if damping is not None and not 0 < damping <= 1:
        raise ValueError("damping must be in (0, 1]")
    theta = 1.0 if damping is None else damping
    n_c, n_s = len(scn.consumers), len(scn.suppliers)
    bids = np.ones((n_c, n_s))
    asks = np.tile(np.array([d.psi for d in scn.suppliers]), (n_c, 1))
    change, converged, iterations = math.inf, False, 0
    previous_step: np.ndarray | None = None
    allocation = None
    for iterations in range(1, scn.max_iterations + 1):
        allocation = solve_allocation(scn, bids, asks, allocation)
        target_bids, target_asks = bid_update(scn, allocation)
        change = float(max(np.abs(target_bids - bids).max(), np.abs(target_asks - asks).max()))
        if change <= scn.tolerance:
            bids, asks, converged = target_bids, target_asks, True
            break
        step = np.concatenate([(target_bids - bids).ravel(), (target_asks - asks).ravel()])
        if damping is None and previous_step is not None and float(step @ previous_step) < 0:
            theta = max(theta / 2, 1 / 64)  # the update turned back: it overshoots
        previous_step = step
        bids = bids + theta * (target_bids - bids)
        asks = asks + theta * (target_asks - asks)
    c_min = np.array([c.c_min for c in scn.consumers])
    l1 = np.array([d.l1 for d in scn.suppliers])
    psi = np.array([d.psi for d in scn.suppliers])
    satisfaction = scn.tau * np.log(np.maximum(allocation.sum(axis=1) - c_min + 1, _FLOOR))
    cost = l1 * (allocation**2).sum(axis=0) + psi * allocation.sum(axis=0)
    profit = bids.sum(axis=0) - cost
    return BlockComResult(allocation, bids, asks, iterations, converged, change, satisfaction, profit)


def validate(scn: Scenario) -> None:
    """Bounds must be consistent and the market feasible (total minimum demand within total
    capacity, every supplier reachable by every consumer)."""
    if not scn.consumers or not scn.suppliers:
        raise ScenarioError("scenario: needs at least one consumer and one supplier")
    for index, c in enumerate(scn.consumers):
        if not 0 <= c.c_min <= c.c_max:
            raise ScenarioError(f"consumers[{index}]: need 0 <= c_min <= c_max, got {c.c_min}, {c.c_max}")
        if c.c_max <= 0:
            raise ScenarioError(f"consumers[{index}].c_max: must be > 0")
    for index, d in enumerate(scn.suppliers):
        if d.d_max <= 0:
            raise ScenarioError(f"suppliers[{index}].d_max: must be > 0")
        if d.l1 <= 0 or d.psi <= 0:
            raise ScenarioError(f"suppliers[{index}]: l1 and psi must be > 0 (seed eq. 4)")
    if sum(c.c_min for c in scn.consumers) > sum(d.d_max for d in scn.suppliers):
        raise ScenarioError("scenario: total c_min exceeds total d_max, no feasible allocation")
    if not scn.tau > 0:
        raise ScenarioError("tau: must be > 0")
    if not scn.tolerance > 0:
        raise ScenarioError("tolerance: must be > 0")
    if scn.max_iterations < 1:
        raise ScenarioError("max_iterations: must be >= 1")


#: Bounds of a scenario file. Quantities and cost coefficients far outside them overflow
#: SLSQP's floating-point arithmetic; the iteration count and the number of consumer-supplier
#: pairs (SLSQP's variables, with dense constraint matrices) bound the running time. Measured
#: on a shared 2-core machine: 10 x 10 pairs take about 0.5 s per iteration (200 iterations,
#: the default, 106 s), one pair a few milliseconds (10,000 iterations within a minute).
MAX_QUANTITY = 1e9
MAX_COEFFICIENT = 1e6
MIN_TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000
MAX_PAIRS = 400

_TOP_KEYS = {"consumers", "suppliers", "tau", "tolerance", "max_iterations"}


def _number(entry: dict, key: str, where: str, high: float) -> float:
    if key not in entry:
        raise ScenarioError(f"{where}: missing field '{key}'")
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScenarioError(f"{where}.{key}: expected a finite number, got {value!r}")
    if abs(value) > high:
        raise ScenarioError(f"{where}.{key}: must be at most {high:g} in absolute value, got {value!r:.30}")
    return float(value)


def scenario_from_dict(data) -> Scenario:
    """Parse and validate a scenario object (see the module docstring); ScenarioError names
    the field (unknown fields included, so a typo is not silently ignored)."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario: expected a JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ScenarioError(f"{unknown[0]}: unknown field (expected {', '.join(sorted(_TOP_KEYS))})")
    for side in ("consumers", "suppliers"):
        if not isinstance(data.get(side), list):
            raise ScenarioError(f"{side}: expected a list")
    if len(data["consumers"]) * len(data["suppliers"]) > MAX_PAIRS:
        raise ScenarioError(f"consumers: {len(data['consumers'])} consumers x {len(data['suppliers'])} suppliers "
                            f"exceed {MAX_PAIRS:,} pairs (one solver variable each)")
    ids: set[str] = set()

    def ident(entry, where, keys):
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: expected an object")
        extra = sorted(set(entry) - keys)
        if extra:
            raise ScenarioError(f"{where}.{extra[0]}: unknown field (expected {', '.join(sorted(keys))})")
        value = entry.get("id")
        if not isinstance(value, str) or not value:
            raise ScenarioError(f"{where}.id: expected a non-empty string")
        if value in ids:
            raise ScenarioError(f"{where}.id: duplicate id {value!r}")
        ids.add(value)
        return value

    consumers = tuple(
        Consumer(ident(e, f"consumers[{i}]", {"id", "c_min", "c_max"}),
                 _number(e, "c_min", f"consumers[{i}]", MAX_QUANTITY),
                 _number(e, "c_max", f"consumers[{i}]", MAX_QUANTITY))
        for i, e in enumerate(data["consumers"])
    )
    suppliers = tuple(
        Supplier(ident(e, f"suppliers[{i}]", {"id", "d_max", "l1", "psi"}),
                 _number(e, "d_max", f"suppliers[{i}]", MAX_QUANTITY),
                 _number(e, "l1", f"suppliers[{i}]", MAX_COEFFICIENT),
                 _number(e, "psi", f"suppliers[{i}]", MAX_COEFFICIENT))
        for i, e in enumerate(data["suppliers"])
    )
    extra = {}
    for key, kind, low, high in (("tau", float, 0.0, MAX_COEFFICIENT), ("tolerance", float, MIN_TOLERANCE, 1.0),
                                 ("max_iterations", int, 1, MAX_ITERATIONS)):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
                raise ScenarioError(f"{key}: expected a {'whole ' if kind is int else ''}number, got {value!r}")
            if not (low < value if kind is float and low == 0 else low <= value) or not value <= high:
                raise ScenarioError(f"{key}: must be in {'(' if low == 0 else '['}{low:g}, {high:g}], got {value!r:.30}")
            extra[key] = kind(value)
    scn = Scenario(consumers, suppliers, **extra)
    validate(scn)
    return scn


def result_to_dict(scn: Scenario, res: BlockComResult) -> dict:
    pairs = []
    for i, c in enumerate(scn.consumers):
        for j, d in enumerate(scn.suppliers):
            q = float(res.allocation[i, j])
            pairs.append({"consumer": c.id, "supplier": d.id, "quantity": q, "bid": float(res.bids[i, j]),
                          "unit_price": float(res.bids[i, j]) / q, "unit_ask": float(res.asks[i, j])})
    return {
        "converged": res.converged,
        "iterations": res.iterations,
        "last_change": res.last_change,
        "pairs": pairs,
        "consumers": [{"id": c.id, "quantity": float(res.allocation[i].sum()), "satisfaction": float(res.satisfaction[i])}
                      for i, c in enumerate(scn.consumers)],
        "suppliers": [{"id": d.id, "quantity": float(res.allocation[:, j].sum()), "profit": float(res.supplier_profit[j])}
                      for j, d in enumerate(scn.suppliers)],
    }


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m protocols.auction.reference.blockcom",
        description="BlockCom iterative double auction: repeats the auctioneer's OPT_max and the bid "
        "updates (eqs. 10-11) until no bid moves more than the tolerance; writes the allocation, "
        "per-pair prices, consumer satisfaction, supplier profit and the iteration count.",
        epilog=f"Scenario bounds: quantities at most {MAX_QUANTITY:g}, l1, psi and tau at most {MAX_COEFFICIENT:g}, "
               f"tolerance in [{MIN_TOLERANCE:g}, 1], max_iterations at most {MAX_ITERATIONS:,}, at most "
               f"{MAX_PAIRS:,} consumer-supplier pairs. Exit status: 0 converged or not (see the output), 2 bad "
               "usage or input.",
    )
    parser.add_argument("--scenario", required=True, help="scenario JSON (see module docstring)")
    parser.add_argument("--json", required=True, help="where to write the result JSON")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_not_input(args.json, {"--scenario": args.scenario}, "--json")
    try:
        scn = scenario_from_dict(read_json_file(args.scenario, "--scenario"))
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    try:
        res = run_blockcom(scn)
    except RuntimeError as exc:  # SLSQP gave up (an ill-conditioned market); say so, no traceback
        print(f"error: --scenario {args.scenario}: {exc}", file=sys.stderr)
        return 1
    print(f"{'converged' if res.converged else 'NOT converged'} after {res.iterations} iteration(s), "
          f"last bid change {res.last_change:.3g}")
    write_json_file(args.json, "--json", result_to_dict(scn, res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
