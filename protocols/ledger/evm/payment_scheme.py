"""How an account holder signs and proves for a given ledger: ``payment_scheme(ledger)``.

A protocol that pays through a ledger (the energy flagship's Stage 0 and Stage 4) asks the
ledger for its scheme instead of branching on the ledger's type:

* :class:`StandardScheme` — the SQLite ledger's: Ed25519 account keys, SHAKE-256 Fiat–Shamir
  proofs (:mod:`protocols.ledger.transactions`, :mod:`protocols.ledger.issuance`); also what
  an EVM ledger in mode "writer" takes (the writer checks them off chain);
* :class:`EvmScheme` — modes "onchain" (a) and "attested" (b) of the EVM ledger: secp256k1
  account keys (``ecrecover`` on chain) and compact SHA-256 proofs (:mod:`zkp.evm_proofs`).

Both keep the account's secret as the holder's one 32-byte Ed25519 seed (the wallet's
``signing_key``); the EVM scheme derives its secp256k1 key from it (:func:`evm_account_key`),
so a household's wallet file is the same whatever ledger it pays on.

Order of a payment, the same for every scheme (``protocols.energy.private.payments.pay``):
every holder proves solvency, everyone checks every proof, *then* every holder signs — in
mode (b) the signed digest covers the hash of all range proofs (the holders attest that they
checked them), so signing first would be signing blind.

This interface belongs beside :class:`protocols.ledger.api.Ledger` (an optional method
``payment_scheme()`` with :class:`StandardScheme` as the default); until the ABC has it,
:func:`payment_scheme` supplies the default for ledgers without the method.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from protocols.ledger import issuance, transactions
from protocols.ledger.issuance import AccountOpening
from protocols.ledger.transactions import MultiTransaction
from zkp.groups.base import Group

_EVM_KEY_DOMAIN = b"mpc-markets/evm-account-key/v1\x00"


class PaymentScheme(Protocol):
    """What a holder and a co-signer do for one ledger; every method is pure (no ledger I/O)."""

    name: str

    def public_key(self, signing_key: Ed25519PrivateKey) -> bytes: ...

    def open_account_request(self, group: Group, ledger_id: bytes, account_id: str,
                             signing_key: Ed25519PrivateKey, balance: int, r_balance: int,
                             issuer_signature: bytes) -> AccountOpening: ...

    def prove_solvency(self, group: Group, mtx: MultiTransaction, account_id: str, balance: int, r_balance: int,
                       phi: int, r_phi: int, balance_commitment: bytes) -> bytes: ...

    def verify_solvency(self, group: Group, mtx: MultiTransaction, account_id: str,
                        balance_commitment: bytes) -> bool: ...

    def sign(self, mtx: MultiTransaction, account_id: str, signing_key: Ed25519PrivateKey) -> bytes: ...

    def verify_signature(self, public_key: bytes, mtx: MultiTransaction, account_id: str) -> bool: ...

    def prove_zero_sum(self, group: Group, mtx: MultiTransaction, rho: int) -> bytes: ...


class StandardScheme:
    """Ed25519 keys and SHAKE-256 proofs: the SQLite ledger's rules, unchanged."""

    name = "ed25519/shake256"

    def public_key(self, signing_key: Ed25519PrivateKey) -> bytes:
        return transactions.raw_public_key(signing_key)

    def open_account_request(self, group, ledger_id, account_id, signing_key, balance, r_balance, issuer_signature):
        return issuance.open_account_request(group, ledger_id, account_id, signing_key, balance, r_balance,
                                             issuer_signature)

    def prove_solvency(self, group, mtx, account_id, balance, r_balance, phi, r_phi, balance_commitment):
        return transactions.prove_solvency(group, mtx, account_id, balance, r_balance, phi, r_phi, balance_commitment)

    def verify_solvency(self, group, mtx, account_id, balance_commitment):
        return transactions.verify_solvency_proof(group, mtx, account_id, balance_commitment)

    def sign(self, mtx, account_id, signing_key):
        return transactions.sign_multi_transaction(mtx, account_id, signing_key)

    def verify_signature(self, public_key, mtx, account_id):
        return transactions.verify_signature(public_key, mtx, account_id)

    def prove_zero_sum(self, group, mtx, rho):
        return transactions.prove_zero_sum(group, mtx, rho)


