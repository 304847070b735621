"""A household's account secrets: its Ed25519 signing key and the opening (balance, r) of
its committed token balance (n$), and the file that keeps them between runs."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mpc.cli import CliError, read_json_file
from protocols.ledger.transactions import raw_public_key
from zkp.groups.base import Group
from zkp.keys import private_key_from_hex, private_key_hex


@dataclass
class Wallet:
    """A user's account secrets: signing key and the opening (balance, r) of its committed balance (n$),
    and the issuer's signature on its opening balance (protocols.ledger.issuance.authorise_issuance)."""

    account_id: str
    signing_key: Ed25519PrivateKey
    balance: int
    r_balance: int
    issuance: bytes = b""

    @classmethod
    def fresh(cls, group: Group, account_id: str, balance: int) -> "Wallet":
        return cls(account_id, Ed25519PrivateKey.generate(), balance, group.random_scalar())

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.signing_key)

    def balance_commitment(self, group: Group) -> bytes:
        return group.commit_point(self.balance, self.r_balance).to_bytes()

    def to_json(self) -> dict:
        return {"account_id": self.account_id, "signing_key": private_key_hex(self.signing_key),
                "balance": self.balance, "r_balance": str(self.r_balance), "issuance": self.issuance.hex()}

    @classmethod
    def from_json(cls, d: Any) -> "Wallet":
        """ValueError unless `d` is a wallet object with well-formed fields."""
        if not isinstance(d, dict) or set(d) != {"account_id", "signing_key", "balance", "r_balance", "issuance"}:
            raise ValueError("a wallet holds exactly account_id, signing_key, balance, r_balance and issuance")
        if not isinstance(d["account_id"], str) or not isinstance(d["balance"], int) or d["balance"] < 0:
            raise ValueError("wallet: account_id must be a string and balance a non-negative integer")
        if not all(isinstance(d[k], str) for k in ("signing_key", "r_balance", "issuance")):
            raise ValueError("wallet: signing_key, r_balance and issuance must be strings")
        return cls(d["account_id"], private_key_from_hex(d["signing_key"]), d["balance"], int(d["r_balance"]),
                   bytes.fromhex(d["issuance"]))

    def save(self, path: str | os.PathLike) -> None:
        """Write the wallet readable by its owner only (mode 0600 from creation, atomically)."""
        p = Path(path)
        tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(self.to_json()) + "\n")
        os.replace(tmp, p)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Wallet":
        """ValueError naming the file if it is not a wallet."""
        try:
            return cls.from_json(read_json_file(path, "wallet"))
        except CliError as exc:
            raise ValueError(str(exc)) from None
        except ValueError as exc:
            raise ValueError(f"wallet {path}: {exc}") from None
