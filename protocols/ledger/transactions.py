"""Multi-transactions with concealed amounts (seed paper Appendix D.2).

A multi-transaction moves committed amounts between accounts: account i
"pays" Cm(φ_i, r_i) (φ_i > 0 pays, φ_i < 0 receives) and the ledger updates
Cm(bal_i) ← Cm(bal_i) − Cm(φ_i).  The seed routes every payment through a
dummy address with total zero; here that is the single check Σ φ_i = 0.

It carries

* a zkpSum that Σ Cm(φ_i, r_i) = Cm(0, Σ r_i), i.e. a Schnorr proof of
  knowledge of log_H of the sum (the MPC side supplies Σ r_i);
* per account a zkpNN that Cm(bal_i) − Cm(φ_i) commits to a value in
  [0, 2^64) — the new balance is non-negative (receivers prove it too);
* per account a nonce (equal to the account's current nonce) and an Ed25519
  signature over :meth:`MultiTransaction.body_bytes`.

Binding: the body holds the ledger id, an application ``context``, the number of
transfers and the Merkle root (RFC 9162 shape) over the ordered transfers, each leaf
naming the account, its committed amount and its nonce; every proof's Fiat–Shamir
context is a hash of the body (plus the account id for solvency proofs), so a proof
taken from another transaction, from another account of the same one, or from the same
payment on another ledger (whose accounts and nonces may well be equal), does not
verify.  Proofs and signatures depend only on the body, so parties may produce them in
any order; and an account holder needs only the body and its own leaf's inclusion path
(:meth:`MultiTransaction.signing_request`) to check what it signs, however many transfers
the transaction carries.

Committed integers are read modulo the group order q: φ < 0 is committed as
φ mod q, the MPC field's reading of signed values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from zkp.groups.base import Group
from zkp.merkle import MerkleTree, verify_inclusion
from zkp.pedersen import Commitment, Opening, commit
from zkp.sigma.base import NIProof, prove, verify, verify_batch
from zkp.sigma.nonnegative import RANGE, RangeStatement
from zkp.sigma.sum import SUM, SumStatement, SumWitness

#: the range of a balance after a transaction: [0, 2^SOLVENCY_BITS).
SOLVENCY_BITS = 64
#: transfers of one multi-transaction: with their proofs they must fit one ledger entry
#: (chain.MAX_MULTI_TRANSACTION_BYTES; tests/ledger/test_payload_limits.py checks the fit)
MAX_TRANSFERS = 20_000
MAX_ID_BYTES = 255
MAX_CONTEXT_BYTES = 1 << 16
#: range proofs verified together in one multi-scalar multiplication (about 190 points each)
BATCH = 500

_BODY_DOMAIN = b"mpc-markets/ledger/multi-transaction/v3\x00"
_TRANSFER_LEAF = b"mpc-markets/ledger/transfer/v1\x00"
_PROOF_DOMAIN = b"mpc-markets/ledger/multi-transaction-proof/v1\x00"
_OPEN_DOMAIN = b"mpc-markets/ledger/open-account/v2\x00"


@dataclass
class Transfer:
    """Account ``account_id`` pays the committed amount Cm(φ_i, r_i) (encoded point)."""

    account_id: str
    amount_commitment: bytes


@dataclass
class MultiTransaction:
    """Transfers plus the proofs and signatures the ledger checks before executing them."""

    transfers: list[Transfer]
    sum_proof: bytes = b""
    solvency_proofs: dict[str, bytes] = field(default_factory=dict)
    nonces: dict[str, int] = field(default_factory=dict)
    signatures: dict[str, bytes] = field(default_factory=dict)
    context: bytes = b""
    ledger_id: bytes = b""

    def account_ids(self) -> list[str]:
        return [t.account_id for t in self.transfers]

    def _checked_shape(self) -> tuple[bytes, bytes]:
        """(ledger id, context) after checking the shape; ValueError when malformed (no ledger
        id, no transfers, repeated or over-long ids, a transfer without a nonce or a nonce
        without a transfer, a nonce out of range)."""
        if not 1 <= len(self.transfers) <= MAX_TRANSFERS:
            raise ValueError(f"a multi-transaction needs 1..{MAX_TRANSFERS} transfers, got {len(self.transfers)}")
        ctx = bytes(self.context)
        if len(ctx) > MAX_CONTEXT_BYTES:
            raise ValueError("context too long")
        lid = bytes(self.ledger_id)
        if not 0 < len(lid) < 256:
            raise ValueError("the multi-transaction names no ledger id (see Ledger.ledger_id)")
        ids = self.account_ids()
        if len(set(ids)) != len(ids):
            raise ValueError("an account appears in more than one transfer")
        if set(self.nonces) != set(ids):
            raise ValueError("nonces must name exactly the accounts of the transfers")
        for aid, nonce in self.nonces.items():
            if isinstance(nonce, bool) or not isinstance(nonce, int) or not 0 <= nonce < 1 << 63:
                raise ValueError(f"nonce of {aid!r} must be an integer in [0, 2^63)")
        return lid, ctx

    def transfer_leaves(self) -> list[bytes]:
        return [transfer_leaf(t.account_id, bytes(t.amount_commitment), self.nonces[t.account_id])
                for t in self.transfers]

    def body_bytes(self) -> bytes:
        """Canonical bytes every account signs: domain, ledger id, context, number of transfers and
        the Merkle root over the transfers (account, Cm(φ_i), nonce) in transfer order.
        ValueError when the transaction is malformed."""
        lid, ctx = self._checked_shape()
        return body_bytes(lid, ctx, len(self.transfers), MerkleTree(self.transfer_leaves()).root)

    def signing_request(self, account_id: str) -> "SigningRequest":
        """What account `account_id` needs to check its transfer and sign: the body's parts and
        its own leaf's inclusion path (O(log n) hashes, not the whole transaction)."""
        lid, ctx = self._checked_shape()
        leaves = self.transfer_leaves()
        tree = MerkleTree(leaves)
        index = self.account_ids().index(account_id)
        t = self.transfers[index]
        return SigningRequest(lid, ctx, len(leaves), tree.root, index, tuple(tree.prove(index).path),
                              account_id, bytes(t.amount_commitment), self.nonces[account_id])

    def proof_context(self) -> bytes:
        """Fiat–Shamir context of the sum proof: SHA-256 of the body."""
        return proof_context(self.body_bytes())

    def solvency_context(self, account_id: str) -> bytes:
        """Fiat–Shamir context of one account's solvency proof (the body hash and the account id)."""
        return solvency_context(self.body_bytes(), account_id)


