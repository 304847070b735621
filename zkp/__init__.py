"""Commitments and zero-knowledge proofs for the market protocols.

* :mod:`zkp.groups`        — prime-order groups behind one interface: ``bn254``
  (BN254/alt_bn128 G1, Ethereum encoding; backends py-ecc, the default, and
  fastecdsa, optional and ~5× faster) and ``secp256k1`` (coincurve, fastest).
  The MPC field defaults to the bn254 order.
* :mod:`zkp.hash_to_curve` — how the second generator H is derived (nobody knows log_G H)
* :mod:`zkp.pedersen`      — Pedersen commitments with the homomorphism as operators
* :mod:`zkp.transcript`    — domain-separated Fiat–Shamir transcripts
* :mod:`zkp.sigma`         — zkpCm, zkpMbs, zkpNN, zkpSum: interactive, non-interactive, batch-verified
* :mod:`zkp.merkle`, :mod:`zkp.signatures` — Merkle trees over commitment tuples and the
  operator's Ed25519 signature over (root, size, timestamp)
* :mod:`zkp.distributed`   — Π_dzkpCm and Π_dzkpSum inside an ``mpc`` session
"""

from zkp.groups import GROUP_NAMES, Group, Point, available_backends, get_group
from zkp.pedersen import Commitment, Opening, commit, verify_opening

__all__ = ["GROUP_NAMES", "Group", "Point", "available_backends", "get_group", "Commitment", "Opening", "commit",
           "verify_opening"]
