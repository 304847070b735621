"""Signed statements of the escrow flow (Buying.com §5.6-5.7) and their Ed25519 multi-signatures.

Three statements, each serialised canonically (sorted-key JSON) behind its own domain
separator, so a signature on one kind of statement, or on another order, never verifies
as another:

* :class:`DeliveryRecord` — proof of delivery: order, time, GPS position (micro-degrees),
  whether the customer was present, and the SHA-256 of a photo of the place. It needs
  the signatures of the driver, the customer and the microdistribution node; when the
  customer is absent, of the driver and the node, and the photo hash is then mandatory;
* :class:`ReturnIntent` — the customer's intent to return the goods (customer signs);
* :class:`ReturnAcceptance` — the vendor's proof of acceptance of the returned goods
  (vendor signs).

Signatures are Ed25519 from the ``cryptography`` package (RFC 8032); private keys are
generated from the operating system's randomness.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from protocols.escrow.tokens import Rejected

_DOMAIN = b"mpc-markets/escrow/"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _canonical(kind: str, fields: dict) -> bytes:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return _DOMAIN + kind.encode() + b"/v1\x00" + body


@dataclass(frozen=True)
class DeliveryRecord:
    order_id: str
    timestamp: int  # seconds since the epoch
    latitude_e6: int  # micro-degrees, integers so the signed bytes are unambiguous
    longitude_e6: int
    customer_present: bool
    photo_sha256: str | None = None

    def message(self) -> bytes:
        return _canonical("proof-of-delivery", asdict(self))

    def required_roles(self) -> tuple[str, ...]:
        return ("driver", "customer", "node") if self.customer_present else ("driver", "node")

    def check_fields(self) -> None:
        """Rejected when the record is incomplete (absent customer without a photo hash)."""
        if self.photo_sha256 is not None and not _SHA256_HEX.fullmatch(self.photo_sha256):
            raise Rejected("proof of delivery: photo_sha256 must be 64 lowercase hex digits")
        if not self.customer_present and self.photo_sha256 is None:
            raise Rejected("proof of delivery: customer absent, a photo hash of the place is required")
        if not (-90_000_000 <= self.latitude_e6 <= 90_000_000 and -180_000_000 <= self.longitude_e6 <= 180_000_000):
            raise Rejected("proof of delivery: GPS position out of range")


@dataclass(frozen=True)
class ReturnIntent:
    order_id: str
    timestamp: int

    def message(self) -> bytes:
        return _canonical("return-intent", asdict(self))


@dataclass(frozen=True)
class ReturnAcceptance:
    order_id: str
    timestamp: int

    def message(self) -> bytes:
        return _canonical("return-acceptance", asdict(self))


def sign(statement, key: Ed25519PrivateKey) -> bytes:
    """Ed25519 signature of the statement's canonical bytes."""
    return key.sign(statement.message())


def verify_signatures(
    statement,
    roles: tuple[str, ...],
    signatures: Mapping[str, bytes],
    keys: Mapping[str, Ed25519PublicKey],
) -> None:
    """Every role in ``roles`` must have signed ``statement`` with its registered key.

    Raises Rejected naming the first role whose signature is missing or invalid.
    Signatures of roles that are not required are ignored.
    """
    message = statement.message()
    for role in roles:
        if role not in signatures:
            raise Rejected(f"missing signature of the {role}")
        try:
            keys[role].verify(signatures[role], message)
        except InvalidSignature:
            raise Rejected(f"invalid signature of the {role}") from None
