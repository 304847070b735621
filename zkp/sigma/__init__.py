"""Σ-protocols over Pedersen commitments, interactive and non-interactive.

* :mod:`~zkp.sigma.opening`     — zkpCm, knowledge of an opening
* :mod:`~zkp.sigma.membership`  — zkpMbs, committed value in a public set
* :mod:`~zkp.sigma.nonnegative` — zkpNN, committed value in [0, 2^bits)
* :mod:`~zkp.sigma.sum`         — zkpSum, committed values sum to public y
* :mod:`~zkp.sigma.base`        — Prover/Verifier objects, prove/verify (Fiat–Shamir), batch verification
"""

from zkp.sigma.base import NIProof, Prover, SigmaProtocol, Verifier, prove, verify, verify_batch
from zkp.sigma.membership import MEMBERSHIP, MembershipStatement, prove_membership, verify_membership
from zkp.sigma.nonnegative import RANGE, RangeStatement, prove_range, verify_range
from zkp.sigma.opening import OPENING, OpeningStatement, prove_opening, verify_opening
from zkp.sigma.sum import SUM, SumStatement, SumWitness, prove_sum, verify_sum

#: every protocol, by its domain name.
PROTOCOLS = {p.name.decode(): p for p in (OPENING, MEMBERSHIP, RANGE, SUM)}

__all__ = [
    "NIProof", "Prover", "Verifier", "SigmaProtocol", "prove", "verify", "verify_batch",
    "OPENING", "OpeningStatement", "prove_opening", "verify_opening",
    "MEMBERSHIP", "MembershipStatement", "prove_membership", "verify_membership",
    "RANGE", "RangeStatement", "prove_range", "verify_range",
    "SUM", "SumStatement", "SumWitness", "prove_sum", "verify_sum",
    "PROTOCOLS",
]
