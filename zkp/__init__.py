"""Commitments and zero-knowledge proofs for the market protocols.

* :mod:`zkp.groups`       — prime-order groups: BN254 via py-ecc (Ethereum-compatible, the
  default; its order is the MPC field's modulus) and secp256k1 via coincurve (fast)
* :mod:`zkp.hash_to_curve` — how the second generator H is derived (nobody knows log_G H)
* :mod:`zkp.pedersen`     — Pedersen commitments with the homomorphism as operators
* :mod:`zkp.transcript`   — domain-separated Fiat–Shamir transcripts
* :mod:`zkp.sigma`        — zkpCm, zkpMbs, zkpNN, zkpSum: interactive and non-interactive
* :mod:`zkp.merkle`, :mod:`zkp.signatures` — Merkle trees over commitment tuples and the
  operator's Ed25519 signature over (root, size, timestamp)
"""

from zkp.groups import GROUP_NAMES, Group, Point, get_group
from zkp.pedersen import Commitment, Opening, commit, verify_opening

__all__ = ["GROUP_NAMES", "Group", "Point", "get_group", "Commitment", "Opening", "commit", "verify_opening"]