def transfer_leaf(account_id: str, amount_commitment: bytes, nonce: int) -> bytes:
    """One transfer as a leaf of the body's Merkle tree."""
    aid = _id_bytes(account_id)
    cm = bytes(amount_commitment)
    return (_TRANSFER_LEAF + len(aid).to_bytes(2, "big") + aid + len(cm).to_bytes(2, "big") + cm
            + nonce.to_bytes(8, "big"))


def body_bytes(ledger_id: bytes, context: bytes, count: int, root: bytes) -> bytes:
    return (_BODY_DOMAIN + len(ledger_id).to_bytes(1, "big") + ledger_id + len(context).to_bytes(4, "big") + context
            + count.to_bytes(4, "big") + root)


def proof_context(body: bytes) -> bytes:
    return hashlib.sha256(_PROOF_DOMAIN + body).digest()


def solvency_context(body: bytes, account_id: str) -> bytes:
    return hashlib.sha256(_PROOF_DOMAIN + b"solvency\x00" + _id_bytes(account_id) + proof_context(body)).digest()


@dataclass(frozen=True)
class SigningRequest:
    """One account's view of a multi-transaction: enough to check its own transfer is in the
    body and to sign and prove for it (see MultiTransaction.signing_request)."""

    ledger_id: bytes
    context: bytes
    count: int
    root: bytes
    index: int
    path: tuple[bytes, ...]
    account_id: str
    amount_commitment: bytes
    nonce: int

    def body_bytes(self) -> bytes:
        """The body, after checking that this account's transfer is leaf `index` of `count`;
        ValueError otherwise."""
        leaf = transfer_leaf(self.account_id, self.amount_commitment, self.nonce)
        if not verify_inclusion(self.root, leaf, list(self.path), index=self.index, tree_size=self.count):
            raise ValueError(f"the transfer of {self.account_id!r} is not in the body it was asked to sign")
        return body_bytes(self.ledger_id, self.context, self.count, self.root)


