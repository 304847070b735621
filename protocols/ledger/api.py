"""The ledger's thin interface: what a market protocol may ask of a ledger.

Seed paper §4.1 and Appendix D.2: an append-only ledger that holds operator
roots (signed Merkle roots of encrypted energy bills), accounts whose balances
are Pedersen commitments, multi-transactions that move committed amounts, and
recorded decisions.  The ledger verifies every proof and signature itself
before it appends anything; a submission that fails any check raises
:class:`LedgerRejected` and leaves no trace.

Every write returns the sequence number of the entry it appended.  Each
ledger has a random :attr:`Ledger.ledger_id`, fixed at its creation, that
transaction bodies, account openings, operator registrations and root
signatures name, so nothing signed for one ledger is accepted by another.

Changes to this interface (for adapters, e.g. an EVM ledger), format 2:

* new: the abstract property :attr:`Ledger.ledger_id` (bytes);
* :meth:`Ledger.register_operator` takes an issuer-signed
  :class:`~protocols.ledger.issuance.OperatorRegistration` (was: id, key);
* :meth:`Ledger.open_account` takes an
  :class:`~protocols.ledger.issuance.AccountOpening` (was: id, key,
  commitment, optional proof) — the range proof, the account key's signature
  and the issuer's signature are all mandatory;
* :meth:`Ledger.publish_root`: the :class:`~zkp.signatures.SignedRoot` now
  names its operator id, ledger id and epoch, which must match;
* :meth:`Ledger.verify_chain` takes ``check_proofs=True`` (was ``deep=False``):
  full verification is the default, skipping proofs is the explicit exception;
* :class:`Entry` gained ``signature`` (the writer's signature on ``hash``).

Replication across parties (:mod:`protocols.ledger.replica`) and pinned heads
(:mod:`protocols.ledger.pins`) are not part of this interface: an adapter
whose ledger is already replicated (a blockchain) only needs :meth:`head` to
take part in the session's head comparison.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zkp.groups.base import Group
from zkp.signatures import SignedRoot

if TYPE_CHECKING:  # pragma: no cover
    from protocols.ledger.issuance import AccountOpening, OperatorRegistration
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
    """The stored history fails verification (schema, hash chain, writer signatures, rules, pinned head).

    ``seq`` is the sequence number of the first entry found bad, or None when
    the fault is not in one entry (an unreadable file, an unexpected schema,
    a head that does not extend the pinned one).
    """

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message if seq is None else f"entry {seq}: {message}")
        self.seq = seq


#: what a party's ledger may raise when it writes on behalf of a session: a refused request, or
#: its own file found broken. Both are named to every party (Session.act_and_agree), which
#: then abort together instead of the writer exiting with a traceback.
WRITE_FAILURES = (LedgerRejected, LedgerCorrupted)


@dataclass(frozen=True)
class AccountState:
    """An account as the ledger holds it: Ed25519 key, committed balance (encoded point), nonce."""

    account_id: str
    public_key: bytes
    balance_commitment: bytes
    nonce: int


@dataclass(frozen=True)
class Entry:
    """One verified link of the chain: ``hash = H(prev_hash, seq, kind, canonical payload)``,
    ``signature`` = the ledger writer's Ed25519 signature on ``hash``."""

    seq: int
    kind: str
    payload: dict
    prev_hash: bytes
    hash: bytes
    signature: bytes


class Ledger(ABC):
    """A verifying, append-only ledger over one commitment group."""

    group: Group

    @property
    @abstractmethod
    def ledger_id(self) -> bytes:
        """The random id fixed at creation; bind every transaction body and root signature to it."""

    @abstractmethod
    def register_operator(self, registration: "OperatorRegistration") -> int:
        """Record an operator's raw 32-byte Ed25519 key (once per id), if the issuer authorised it."""

    @abstractmethod
    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        """Record a signed Merkle root after checking the operator's signature.

        The root must name this operator and this ledger; its epoch and timestamp
        must strictly increase per operator, so an old root can never be
        republished as the latest one.
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
    def open_account(self, opening: "AccountOpening") -> int:
        """Open an account with a committed initial balance.

        The opening carries a zkpNN that the balance lies in [0, 2^64), the
        account key's signature and the issuer's signature over (ledger id,
        account id, key, commitment); see :mod:`protocols.ledger.issuance`.
        """

    @abstractmethod
    def account(self, account_id: str) -> AccountState:
        """Current state of an account (LedgerRejected ``unknown-account``)."""

    @abstractmethod
    def submit_multi_transaction(self, mtx: "MultiTransaction") -> int:
        """Verify ledger id, signatures, nonces, zkpSum and every zkpNN, then move the committed amounts atomically."""

    @abstractmethod
    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        """Record a public decision (e.g. the join slot of a group purchase)."""

    @abstractmethod
    def entries(self) -> list[Entry]:
        """The whole verified history, oldest first."""

    @abstractmethod
    def verify_chain(self, check_proofs: bool = True) -> None:
        """Verify the stored history again from scratch; raise LedgerCorrupted unless it holds.

        With ``check_proofs=False`` the account, issuer and operator signatures and
        the zero-knowledge proofs are taken on the writer's word (its signature).
        """

    @abstractmethod
    def head(self) -> tuple[int, bytes]:
        """(sequence number, hash) of the last entry; pinning it detects truncation."""
