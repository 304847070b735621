"""Ed25519 key files: one format (the raw 32-byte private key as hex, one line, mode 0600)
for every signing key the project keeps on disk (operators, account wallets)."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


def private_key_hex(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def private_key_from_hex(text: str) -> Ed25519PrivateKey:
    """ValueError unless `text` is 64 hex digits."""
    raw = bytes.fromhex(text.strip())
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes (64 hex digits)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_key(path: str | os.PathLike) -> Ed25519PrivateKey:
    """Read a key file; ValueError naming the file if it is not one."""
    try:
        return private_key_from_hex(Path(path).read_text(encoding="ascii"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a hex-encoded Ed25519 private key ({exc})") from None


def save_new_key(path: str | os.PathLike, key: Ed25519PrivateKey) -> None:
    """Write a new key file, readable by its owner only (created exclusively with mode 0600:
    an existing file, or one planted meanwhile, is never overwritten)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(private_key_hex(key) + "\n")


def load_or_create_key(path: str | os.PathLike) -> Ed25519PrivateKey:
    """The key in `path`, or a fresh one written there if the file does not exist."""
    p = Path(path)
    if p.exists():
        return load_key(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    save_new_key(p, key)
    return key
