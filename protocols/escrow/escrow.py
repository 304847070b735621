"""Escrow for one order with release on proof of delivery and refund on accepted return
(Buying.com §5.6-5.7; docs/specs/markets.md).

States and transitions (anything else is Rejected with a reason and changes nothing)::

    AWAITING_PAYMENT --pay_in--> FUNDED --release(proof of delivery)--> RELEASED
    RELEASED --request_return(customer's signed intent)--> RETURN_PENDING
        (the released tokens move from the vendor back into escrow)
    RETURN_PENDING --accept_return(vendor's signed acceptance)--> REFUNDED

The escrow's tokens sit in the ledger account ``escrow:<order>``; every transition is a
ledger transfer, so tokens are never created or lost. Signing keys of the customer,
vendor, driver and node are fixed when the escrow is opened.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocols.escrow.statements import (
    DeliveryRecord,
    ReturnAcceptance,
    ReturnIntent,
    verify_signatures,
)
from protocols.escrow.tokens import Rejected, TokenLedger

ROLES = ("customer", "vendor", "driver", "node")


class EscrowState(enum.Enum):
    AWAITING_PAYMENT = "awaiting payment"
    FUNDED = "funded"
    RELEASED = "released to vendor"
    RETURN_PENDING = "return pending"
    REFUNDED = "refunded to customer"


@dataclass(frozen=True)
class Parties:
    """Ledger accounts of the customer and vendor, and every role's public key."""

    customer: str
    vendor: str
    keys: Mapping[str, Ed25519PublicKey]


class Escrow:
    """The escrow of one order on a token ledger."""

    def __init__(self, ledger: TokenLedger, order_id: str, parties: Parties, amount: int) -> None:
        missing = [r for r in ROLES if r not in parties.keys]
        if missing:
            raise ValueError(f"escrow {order_id}: no public key for {', '.join(missing)}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"escrow {order_id}: amount must be a positive integer")
        self.ledger, self.order_id, self.parties, self.amount = ledger, order_id, parties, amount
        self.account = f"escrow:{order_id}"
        self.state = EscrowState.AWAITING_PAYMENT
        self.delivery: DeliveryRecord | None = None

    def _expect(self, state: EscrowState, action: str) -> None:
        if self.state is not state:
            raise Rejected(f"escrow {self.order_id}: cannot {action} while {self.state.value}")

    def _for_this_order(self, statement, what: str) -> None:
        if statement.order_id != self.order_id:
            raise Rejected(f"{what} is for order {statement.order_id!r}, not {self.order_id!r}")

    def pay_in(self) -> None:
        """The customer pays the order amount into escrow."""
        self._expect(EscrowState.AWAITING_PAYMENT, "pay in")
        self.ledger.transfer(self.parties.customer, self.account, self.amount)
        self.state = EscrowState.FUNDED

    def release(self, record: DeliveryRecord, signatures: Mapping[str, bytes]) -> None:
        """Release the funds to the vendor on a valid proof of delivery: signed by driver,
        customer and node, or by driver and node with a photo hash if the customer was absent."""
        self._expect(EscrowState.FUNDED, "release funds")
        self._for_this_order(record, "proof of delivery")
        record.check_fields()
        verify_signatures(record, record.required_roles(), signatures, self.parties.keys)
        self.ledger.transfer(self.account, self.parties.vendor, self.amount)
        self.delivery = record
        self.state = EscrowState.RELEASED

    def request_return(self, intent: ReturnIntent, signature: bytes) -> None:
        """The customer's signed intent to return: the released tokens go back into escrow."""
        self._expect(EscrowState.RELEASED, "start a return")
        self._for_this_order(intent, "return intent")
        verify_signatures(intent, ("customer",), {"customer": signature}, self.parties.keys)
        self.ledger.transfer(self.parties.vendor, self.account, self.amount)
        self.state = EscrowState.RETURN_PENDING

    def accept_return(self, acceptance: ReturnAcceptance, signature: bytes) -> None:
        """The vendor's signed acceptance of the returned goods: the customer is refunded."""
        self._expect(EscrowState.RETURN_PENDING, "refund")
        self._for_this_order(acceptance, "return acceptance")
        verify_signatures(acceptance, ("vendor",), {"vendor": signature}, self.parties.keys)
        self.ledger.transfer(self.account, self.parties.customer, self.amount)
        self.state = EscrowState.REFUNDED