def evm_account_key(signing_key: Ed25519PrivateKey):
    """The holder's secp256k1 key (coincurve), derived from its Ed25519 seed by a domain-separated
    SHA-256: one secret per wallet, a key per curve; neither key reveals the other."""
    import coincurve

    from protocols.ledger.evm.scheme import SECP256K1_N

    seed = signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    for counter in range(256):  # a zero or ≥ n digest has probability ≈ 2^-128; retry anyway
        d = int.from_bytes(hashlib.sha256(_EVM_KEY_DOMAIN + seed + bytes([counter])).digest(), "big")
        if 0 < d < SECP256K1_N:
            return coincurve.PrivateKey(d.to_bytes(32, "big"))
    raise ValueError("no secp256k1 key derivable from this seed")  # pragma: no cover


class EvmScheme:
    """secp256k1 signatures over the contract's batch digest and compact SHA-256 proofs (modes a, b).

    ``tag`` is the deployment's ledger tag (every digest and proof context contains it),
    ``mode`` its mode number; a multi-transaction's ``ledger_id`` must be the deployment's.
    """

    def __init__(self, tag: bytes, mode: int) -> None:
        from protocols.ledger.evm import encoding as enc

        if mode not in (enc.MODES["onchain"], enc.MODES["attested"]):
            raise ValueError("the EVM scheme serves modes onchain and attested")
        self.tag, self.mode = bytes(tag), mode
        self.name = f"secp256k1/sha256 ({enc.MODE_NAMES[mode]})"

    def public_key(self, signing_key: Ed25519PrivateKey) -> bytes:
        return evm_account_key(signing_key).public_key.format(compressed=True)

    def open_account_request(self, group, ledger_id, account_id, signing_key, balance, r_balance, issuer_signature):
        """The opening with a compact range proof (context: the tag, account, owner, commitment) and
        the holder's consent signature over SHA-256 of :func:`issuance.consent_message`."""
        from protocols.ledger.evm import encoding as enc
        from protocols.ledger.evm import scheme

        if bytes(ledger_id) != enc.ledger_id(self.tag):
            raise ValueError("this scheme serves another ledger")
        holder = scheme.EvmAccountHolder(account_id, evm_account_key(signing_key), balance, r_balance)
        return holder.account_opening(group, self.tag, issuer_signature)

    def prove_solvency(self, group, mtx, account_id, balance, r_balance, phi, r_phi, balance_commitment):
        from protocols.ledger.evm import scheme

        if group.commit_point(phi, r_phi).to_bytes() != scheme._amount(mtx, account_id):
            raise ValueError(f"(φ, r) does not open the transfer commitment of {account_id!r}")
        if not 0 <= balance - phi < 1 << transactions.SOLVENCY_BITS:
            raise ValueError(f"account {account_id!r} cannot pay: its balance after the transfer would be "
                             f"{balance - phi}")
        holder = scheme.EvmAccountHolder(account_id, None, balance, r_balance)
        return scheme.prove_solvency(group, self.tag, mtx, holder, phi, r_phi, balance_commitment)

    def verify_solvency(self, group, mtx, account_id, balance_commitment):
        from protocols.ledger.evm import scheme

        try:
            return scheme.verify_solvency(group, self.tag, mtx, account_id, balance_commitment)
        except ValueError:
            return False

    def sign(self, mtx, account_id, signing_key):
        """In mode (b) the digest covers every range proof in ``mtx``: call after checking them."""
        from protocols.ledger.evm import scheme

        return scheme.sign_digest(evm_account_key(signing_key), scheme.signing_digest(self.tag, mtx, self.mode))

    def verify_signature(self, public_key, mtx, account_id):
        from protocols.ledger.evm import scheme

        try:
            signer = scheme.recover(scheme.signing_digest(self.tag, mtx, self.mode), mtx.signatures[account_id])
            return signer is not None and signer == scheme.address_of(public_key)
        except (KeyError, ValueError):
            return False

    def prove_zero_sum(self, group, mtx, rho):
        from protocols.ledger.evm import scheme

        return scheme.prove_zero_sum(group, self.tag, mtx, self.mode, rho)


def payment_scheme(ledger: Any) -> PaymentScheme:
    """The scheme ``ledger`` asks for (its ``payment_scheme()``), else the standard one."""
    get = getattr(ledger, "payment_scheme", None)
    return get() if callable(get) else StandardScheme()
