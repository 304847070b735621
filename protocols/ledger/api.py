"""The ledger's thin interface: what a market protocol may ask of a ledger.

Seed paper §4.1 and Appendix D.2: an append-only ledger that holds operator
roots (signed Merkle roots of encrypted energy bills), accounts whose balances
are Pedersen commitments, multi-transactions that move committed amounts, and
recorded decisions.  The ledger verifies every proof and signature itself
before it appends anything; a submission that fails any check raises
:class:`LedgerRejected` and leaves no trace.

Every write returns the sequence number of the entry it appended.  Entries
form a hash chain (see :mod:`protocols.ledger.chain`), so a reader can check
the whole history with :meth:`Ledger.verify_chain`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zkp.groups.base import Group
from zkp.signatures import SignedRoot

if TYPE_CHECKING:  # pragma: no cover
    from protocols.ledger.transactions import MultiTransaction


class LedgerRejected(Exception):
    """A submission the ledger refused; nothing was recorded.

    ``reason`` is a short name of the check that failed (``"sum-proof"``,
    ``"nonce"``, ...); ``detail`` says what exactly was wrong.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class LedgerCorrupted(Exception):
    """The stored history fails verification (hash chain, encoding or derived state).

    ``seq`` is the sequence number of the first entry found bad, or None when
    the fault is not in one entry (an unreadable file, a state table that
    disagrees with the history).
    """

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message if seq is None else f"entry {seq}: {message}")
        self.seq = seq


@dataclass(frozen=True)
class AccountState:
    """An account as the ledger holds it: Ed25519 key, committed balance (encoded point), nonce."""

    account_id: str
    public_key: bytes
    balance_commitment: bytes
    nonce: int


@dataclass(frozen=True)
class Entry:
    """One link of the chain: ``hash = H(prev_hash, seq, kind, canonical payload)``."""

    seq: int
    kind: str
    payload: dict
    prev_hash: bytes
    hash: bytes


class Ledger(ABC):
    """A verifying, append-only ledger over one commitment group."""

    group: Group

    @abstractmethod
    def register_operator(self, operator_id: str, public_key: bytes) -> int:
        """Record an operator's raw 32-byte Ed25519 public key (once per operator id)."""

    @abstractmethod
    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        """Record a signed Merkle root after checking the operator's signature.

        Timestamps of one operator's roots must strictly increase, so an old
        root can never be republished as the latest one.
        """

    @abstractmethod
    def latest_root(self, operator_id: str) -> SignedRoot:
        """The operator's most recent root (LedgerRejected ``no-root`` if none)."""

    @abstractmethod
    def roots(self, operator_id: str) -> list[SignedRoot]:
        """All roots the operator published, oldest first."""

    @abstractmethod
    def operator_key(self, operator_id: str) -> bytes:
        """The operator's registered public key (LedgerRejected ``unknown-operator``)."""

    @abstractmethod
    def open_account(self, account_id: str, public_key: bytes, balance_commitment: bytes,
                     balance_proof: bytes | None = None) -> int:
        """Open an account with a committed initial balance.

        ``balance_proof``, when given, is a zkpNN that the balance lies in
        [0, 2^64) (see :func:`protocols.ledger.transactions.prove_initial_balance`);
        how the tokens were bought is outside the ledger.
        """

    @abstractmethod
    def account(self, account_id: str) -> AccountState:
        """Current state of an account (LedgerRejected ``unknown-account``)."""

    @abstractmethod
    def submit_multi_transaction(self, mtx: "MultiTransaction") -> int:
        """Verify signatures, nonces, zkpSum and every zkpNN, then move the committed amounts atomically."""

    @abstractmethod
    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        """Record a public decision (e.g. the join slot of a group purchase)."""

    @abstractmethod
    def entries(self) -> list[Entry]:
        """The whole history, oldest first."""

    @abstractmethod
    def verify_chain(self, deep: bool = False) -> None:
        """Raise LedgerCorrupted unless the history and the derived state are consistent.

        With ``deep`` every signature and proof in the history is verified again.
        """

    @abstractmethod
    def head(self) -> tuple[int, bytes]:
        """(sequence number, hash) of the last entry; pinning it detects truncation."""
