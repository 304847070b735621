"""The public description of one group purchase: what every household knows before the
session, and the file the utility operator hands out with it (no household's bill in it).

`PublicInfo` is what the private protocol computes with: the registered households in
order, the number of slots and tariff periods, the group plan's prices and fees. The market
file (`market.json`) adds the compensation scheme and the operator's identity, key and
signed root for the epoch, so a household can check what it reads on the ledger against
what the operator told it. Every party broadcasts the digest of its `PublicInfo` at the
start of a session and all must agree (`protocols.energy.private.session`).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from mpc.cli import CliError, read_json_file
from protocols.energy.model import SCHEMES, Scenario
from protocols.ledger.chain import LEDGER_ID_SIZE

FORMAT = "mpc-markets/energy-market/v1"
#: household and operator ids: they name files and folders, so only a safe character set
ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def check_id(value: Any, what: str) -> str:
    """ValueError unless `value` is a safe id (letters, digits, _ . -, at most 64, no leading dot)."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):   # the whole string: no trailing newline
        raise ValueError(f"{what} {value!r}: ids are 1..64 characters of A-Z a-z 0-9 _ . - "
                         "(not starting with . or -)")
    return value


@dataclass(frozen=True)
class PublicInfo:
    """What every party knows before the session: tariffs of the group plan, sizes, user order.

    Nothing here depends on a user's bill; κ, μ, v of the current plans are committed by
    the operator and only enter the MPC as shares.
    """

    user_ids: tuple[str, ...]
    n_slots: int
    n_periods: int
    group_import: tuple[int, ...]   # µ$/kWh per period: price × Wh = n$
    group_export: tuple[int, ...]
    c_g: int                        # connection fee of g, n$
    d_g: int                        # disconnection fee of g, n$

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def leaf_width(self) -> int:
        """Committed values per (user, slot): a_1..a_P, β_1..β_P, κ, μ, v."""
        return 2 * self.n_periods + 3

    def to_json(self) -> dict:
        return {"users": list(self.user_ids), "slots": self.n_slots, "periods": self.n_periods,
                "group_import": list(self.group_import), "group_export": list(self.group_export),
                "connection_fee": self.c_g, "disconnection_fee": self.d_g}

    def digest(self) -> bytes:
        """SHA-256 of the canonical JSON: equal at every party iff they compute the same market."""
        body = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(b"energy-public-info|" + body).digest()


def public_info(scenario: Scenario) -> PublicInfo:
    """The public part of a scenario (the plans and the registered users' ids and slot count)."""
    g = scenario.group
    return PublicInfo(tuple(u.id for u in scenario.users), scenario.n_slots, len(scenario.periods),
                      tuple(g.import_price), tuple(g.export_price), g.connection_fee, g.disconnection_fee)


@dataclass(frozen=True)
class MarketFile:
    """market.json: the public information, the scheme, and the operator's identity for the epoch."""

    info: PublicInfo
    scheme: str
    operator_id: str
    operator_key: bytes      # raw Ed25519 public key
    root: bytes              # the epoch's Merkle root (the signed root itself is on the ledger)
    ledger_id: bytes         # the ledger the root was published on ...
    ledger_writer: bytes     # ... and its writer's public key, which every replica expects
    signed_root: bytes = b""  # the operator's signed root itself (SignedRoot.to_bytes), for clients without a ledger

    def to_json(self) -> dict:
        return {"format": FORMAT, "public": self.info.to_json(), "scheme": self.scheme,
                "operator_id": self.operator_id, "operator_key": self.operator_key.hex(), "root": self.root.hex(),
                "ledger_id": self.ledger_id.hex(), "ledger_writer": self.ledger_writer.hex(),
                "signed_root": self.signed_root.hex()}

    def save(self, path: str | os.PathLike) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "MarketFile":
        """ValueError naming the file and field on anything malformed."""
        try:
            return cls.from_json(read_json_file(path, "market file"))
        except CliError as exc:
            raise ValueError(str(exc)) from None
        except ValueError as exc:
            raise ValueError(f"market file {path}: {exc}") from None

    @classmethod
    def from_json(cls, d: Any) -> "MarketFile":
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError(f"not a market file (format must be {FORMAT!r})")
        pub = _obj(d.get("public"), "public")
        users = pub.get("users")
        if not isinstance(users, list) or not 2 <= len(users) <= 10**6:
            raise ValueError("public.users must list at least 2 household ids")
        for i, u in enumerate(users):
            check_id(u, f"public.users[{i}]")
        if len(set(users)) != len(users):
            raise ValueError("public.users: household ids must be unique")
        periods = _int(pub.get("periods"), "public.periods", 1, 24)
        info = PublicInfo(tuple(users), _int(pub.get("slots"), "public.slots", 1, 10**5), periods,
                          _ints(pub.get("group_import"), "public.group_import", periods),
                          _ints(pub.get("group_export"), "public.group_export", periods),
                          _int(pub.get("connection_fee"), "public.connection_fee", 0, 2**63),
                          _int(pub.get("disconnection_fee"), "public.disconnection_fee", 0, 2**63))
        if d.get("scheme") not in SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}")
        return cls(info, d["scheme"], check_id(d.get("operator_id"), "operator_id"),
                   _hex(d.get("operator_key"), "operator_key", 32), _hex(d.get("root"), "root", 32),
                   _hex(d.get("ledger_id"), "ledger_id", LEDGER_ID_SIZE), _hex(d.get("ledger_writer"), "ledger_writer", 32),
                   _signed_root(d.get("signed_root")))


def _obj(v: Any, what: str) -> dict:
    if not isinstance(v, dict):
        raise ValueError(f"{what} must be an object")
    return v


def _int(v: Any, what: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"{what} must be an integer in [{lo}, {hi}]")
    return v


def _ints(v: Any, what: str, n: int) -> tuple[int, ...]:
    if not isinstance(v, list) or len(v) != n:
        raise ValueError(f"{what} must list {n} integers")
    return tuple(_int(x, f"{what}[{i}]", -(2**40), 2**40) for i, x in enumerate(v))


def _signed_root(v: Any) -> bytes:
    from zkp.signatures import SignedRoot
    try:
        raw = bytes.fromhex(v) if isinstance(v, str) else b""
        SignedRoot.from_bytes(raw)
    except ValueError:
        raise ValueError("signed_root must be the operator's signed root in hex") from None
    return raw


def _hex(v: Any, what: str, size: int) -> bytes:
    try:
        raw = bytes.fromhex(v) if isinstance(v, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise ValueError(f"{what} must be {size} bytes in hex")
    return raw
