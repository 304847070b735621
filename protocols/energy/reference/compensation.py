"""Mutual compensations (seed Theorem 3, Algorithm 3) with the spec's integer rounding rule.

Inputs are per-user integers in n$: Opt_{i,g}, C_i(E\\g) and the switching cost into the
group plan, c(g) + v_i, so that C_i(g) = Opt_{i,g} + c(g) + v_i.  Each user's target cost
Opt_{i,g} + θ_i ("share") is computed with floor division; the public deficit
D = ΣC(g) − Σshare (0 ≤ D < |X|) is then given, one unit each, to the first D users in
the order of the scenario file.  Hence Σθ_i = Σ(c(g) + v_i) and Σφ_i = 0 exactly.

The private protocol reveals ΣC(g) and ΣC(E\\g) (Algorithm 3, step 4) and can call the
share functions with those public sums and its secret C_i(E\\g).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from protocols.energy.model import SCHEMES


class CompensationRefused(ValueError):
    """Proportional sharing asked for while ΣC_i(E\\g) ≤ 0 (it would divide by a non-positive number)."""


@dataclass(frozen=True)
class Compensation:
    """θ_i (compensated switching cost), φ_i = θ_i − c(g) − v_i (> 0: pays, < 0: receives) and the deficit D."""

    scheme: str
    theta: tuple[int, ...]
    phi: tuple[int, ...]
    deficit: int
    sum_group: int
    sum_outside: int


def egalitarian_shares(c_outside: Sequence[int], sum_group: int, sum_outside: int) -> list[int]:
    """C_i(E\\g) + ⌊(ΣC(g) − ΣC(E\\g)) / |X|⌋ for each user (eq. 12 before the deficit is settled)."""
    delta = (sum_group - sum_outside) // len(c_outside)
    return [c + delta for c in c_outside]


def proportional_shares(c_outside: Sequence[int], sum_group: int, sum_outside: int) -> list[int]:
    """⌊C_i(E\\g) · ΣC(g) / ΣC(E\\g)⌋ for each user (eq. 13 before the deficit is settled).

    Raises CompensationRefused when ΣC(E\\g) ≤ 0.
    """
    if sum_outside <= 0:
        raise CompensationRefused(
            f"proportional sharing needs sum of C_i(E\\g) > 0, got {sum_outside} n$ (net-exporting households)")
    return [c * sum_group // sum_outside for c in c_outside]


def settle_deficit(shares: Sequence[int], sum_group: int) -> tuple[list[int], int]:
    """Add one unit to the first D shares, D = ΣC(g) − Σshares; returns (shares, D)."""
    deficit = sum_group - sum(shares)
    if not 0 <= deficit < len(shares):
        raise AssertionError(f"deficit {deficit} outside [0, {len(shares)}): shares were not floors")
    return [s + (1 if k < deficit else 0) for k, s in enumerate(shares)], deficit


def compute_compensation(scheme: str, opt_group: Sequence[int], c_outside: Sequence[int],
                         switch_in: Sequence[int], *, sum_group: int | None = None,
                         sum_outside: int | None = None) -> Compensation:
    """θ and φ for users X (same order as the arguments) under `scheme`.

    `switch_in[i]` = c(g) + v_i.  The sums default to the ones implied by the inputs; a
    private protocol passes the values it revealed.  The result is budget balanced
    (Σφ = 0); individual rationality, share_i ≤ C_i(E\\g), holds when ΣC(g) < ΣC(E\\g)
    (egalitarian) and additionally every C_i(E\\g) > 0 (proportional).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if not (len(opt_group) == len(c_outside) == len(switch_in)) or not opt_group:
        raise ValueError("opt_group, c_outside and switch_in must be non-empty and of equal length")
    if sum_group is None:
        sum_group = sum(o + s for o, s in zip(opt_group, switch_in))
    if sum_outside is None:
        sum_outside = sum(c_outside)
    share_fn = egalitarian_shares if scheme == "egalitarian" else proportional_shares
    shares, deficit = settle_deficit(share_fn(c_outside, sum_group, sum_outside), sum_group)
    theta = tuple(s - o for s, o in zip(shares, opt_group))
    phi = tuple(th - s for th, s in zip(theta, switch_in))
    return Compensation(scheme, theta, phi, deficit, sum_group, sum_outside)