def _id_bytes(account_id: str) -> bytes:
    if not isinstance(account_id, str) or not account_id:
        raise ValueError("account id must be a non-empty string")
    b = account_id.encode("utf-8")
    if len(b) > MAX_ID_BYTES:
        raise ValueError(f"account id longer than {MAX_ID_BYTES} bytes")
    return b


@dataclass
class PartySecrets:
    """What one party knows: its amount φ with randomness, its balance opening, its signing key."""

    phi: int
    r_phi: int
    balance: int
    r_balance: int
    signing_key: Ed25519PrivateKey


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte Ed25519 public key the ledger stores."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def commit_amount(group: Group, phi: int, r: int | None = None) -> tuple[bytes, Opening]:
    """Cm(φ, r) as bytes with its opening (r drawn uniformly when not given)."""
    c, o = commit(group, phi, r)
    return c.to_bytes(), o


def new_multi_transaction(transfers: Sequence[Transfer], nonces: Mapping[str, int],
                          context: bytes = b"", *, ledger_id: bytes) -> MultiTransaction:
    """An unsigned, unproven multi-transaction for ledger ``ledger_id`` (checks that the body is well formed)."""
    mtx = MultiTransaction(list(transfers), nonces=dict(nonces), context=bytes(context), ledger_id=bytes(ledger_id))
    mtx.body_bytes()
    return mtx


def _transfer_commitment(group: Group, mtx: MultiTransaction, account_id: str) -> Commitment:
    for t in mtx.transfers:
        if t.account_id == account_id:
            return Commitment.from_bytes(group, t.amount_commitment)
    raise ValueError(f"account {account_id!r} has no transfer in this multi-transaction")


def solvency_statement(group: Group, balance_commitment: bytes, amount_commitment: bytes) -> RangeStatement:
    """The zkpNN statement: Cm(bal) − Cm(φ) commits to a value in [0, 2^SOLVENCY_BITS)."""
    c = Commitment.from_bytes(group, balance_commitment) - Commitment.from_bytes(group, amount_commitment)
    return RangeStatement(c, SOLVENCY_BITS)


def sum_statement(group: Group, mtx: MultiTransaction) -> SumStatement:
    """The zkpSum statement: the transfers' commitments sum to a commitment of 0."""
    return SumStatement(tuple(Commitment.from_bytes(group, t.amount_commitment) for t in mtx.transfers), 0)


def next_balance_opening(group: Group, balance: int, r_balance: int, phi: int, r_phi: int) -> tuple[int, int]:
    """The holder's opening of Cm(bal) − Cm(φ): (bal − φ, r_bal − r_φ mod q)."""
    return balance - phi, (r_balance - r_phi) % group.order


def prove_solvency(group: Group, mtx: MultiTransaction, account_id: str, balance: int, r_balance: int,
                   phi: int, r_phi: int, balance_commitment: bytes | None = None) -> bytes:
    """zkpNN that bal − φ ∈ [0, 2^64), bound to ``mtx`` and ``account_id``.

    ``balance_commitment`` defaults to Cm(balance, r_balance); pass the ledger's
    stored bytes to fail early if the holder's opening is stale.  ValueError if
    the new balance is out of range or the openings do not match.
    """
    cm_phi = _transfer_commitment(group, mtx, account_id)
    return prove_solvency_for_body(group, mtx.body_bytes(), account_id, cm_phi.to_bytes(), balance, r_balance,
                                   phi, r_phi, balance_commitment)


