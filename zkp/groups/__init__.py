"""Prime-order groups for commitments and proofs, behind one interface.

Groups (what transcripts bind) and the backends that compute on them:

* ``bn254`` — BN254/alt_bn128 G1, Ethereum-compatible (EIP-196 encoding); the
  MPC field defaults to its order (py-ecc's ``curve_order``).
    - ``py-ecc``    (default; pure Python, always installed)
    - ``fastecdsa`` (Rust core, about 4–5× faster; optional dependency)
* ``secp256k1`` — ``coincurve`` (libsecp256k1), the fastest.
* :class:`ToySchnorrGroup` — tiny and insecure, for exhaustive tests.

Both bn254 backends produce the same encodings and the same H, so proofs
made with one verify with the other.  ``get_group`` returns one shared
instance per (group, backend): fixed-base tables are built once.
"""

from __future__ import annotations

import importlib

from zkp.groups.base import Group, Point, to_scalar
from zkp.groups.toy import ToySchnorrGroup

_FACTORIES = {
    ("bn254", "py-ecc"): ("zkp.groups.bn254_pyecc", "BN254PyEcc"),
    ("bn254", "fastecdsa"): ("zkp.groups.bn254_fastecdsa", "BN254FastEcdsa"),
    ("secp256k1", "coincurve"): ("zkp.groups.secp256k1_coincurve", "Secp256k1Coincurve"),
}
#: the backend get_group uses when none is named.
DEFAULT_BACKEND = {"bn254": "py-ecc", "secp256k1": "coincurve"}
#: names of the groups.
GROUP_NAMES = tuple(DEFAULT_BACKEND)
_INSTANCES: dict[tuple[str, str], Group] = {}


def get_group(name: str = "bn254", backend: str | None = None) -> Group:
    """The shared instance of a group; ``name`` may also be written ``"group:backend"``.

    Raises ValueError for an unknown group or backend, and ImportError (with the pip
    command) when an optional backend's library is missing.
    """
    if ":" in name and backend is None:
        name, backend = name.split(":", 1)
    if name not in DEFAULT_BACKEND:
        raise ValueError(f"unknown group {name!r}; choose one of {', '.join(GROUP_NAMES)}")
    backend = backend or DEFAULT_BACKEND[name]
    key = (name, backend)
    if key not in _FACTORIES:
        known = ", ".join(b for g, b in _FACTORIES if g == name)
        raise ValueError(f"unknown backend {backend!r} for {name}; choose one of {known}")
    grp = _INSTANCES.get(key)
    if grp is None:
        module, cls = _FACTORIES[key]
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(f"backend {backend} of {name} needs a library that is not installed "
                              f"({exc.name}); install it with: pip install {exc.name}") from exc
        grp = _INSTANCES[key] = getattr(mod, cls)()
    return grp


def available_backends() -> list[str]:
    """``group:backend`` for every backend whose library imports here."""
    out = []
    for name, backend in _FACTORIES:
        try:
            get_group(name, backend)
        except ImportError:
            continue
        out.append(f"{name}:{backend}")
    return out


__all__ = ["Group", "Point", "ToySchnorrGroup", "get_group", "available_backends", "to_scalar",
           "GROUP_NAMES", "DEFAULT_BACKEND"]
