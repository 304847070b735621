"""Ed25519 key files for the command lines: raw private key as one line of hex, mode 0600.

The ledger's writer and issuer keys are secrets of whoever plays those roles;
a key file must live where only that role can read it (see the trust model in
:mod:`protocols.ledger`).
"""

from __future__ import annotations

from pathlib import Path

from zkp.keys import load_key, load_or_create_key

__all__ = ["load_key", "load_or_create_key", "local_key_dir", "open_local_writer"]


def local_key_dir(ledger_path: str | Path) -> Path:
    """Where a single-host setup keeps the ledger's keys: ``<ledger>.d/`` next to the file."""
    p = Path(ledger_path)
    return p.with_name(p.name + ".d")


def open_local_writer(ledger_path: str | Path, group=None, key_dir: str | Path | None = None,
                      pin: str | Path | None = None):
    """The ledger at ``ledger_path`` as its writer, created if absent, and the issuer key.

    For single-host setups (the command lines): the writer key and the issuer key are
    ``writer.key`` and ``issuer.key`` in ``key_dir`` (default :func:`local_key_dir`), created on
    first use.  Whoever can read that directory holds both roles.  Returns (ledger, issuer key).
    """
    from protocols.ledger.sqlite_ledger import SQLiteLedger
    from protocols.ledger.transactions import raw_public_key

    kd = Path(key_dir) if key_dir is not None else local_key_dir(ledger_path)
    kd.mkdir(parents=True, exist_ok=True)
    writer = load_or_create_key(kd / "writer.key")
    issuer = load_or_create_key(kd / "issuer.key")
    return SQLiteLedger.open_or_create(ledger_path, group, writer, raw_public_key(issuer), pin=pin), issuer