def prove_solvency_for_body(group: Group, body: bytes, account_id: str, amount_commitment: bytes, balance: int,
                            r_balance: int, phi: int, r_phi: int, balance_commitment: bytes | None = None) -> bytes:
    """prove_solvency from the body and the account's own transfer alone (an account holder
    that checked a SigningRequest)."""
    cm_phi = Commitment.from_bytes(group, amount_commitment)
    if group.commit_point(phi, r_phi) != cm_phi.point:
        raise ValueError(f"(φ, r) does not open the transfer commitment of {account_id!r}")
    bal_bytes = balance_commitment if balance_commitment is not None else group.commit_point(balance, r_balance).to_bytes()
    stmt = solvency_statement(group, bal_bytes, cm_phi.to_bytes())
    new_bal, new_r = next_balance_opening(group, balance, r_balance, phi, r_phi)
    if not 0 <= new_bal < 1 << SOLVENCY_BITS:
        raise ValueError(f"account {account_id!r} cannot pay: its balance after the transfer would be {new_bal}")
    proof = prove(RANGE, stmt, Opening(group.scalar(new_bal), new_r), solvency_context(body, account_id))
    return proof.to_bytes(stmt)


def verify_solvency_proof(group: Group, mtx: MultiTransaction, account_id: str, balance_commitment: bytes) -> bool:
    """Whether the account's solvency proof in ``mtx`` holds against this balance commitment."""
    try:
        stmt = solvency_statement(group, balance_commitment, _transfer_commitment(group, mtx, account_id).to_bytes())
        proof = NIProof.from_bytes(RANGE, stmt, mtx.solvency_proofs[account_id])
    except (KeyError, ValueError):
        return False
    return verify(RANGE, stmt, proof, mtx.solvency_context(account_id))


def prove_zero_sum(group: Group, mtx: MultiTransaction, rho_sum: int) -> bytes:
    """zkpSum that Σ φ_i = 0, from ρ = Σ r_i mod q (ValueError if Σ Cm(φ_i) ≠ ρ·H)."""
    stmt = sum_statement(group, mtx)
    return prove(SUM, stmt, SumWitness(group.scalar(rho_sum)), mtx.proof_context()).to_bytes(stmt)


def verify_sum_proof(group: Group, mtx: MultiTransaction) -> bool:
    """Whether ``mtx.sum_proof`` shows that the committed amounts sum to zero."""
    try:
        stmt = sum_statement(group, mtx)
        proof = NIProof.from_bytes(SUM, stmt, mtx.sum_proof)
    except ValueError:
        return False
    return verify(SUM, stmt, proof, mtx.proof_context())


def sign_multi_transaction(mtx: MultiTransaction, account_id: str, private_key: Ed25519PrivateKey) -> bytes:
    """The account holder's Ed25519 signature over the body."""
    if account_id not in mtx.account_ids():
        raise ValueError(f"account {account_id!r} has no transfer in this multi-transaction")
    return private_key.sign(mtx.body_bytes())


def verify_signature(public_key: bytes, mtx: MultiTransaction, account_id: str) -> bool:
    """Whether the account's signature over the body verifies under ``public_key``."""
    sig = mtx.signatures.get(account_id)
    if not isinstance(sig, (bytes, bytearray)):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(sig), mtx.body_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def build_multi_transaction(group: Group, parties: Mapping[str, PartySecrets], nonces: Mapping[str, int],
                            context: bytes = b"", rho_sum: int | None = None,
                            amount_commitments: Mapping[str, bytes] | None = None, *,
                            ledger_id: bytes) -> MultiTransaction:
    """A complete multi-transaction when one place knows every party's secrets (tests, simulations).

    Transfers follow the order of ``parties``.  ``rho_sum`` defaults to Σ r_φ
    (in the private protocol it comes out of the MPC); ``amount_commitments``
    defaults to Cm(φ_i, r_φ,i).  A real party calls :func:`prove_solvency` and
    :func:`sign_multi_transaction` for itself only.
    """
    transfers = []
    for aid, s in parties.items():
        cm = amount_commitments[aid] if amount_commitments is not None else group.commit_point(s.phi, s.r_phi).to_bytes()
        transfers.append(Transfer(aid, cm))
    mtx = new_multi_transaction(transfers, nonces, context, ledger_id=ledger_id)
    for aid, s in parties.items():
        mtx.solvency_proofs[aid] = prove_solvency(group, mtx, aid, s.balance, s.r_balance, s.phi, s.r_phi)
        mtx.signatures[aid] = sign_multi_transaction(mtx, aid, s.signing_key)
    rho = sum(s.r_phi for s in parties.values()) % group.order if rho_sum is None else rho_sum
    mtx.sum_proof = prove_zero_sum(group, mtx, rho)
    return mtx


