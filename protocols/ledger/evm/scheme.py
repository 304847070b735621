"""The EVM-native transaction scheme of modes 1 and 2: secp256k1 account keys, compact SHA-256 proofs.

An account holder keys its account with a secp256k1 key (the contract stores
its Ethereum address and checks signatures with ``ecrecover``: 3,000 gas,
where Ed25519 has no precompile and would cost on the order of a million gas
in EVM code).  It signs the 32-byte batch digest of
:func:`protocols.ledger.evm.encoding.body_digest` directly (no EIP-191 prefix:
the digest is already domain-separated and bound to the deployment by the
ledger tag), with low-s (EIP-2) recoverable ECDSA; a signature is r ‖ s ‖ v
(65 bytes, v ∈ {27, 28}).

The proofs are :mod:`zkp.evm_proofs` (SHA-256 Fiat–Shamir, compact form):
the zero-sum proof's context is the batch digest, each range proof's context
the transfer's solvency key over the digest *without* attestation (so mode 2
can hash the proofs into the digest afterwards).

These are ordinary :class:`~protocols.ledger.transactions.MultiTransaction`
objects: ``signatures[aid]`` holds the 65-byte signature, ``sum_proof`` the
64-byte zero-sum proof, ``solvency_proofs[aid]`` the 10,304-byte range proof.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping, Sequence

import coincurve

from protocols.ledger.evm import encoding as enc
from protocols.ledger.issuance import AccountOpening, consent_message
from protocols.ledger.transactions import MultiTransaction, Transfer
from zkp import evm_proofs
from zkp.groups.base import Group

SOLVENCY_BITS = 64
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _keccak(data: bytes) -> bytes:
    from eth_utils import keccak  # installed with the evm extra (web3)

    return keccak(data)


def address_of(public_key: bytes) -> bytes:
    """The 20-byte Ethereum address of a secp256k1 public key (33-byte compressed or 65-byte form)."""
    try:
        pk = coincurve.PublicKey(bytes(public_key))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a secp256k1 public key: {exc}") from None
    return _keccak(pk.format(compressed=False)[1:])[12:]


def sign_digest(key: coincurve.PrivateKey, digest: bytes) -> bytes:
    """Low-s recoverable ECDSA over the 32-byte digest: r ‖ s ‖ v with v ∈ {27, 28}."""
    sig = key.sign_recoverable(digest, hasher=None)
    r, s, rec = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    if s > SECP256K1_N // 2:  # libsecp256k1 already normalises; kept so the rule is visible here
        s, rec = SECP256K1_N - s, rec ^ 1
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + rec])


def split_signature(sig: bytes) -> tuple[int, int, int]:
    """(v, r, s) as the contract's Signature struct takes them; ValueError if not 65 bytes."""
    if not isinstance(sig, (bytes, bytearray)) or len(sig) != 65:
        raise ValueError("an account signature is 65 bytes (r ‖ s ‖ v)")
    return sig[64], int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")


def recover(digest: bytes, sig: bytes) -> bytes | None:
    """The signer's address, or None (the contract's ecrecover, in Python)."""
    try:
        v, r, s = split_signature(sig)
        if v not in (27, 28) or not 0 < r < SECP256K1_N or not 0 < s <= SECP256K1_N // 2:
            return None
        pk = coincurve.PublicKey.from_signature_and_message(bytes(sig[:64]) + bytes([v - 27]), digest, hasher=None)
    except ValueError:
        return None
    return _keccak(pk.format(compressed=False)[1:])[12:]


@dataclass
class EvmAccountHolder:
    """An account holder of modes 1/2: its secp256k1 key and the opening of its committed balance."""

    account_id: str
    key: coincurve.PrivateKey
    balance: int
    r_balance: int

    @classmethod
    def fresh(cls, group: Group, account_id: str, balance: int) -> "EvmAccountHolder":
        return cls(account_id, coincurve.PrivateKey(), balance, group.random_scalar())

    @property
    def public_key(self) -> bytes:
        return self.key.public_key.format(compressed=True)

    @property
    def address(self) -> bytes:
        return address_of(self.public_key)

    def balance_commitment(self, group: Group) -> bytes:
        return group.commit_point(self.balance, self.r_balance).to_bytes()

    def opening_proof(self, group: Group, tag: bytes) -> bytes:
        """Range proof of the opening balance (checked on chain in mode 1, by the issuer in mode 2)."""
        cm = self.balance_commitment(group)
        ctx = enc.open_context(tag, self.account_id, self.address, cm)
        return evm_proofs.prove_range(group, group.decode(cm), self.balance, self.r_balance, SOLVENCY_BITS, ctx)

    def account_opening(self, group: Group, tag: bytes, issuer_signature: bytes) -> AccountOpening:
        """The opening request of modes 1/2: the compact range proof, the consent signature over
        :func:`consent_digest` and the issuer's signature (:func:`issuance.authorise_issuance`)."""
        cm = self.balance_commitment(group)
        consent = sign_digest(self.key, consent_digest(enc.ledger_id(tag), self.account_id, self.public_key, cm))
        return AccountOpening(self.account_id, self.public_key, cm, self.opening_proof(group, tag), consent,
                              bytes(issuer_signature))

    def settle(self, group: Group, phi: int, r_phi: int) -> None:
        """Update the opening after the ledger accepted a batch in which this account paid φ."""
        self.balance -= phi
        self.r_balance = (self.r_balance - r_phi) % group.order


