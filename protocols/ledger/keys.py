"""Ed25519 key files for the command lines: raw private key as one line of hex, mode 0600.

The ledger's writer and issuer keys are secrets of whoever plays those roles;
a key file must live where only that role can read it (see the trust model in
:mod:`protocols.ledger`).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


def load_key(path: str | Path) -> Ed25519PrivateKey:
    """The key in ``path`` (ValueError if it is not one hex-encoded 32-byte Ed25519 private key)."""
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(Path(path).read_text(encoding="ascii").strip()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a hex-encoded 32-byte Ed25519 private key ({exc})") from None


def load_or_create_key(path: str | Path) -> Ed25519PrivateKey:
    """The key in ``path``, or a fresh one written there (created exclusively, readable by the owner only)."""
    p = Path(path)
    if p.exists():
        return load_key(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex() + "\n")
    return key


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
