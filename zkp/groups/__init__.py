"""Prime-order groups for commitments and proofs, behind one interface.

* ``bn254`` via py-ecc — BN254/alt_bn128 G1, Ethereum-compatible; the MPC
  field defaults to its order (py-ecc's ``curve_order``).
* ``secp256k1`` via coincurve (libsecp256k1) — the fast backend.
* ``ToySchnorrGroup`` — tiny and insecure, for exhaustive tests.

``get_group(name)`` returns one shared instance per curve (the fixed-base
tables of the py-ecc backend are built once).
"""

from __future__ import annotations

from zkp.groups.base import Group, Point, to_scalar
from zkp.groups.toy import ToySchnorrGroup

_FACTORIES = {
    "bn254": ("zkp.groups.bn254_pyecc", "BN254PyEcc"),
    "secp256k1": ("zkp.groups.secp256k1_coincurve", "Secp256k1Coincurve"),
}
_INSTANCES: dict[str, Group] = {}

#: names accepted by get_group.
GROUP_NAMES = tuple(_FACTORIES)


def get_group(name: str = "bn254") -> Group:
    """The shared instance of the named group (``bn254`` or ``secp256k1``)."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown group {name!r}; choose one of {', '.join(GROUP_NAMES)}")
    grp = _INSTANCES.get(name)
    if grp is None:
        import importlib

        module, cls = _FACTORIES[name]
        grp = _INSTANCES[name] = getattr(importlib.import_module(module), cls)()
    return grp


__all__ = ["Group", "Point", "ToySchnorrGroup", "get_group", "to_scalar", "GROUP_NAMES"]