def initial_balance_context(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes) -> bytes:
    """Fiat–Shamir context of the range proof given when an account is opened (bound to the ledger)."""
    aid = _id_bytes(account_id)
    lid = bytes(ledger_id)
    return hashlib.sha256(_OPEN_DOMAIN + len(lid).to_bytes(1, "big") + lid + len(aid).to_bytes(2, "big") + aid
                          + bytes(public_key) + bytes(balance_commitment)).digest()


def prove_initial_balance(group: Group, ledger_id: bytes, account_id: str, public_key: bytes, balance: int,
                          r_balance: int) -> bytes:
    """zkpNN that an account's opening balance lies in [0, 2^64) (ValueError if it does not)."""
    if not 0 <= balance < 1 << SOLVENCY_BITS:
        raise ValueError(f"an opening balance must lie in [0, 2^{SOLVENCY_BITS}), got {balance}")
    c = Commitment(group.commit_point(balance, r_balance))
    stmt = RangeStatement(c, SOLVENCY_BITS)
    ctx = initial_balance_context(ledger_id, account_id, public_key, c.to_bytes())
    return prove(RANGE, stmt, Opening(group.scalar(balance), group.scalar(r_balance)), ctx).to_bytes(stmt)


def verify_initial_balance(group: Group, ledger_id: bytes, account_id: str, public_key: bytes,
                           balance_commitment: bytes, proof: bytes) -> bool:
    """Whether ``proof`` shows the committed opening balance is in [0, 2^64)."""
    try:
        stmt = RangeStatement(Commitment.from_bytes(group, balance_commitment), SOLVENCY_BITS)
        p = NIProof.from_bytes(RANGE, stmt, proof)
    except ValueError:
        return False
    return verify(RANGE, stmt, p, initial_balance_context(ledger_id, account_id, public_key, balance_commitment))


def balance_proof_key(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes,
                      proof: bytes) -> bytes:
    """A collision-resistant name for one opening-balance proof with everything it is bound to."""
    h = hashlib.sha256(b"mpc-markets/ledger/balance-proof-key/v1")
    for part in (bytes(ledger_id), _id_bytes(account_id), bytes(public_key), bytes(balance_commitment), bytes(proof)):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.digest()


def verify_initial_balances(group: Group, ledger_id: bytes,
                            openings: Sequence[tuple[str, bytes, bytes, bytes]]) -> set[bytes]:
    """The keys (balance_proof_key) of the opening-balance proofs among ``openings`` (account id,
    public key, balance commitment, proof) that verify, checked together in batches of
    ``BATCH`` (one multi-scalar multiplication each, 2^-128 per false proof); a batch that fails
    contributes none of its keys, and its proofs are left to the one-by-one check."""
    keyed = []
    for aid, pk, cm, proof in openings:
        try:
            stmt = RangeStatement(Commitment.from_bytes(group, cm), SOLVENCY_BITS)
            item = (RANGE, stmt, NIProof.from_bytes(RANGE, stmt, proof),
                    initial_balance_context(ledger_id, aid, pk, cm))
        except (ValueError, TypeError):
            continue
        keyed.append((balance_proof_key(ledger_id, aid, pk, cm, proof), item))
    ok: set[bytes] = set()
    for at in range(0, len(keyed), BATCH):
        part = keyed[at:at + BATCH]
        if verify_batch([item for _, item in part]):
            ok.update(k for k, _ in part)
    return ok
