"""Who may create value and operators: the issuer's authorisations and the account holder's consent.

The ledger's genesis fixes one *issuer* key (the party that sells tokens and
admits utility operators; see the trust model in :mod:`protocols.ledger`).

* An account opening (:class:`AccountOpening`) carries the committed opening
  balance with a mandatory range proof that it lies in [0, 2^64), the account
  key's signature over (ledger id, account id, public key, commitment) — so no
  one can open an account under someone else's key — and the issuer's
  signature over the same fields — so no one can mint tokens.  The issuer
  signs only after checking the opening (balance, randomness) of the
  commitment against what was paid for (:func:`authorise_issuance`).
* An operator registration (:class:`OperatorRegistration`) carries the
  issuer's signature over (ledger id, operator id, operator key).

Every message names the ledger id, so an authorisation for one ledger is
worthless on another.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from protocols.ledger.transactions import MAX_ID_BYTES, SOLVENCY_BITS, prove_initial_balance, raw_public_key
from zkp.groups.base import Group

_ISSUE_DOMAIN = b"mpc-markets/ledger/issue-account/v1\x00"
_CONSENT_DOMAIN = b"mpc-markets/ledger/account-consent/v1\x00"
_OPERATOR_DOMAIN = b"mpc-markets/ledger/register-operator/v1\x00"


def _field(b: bytes, width: int) -> bytes:
    return len(b).to_bytes(width, "big") + b


def _id(s: str) -> bytes:
    if type(s) is not str or not s:
        raise ValueError("an id must be a non-empty str")
    b = s.encode("utf-8")
    if len(b) > MAX_ID_BYTES:
        raise ValueError(f"an id must be at most {MAX_ID_BYTES} bytes")
    return b


def account_fields(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes) -> bytes:
    """The fields both the account key and the issuer sign (without domain)."""
    return (_field(bytes(ledger_id), 1) + _field(_id(account_id), 2) + _field(bytes(public_key), 1)
            + _field(bytes(balance_commitment), 2))


def issuance_message(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes) -> bytes:
    return _ISSUE_DOMAIN + account_fields(ledger_id, account_id, public_key, balance_commitment)


def consent_message(ledger_id: bytes, account_id: str, public_key: bytes, balance_commitment: bytes) -> bytes:
    return _CONSENT_DOMAIN + account_fields(ledger_id, account_id, public_key, balance_commitment)


def registration_message(ledger_id: bytes, operator_id: str, public_key: bytes) -> bytes:
    return _OPERATOR_DOMAIN + _field(bytes(ledger_id), 1) + _field(_id(operator_id), 2) + _field(bytes(public_key), 1)


def verify_ed25519(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class AccountOpening:
    """A request to open ``account_id`` with a committed balance, signed by its holder and the issuer."""

    account_id: str
    public_key: bytes
    balance_commitment: bytes
    balance_proof: bytes
    account_signature: bytes
    issuer_signature: bytes

    def to_bytes(self) -> bytes:
        """Length-prefixed fields, for sending an opening to the party that writes the ledger."""
        return (_field(_id(self.account_id), 2) + _field(self.public_key, 1) + _field(self.balance_commitment, 2)
                + _field(self.balance_proof, 4) + _field(self.account_signature, 1) + _field(self.issuer_signature, 1))

    @classmethod
    def from_bytes(cls, data: bytes) -> "AccountOpening":
        """Inverse of :meth:`to_bytes` (ValueError unless ``data`` is exactly one opening)."""
        data, at, out = bytes(data), 0, []
        for width in (2, 1, 2, 4, 1, 1):
            if at + width > len(data):
                raise ValueError("account opening truncated")
            n = int.from_bytes(data[at:at + width], "big")
            at += width
            if at + n > len(data):
                raise ValueError("account opening truncated")
            out.append(data[at:at + n])
            at += n
        if at != len(data):
            raise ValueError("trailing bytes after the account opening")
        try:
            aid = out[0].decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("account id is not UTF-8") from None
        return cls(aid, *out[1:])


@dataclass(frozen=True)
class OperatorRegistration:
    """A request to register ``public_key`` as operator ``operator_id``, authorised by the issuer."""

    operator_id: str
    public_key: bytes
    issuer_signature: bytes


def authorise_issuance(issuer: Ed25519PrivateKey, group: Group, ledger_id: bytes, account_id: str,
                       public_key: bytes, balance: int, r_balance: int) -> bytes:
    """The issuer's signature on an opening balance of ``balance`` tokens, after checking it.

    The issuer is told the opening (balance, r) — it sold the tokens — and signs the
    commitment Cm(balance, r) it recomputes itself, so it never signs an amount it did
    not see.  ValueError if the balance is outside [0, 2^64).
    """
    if type(balance) is not int or not 0 <= balance < 1 << SOLVENCY_BITS:
        raise ValueError(f"the issuer only issues balances in [0, 2^{SOLVENCY_BITS})")
    cm = group.commit_point(balance, r_balance).to_bytes()
    return issuer.sign(issuance_message(ledger_id, account_id, public_key, cm))


def open_account_request(group: Group, ledger_id: bytes, account_id: str, signing_key: Ed25519PrivateKey,
                         balance: int, r_balance: int, issuer_signature: bytes) -> AccountOpening:
    """The holder's side: range proof of the opening balance and consent signature, with the issuer's signature."""
    pk = raw_public_key(signing_key)
    cm = group.commit_point(balance, r_balance).to_bytes()
    proof = prove_initial_balance(group, ledger_id, account_id, pk, balance, r_balance)
    consent = signing_key.sign(consent_message(ledger_id, account_id, pk, cm))
    return AccountOpening(account_id, pk, cm, proof, consent, bytes(issuer_signature))


def authorise_operator(issuer: Ed25519PrivateKey, ledger_id: bytes, operator_id: str,
                       public_key: bytes) -> OperatorRegistration:
    """The issuer admits ``public_key`` as operator ``operator_id`` on ledger ``ledger_id``."""
    sig = issuer.sign(registration_message(ledger_id, operator_id, public_key))
    return OperatorRegistration(operator_id, bytes(public_key), sig)