def consent_digest(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes) -> bytes:
    """What an EVM account key signs to consent to its opening (ECDSA signs 32-byte digests)."""
    return hashlib.sha256(consent_message(ledger_id, account_id, public_key, balance_commitment)).digest()


def chain_transfers(mtx: MultiTransaction) -> list[enc.ChainTransfer]:
    return [enc.ChainTransfer.of(t.account_id, t.amount_commitment, mtx.nonces[t.account_id]) for t in mtx.transfers]


def proof_digest(tag: bytes, mtx: MultiTransaction) -> bytes:
    """The digest without attestation: the base of every range proof's context."""
    return enc.body_digest(tag, chain_transfers(mtx), enc.context_hash(mtx.context))


def signing_digest(tag: bytes, mtx: MultiTransaction, mode: int) -> bytes:
    """What every account holder signs and the zero-sum proof is bound to."""
    ts = chain_transfers(mtx)
    attest = enc.ZERO32 if mode == enc.MODES["onchain"] else attest_of(mtx)
    return enc.body_digest(tag, ts, enc.context_hash(mtx.context), attest)


def attest_of(mtx: MultiTransaction) -> bytes:
    ts = chain_transfers(mtx)
    return enc.attest_hash(ts, [mtx.solvency_proofs[t.account_id] for t in mtx.transfers])


def solvency_context(tag: bytes, mtx: MultiTransaction, account_id: str) -> bytes:
    ts = chain_transfers(mtx)
    digest = enc.body_digest(tag, ts, enc.context_hash(mtx.context))
    (t,) = [c for c, tr in zip(ts, mtx.transfers) if tr.account_id == account_id]
    return enc.solvency_key(digest, t)


def prove_solvency(group: Group, tag: bytes, mtx: MultiTransaction, holder: EvmAccountHolder, phi: int,
                   r_phi: int, balance_commitment: bytes) -> bytes:
    """Range proof that Cm(balance) − Cm(φ) commits to a value in [0, 2^64) (ValueError on overdraft)."""
    stmt = group.decode(balance_commitment) - group.decode(_amount(mtx, holder.account_id))
    return evm_proofs.prove_range(group, stmt, holder.balance - phi, holder.r_balance - r_phi, SOLVENCY_BITS,
                                  solvency_context(tag, mtx, holder.account_id))


def verify_solvency(group: Group, tag: bytes, mtx: MultiTransaction, account_id: str,
                    balance_commitment: bytes) -> bool:
    """What a co-signer checks in mode 2 (and the contract in mode 1) for one account."""
    try:
        stmt = group.decode(balance_commitment) - group.decode(_amount(mtx, account_id))
        proof = mtx.solvency_proofs[account_id]
    except (KeyError, ValueError):
        return False
    return evm_proofs.verify_range(group, stmt, proof, SOLVENCY_BITS, solvency_context(tag, mtx, account_id))


def _amount(mtx: MultiTransaction, account_id: str) -> bytes:
    for t in mtx.transfers:
        if t.account_id == account_id:
            return t.amount_commitment
    raise ValueError(f"account {account_id!r} has no transfer in this multi-transaction")


def prove_zero_sum(group: Group, tag: bytes, mtx: MultiTransaction, mode: int, rho: int) -> bytes:
    D = group.lincomb([group.decode(t.amount_commitment) for t in mtx.transfers], [1] * len(mtx.transfers))
    return evm_proofs.prove_zero_sum(group, D, rho, signing_digest(tag, mtx, mode))


def build_evm_multi_transaction(group: Group, tag: bytes, mode: int, holders: Mapping[str, EvmAccountHolder],
                                phis: Mapping[str, int], nonces: Mapping[str, int],
                                balance_commitments: Mapping[str, bytes], context: bytes = b"",
                                r_phi: Mapping[str, int] | None = None,
                                attesters: Sequence[str] | None = None) -> tuple[MultiTransaction, dict[str, int]]:
    """A complete batch when one place knows every holder's secrets (tests, benchmarks).

    Order of the real protocol: commit, prove solvency, (mode 2: every co-signer verifies every
    range proof, ``attesters`` default all), then sign the digest and prove the zero sum.
    Returns the batch and the r_φ used.
    """
    r_phi = dict(r_phi) if r_phi is not None else {aid: group.random_scalar() for aid in phis}
    mtx = MultiTransaction([Transfer(aid, group.commit_point(phis[aid], r_phi[aid]).to_bytes()) for aid in phis],
                           nonces={aid: int(nonces[aid]) for aid in phis}, context=bytes(context),
                           ledger_id=enc.ledger_id(tag))
    for aid in phis:
        mtx.solvency_proofs[aid] = prove_solvency(group, tag, mtx, holders[aid], phis[aid], r_phi[aid],
                                                  balance_commitments[aid])
    if mode == enc.MODES["attested"] and (attesters is None or attesters):
        # every co-signer runs this same check in the real protocol; in one process once is enough
        bad = [o for o in phis if not verify_solvency(group, tag, mtx, o, balance_commitments[o])]
        if bad:
            raise ValueError(f"the co-signers refuse to sign: the range proofs of {bad} do not verify")
    digest = signing_digest(tag, mtx, mode)
    for aid in phis:
        mtx.signatures[aid] = sign_digest(holders[aid].key, digest)
    mtx.sum_proof = prove_zero_sum(group, tag, mtx, mode, sum(r_phi.values()) % group.order)
    return mtx, r_phi
