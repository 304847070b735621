"""The ledger's acceptance rules, shared by writes and by the replay that checks a stored history.

Each ``check_*`` function looks at the current state through a :class:`StateView`,
raises :class:`LedgerRejected` naming the failed check, and otherwise returns
the state changes ("effects") the entry causes.  The SQLite ledger applies the
effects to its tables inside the write's transaction; :class:`MemoryState`
applies them when the history is replayed on open, so the stored tables can be
compared with what the history implies.

Payload codecs turn requests into the JSON stored in the chain and back;
bytes are lowercase hex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocols.ledger.api import AccountState, LedgerRejected
from protocols.ledger.chain import check_json_value
from protocols.ledger.transactions import (MAX_ID_BYTES, MultiTransaction, Transfer, verify_initial_balance,
                                           verify_signature, verify_solvency_proof, verify_sum_proof)
from zkp.groups.base import Group
from zkp.pedersen import Commitment
from zkp.sigma.base import verify_batch, NIProof
from zkp.sigma.nonnegative import RANGE
from zkp.signatures import SignedRoot, verify_signed_root

MAX_DECISION_KIND = 100


class StateView(Protocol):
    def operator_key(self, operator_id: str) -> bytes | None: ...

    def last_root_timestamp(self, operator_id: str) -> int | None: ...

    def account_state(self, account_id: str) -> AccountState | None: ...


@dataclass(frozen=True)
class NewOperator:
    operator_id: str
    public_key: bytes


@dataclass(frozen=True)
class NewRoot:
    operator_id: str
    signed_root: SignedRoot


@dataclass(frozen=True)
class NewAccount:
    state: AccountState


@dataclass(frozen=True)
class AccountUpdate:
    account_id: str
    balance_commitment: bytes
    nonce: int


Effect = NewOperator | NewRoot | NewAccount | AccountUpdate


def _check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value.encode("utf-8")) > MAX_ID_BYTES:
        raise LedgerRejected("malformed", f"{what} must be a non-empty string of at most {MAX_ID_BYTES} bytes")
    return value


def _check_ed25519(public_key: Any, what: str) -> bytes:
    if not isinstance(public_key, (bytes, bytearray)) or len(public_key) != 32:
        raise LedgerRejected("malformed", f"{what} must be a raw 32-byte Ed25519 public key")
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key))
    except ValueError:
        raise LedgerRejected("malformed", f"{what} is not a valid Ed25519 public key") from None
    return bytes(public_key)


def _decode_point(group: Group, data: Any, what: str) -> Commitment:
    if not isinstance(data, (bytes, bytearray)):
        raise LedgerRejected("bad-commitment", f"{what} must be bytes")
    try:
        return Commitment.from_bytes(group, bytes(data))
    except ValueError as exc:
        raise LedgerRejected("bad-commitment", f"{what} is not a point of {group.name}: {exc}") from None


# -- rules ---------------------------------------------------------------------------------------

def check_register_operator(view: StateView, operator_id: str, public_key: bytes) -> list[Effect]:
    _check_id(operator_id, "operator id")
    key = _check_ed25519(public_key, "operator public key")
    if view.operator_key(operator_id) is not None:
        raise LedgerRejected("duplicate-operator", f"operator {operator_id!r} is already registered")
    return [NewOperator(operator_id, key)]


def check_publish_root(view: StateView, operator_id: str, signed_root: SignedRoot, verify: bool = True) -> list[Effect]:
    if not isinstance(signed_root, SignedRoot):
        raise LedgerRejected("malformed", "signed_root must be a zkp.signatures.SignedRoot")
    key = view.operator_key(operator_id)
    if key is None:
        raise LedgerRejected("unknown-operator", f"operator {operator_id!r} is not registered")
    try:
        signed_root.to_bytes()
    except (ValueError, TypeError, AttributeError) as exc:
        raise LedgerRejected("malformed", f"signed root: {exc}") from None
    if len(signed_root.signature) != 64:
        raise LedgerRejected("malformed", "signed root: the signature must be 64 bytes")
    if verify and not verify_signed_root(key, signed_root):
        raise LedgerRejected("operator-signature",
                             f"the signature on the root does not verify under operator {operator_id!r}'s key")
    last = view.last_root_timestamp(operator_id)
    if last is not None and signed_root.timestamp <= last:
        raise LedgerRejected("root-timestamp", f"timestamp {signed_root.timestamp} is not after the operator's "
                                               f"previous root ({last})")
    return [NewRoot(operator_id, signed_root)]


def check_open_account(view: StateView, group: Group, account_id: str, public_key: bytes,
                       balance_commitment: bytes, balance_proof: bytes | None, verify: bool = True) -> list[Effect]:
    _check_id(account_id, "account id")
    key = _check_ed25519(public_key, "account public key")
    cm = _decode_point(group, balance_commitment, "balance commitment")
    if view.account_state(account_id) is not None:
        raise LedgerRejected("duplicate-account", f"account {account_id!r} already exists")
    if balance_proof is not None:
        if not isinstance(balance_proof, (bytes, bytearray)):
            raise LedgerRejected("malformed", "balance proof must be bytes")
        if verify and not verify_initial_balance(group, account_id, key, cm.to_bytes(), bytes(balance_proof)):
            raise LedgerRejected("balance-proof", f"the range proof of {account_id!r}'s opening balance fails")
    return [NewAccount(AccountState(account_id, key, cm.to_bytes(), 0))]


def check_multi_transaction(view: StateView, group: Group, mtx: MultiTransaction, verify: bool = True) -> list[Effect]:
    """All checks of Appendix D.2 plus signatures and nonces; effects = new balances and nonces.

    Order: shape, accounts, nonces, signatures, then the (costlier) zkpSum and zkpNN.
    """
    if not isinstance(mtx, MultiTransaction):
        raise LedgerRejected("malformed", "expected a MultiTransaction")
    if not isinstance(mtx.transfers, list) or not all(isinstance(t, Transfer) for t in mtx.transfers):
        raise LedgerRejected("malformed", "transfers must be a list of Transfer")
    ids = [t.account_id for t in mtx.transfers]
    for aid in ids:
        _check_id(aid, "account id")
    if len(set(ids)) != len(ids):
        raise LedgerRejected("duplicate-transfer", "an account appears in more than one transfer")
    for name, d in (("nonces", mtx.nonces), ("signatures", mtx.signatures), ("solvency_proofs", mtx.solvency_proofs)):
        if not isinstance(d, dict) or set(d) != set(ids):
            missing = sorted(set(ids) - set(d)) if isinstance(d, dict) else ids
            extra = sorted(set(d) - set(ids)) if isinstance(d, dict) else []
            raise LedgerRejected("malformed", f"{name} must name exactly the accounts of the transfers "
                                              f"(missing {missing}, extra {extra})")
    try:
        mtx.body_bytes()
    except (ValueError, TypeError) as exc:
        raise LedgerRejected("malformed", str(exc)) from None
    amounts = {t.account_id: _decode_point(group, t.amount_commitment, f"amount commitment of {t.account_id!r}")
               for t in mtx.transfers}
    states: dict[str, AccountState] = {}
    for aid in ids:
        st = view.account_state(aid)
        if st is None:
            raise LedgerRejected("unknown-account", f"account {aid!r} does not exist")
        states[aid] = st
    for aid in ids:
        if mtx.nonces[aid] != states[aid].nonce:
            raise LedgerRejected("nonce", f"account {aid!r}: nonce {mtx.nonces[aid]} but the ledger expects "
                                          f"{states[aid].nonce} (replayed or out-of-order transaction)")
    if verify:
        for aid in ids:
            if not verify_signature(states[aid].public_key, mtx, aid):
                raise LedgerRejected("signature", f"account {aid!r}: the signature over the transaction body "
                                                  f"does not verify under the account's key")
        if not verify_sum_proof(group, mtx):
            raise LedgerRejected("sum-proof", "the zkpSum does not show that the transferred amounts sum to 0")
        _check_solvency(group, mtx, ids, states)
    effects: list[Effect] = []
    for aid in ids:
        new_balance = Commitment.from_bytes(group, states[aid].balance_commitment) - amounts[aid]
        effects.append(AccountUpdate(aid, new_balance.to_bytes(), states[aid].nonce + 1))
    return effects


def _check_solvency(group: Group, mtx: MultiTransaction, ids: list[str], states: dict[str, AccountState]) -> None:
    """Every zkpNN, batch-verified; on failure the individual checks name the first bad account."""
    from protocols.ledger.transactions import solvency_statement

    items = []
    try:
        for aid in ids:
            if not isinstance(mtx.solvency_proofs[aid], (bytes, bytearray)):
                raise ValueError("not bytes")
            stmt = solvency_statement(group, states[aid].balance_commitment,
                                      next(t.amount_commitment for t in mtx.transfers if t.account_id == aid))
            items.append((RANGE, stmt, NIProof.from_bytes(RANGE, stmt, bytes(mtx.solvency_proofs[aid])),
                          mtx.solvency_context(aid)))
        if verify_batch(items):
            return
    except ValueError:
        pass
    for aid in ids:
        if not verify_solvency_proof(group, mtx, aid, states[aid].balance_commitment):
            raise LedgerRejected("solvency-proof", f"account {aid!r}: the zkpNN does not show a balance in "
                                                   f"[0, 2^64) after the transfer (overdraft or bad proof)")
    raise LedgerRejected("solvency-proof", "the batched solvency proofs fail")  # pragma: no cover


def check_decision(kind: str, payload: dict) -> None:
    if not isinstance(kind, str) or not kind or len(kind) > MAX_DECISION_KIND:
        raise LedgerRejected("decision", f"decision kind must be a non-empty string of at most {MAX_DECISION_KIND} characters")
    if not isinstance(payload, dict):
        raise LedgerRejected("decision", "decision payload must be a dict")
    try:
        check_json_value(payload)
    except ValueError as exc:
        raise LedgerRejected("decision", str(exc)) from None


# -- payload codecs ----------------------------------------------------------------------------

def _hex(b: bytes) -> str:
    return bytes(b).hex()


def _unhex(s: Any) -> bytes:
    if not isinstance(s, str):
        raise ValueError("expected a hex string")
    return bytes.fromhex(s)


def operator_payload(operator_id: str, public_key: bytes) -> dict:
    return {"operator_id": operator_id, "public_key": _hex(public_key)}


def root_payload(operator_id: str, signed_root: SignedRoot) -> dict:
    return {"operator_id": operator_id, "signed_root": _hex(signed_root.to_bytes()),
            "root": _hex(signed_root.root), "tree_size": signed_root.tree_size, "timestamp": signed_root.timestamp}


def account_payload(account_id: str, public_key: bytes, balance_commitment: bytes, balance_proof: bytes | None) -> dict:
    return {"account_id": account_id, "public_key": _hex(public_key), "balance_commitment": _hex(balance_commitment),
            "balance_proof": None if balance_proof is None else _hex(balance_proof)}


def mtx_payload(mtx: MultiTransaction) -> dict:
    return {
        "transfers": [{"account_id": t.account_id, "amount_commitment": _hex(t.amount_commitment)} for t in mtx.transfers],
        "nonces": dict(mtx.nonces),
        "context": _hex(mtx.context),
        "sum_proof": _hex(mtx.sum_proof),
        "solvency_proofs": {k: _hex(v) for k, v in mtx.solvency_proofs.items()},
        "signatures": {k: _hex(v) for k, v in mtx.signatures.items()},
    }


def decision_payload(kind: str, payload: dict) -> dict:
    return {"kind": kind, "payload": payload}


def mtx_from_payload(p: dict) -> MultiTransaction:
    return MultiTransaction(
        transfers=[Transfer(t["account_id"], _unhex(t["amount_commitment"])) for t in p["transfers"]],
        sum_proof=_unhex(p["sum_proof"]),
        solvency_proofs={k: _unhex(v) for k, v in p["solvency_proofs"].items()},
        nonces=dict(p["nonces"]),
        signatures={k: _unhex(v) for k, v in p["signatures"].items()},
        context=_unhex(p["context"]),
    )


def replay_entry(view: StateView, group: Group, kind: str, p: dict, deep: bool) -> list[Effect]:
    """The effects of a stored entry, re-checking it against the replayed state.

    Raises LedgerRejected (the entry breaks a rule) or KeyError/ValueError/TypeError
    (the payload is not what this kind stores).
    """
    if kind == "register_operator":
        return check_register_operator(view, p["operator_id"], _unhex(p["public_key"]))
    if kind == "publish_root":
        sr = SignedRoot.from_bytes(_unhex(p["signed_root"]))
        if (_hex(sr.root), sr.tree_size, sr.timestamp) != (p["root"], p["tree_size"], p["timestamp"]):
            raise ValueError("the readable root fields disagree with the signed root")
        return check_publish_root(view, p["operator_id"], sr, verify=deep)
    if kind == "open_account":
        proof = None if p["balance_proof"] is None else _unhex(p["balance_proof"])
        return check_open_account(view, group, p["account_id"], _unhex(p["public_key"]),
                                  _unhex(p["balance_commitment"]), proof, verify=deep)
    if kind == "multi_transaction":
        return check_multi_transaction(view, group, mtx_from_payload(p), verify=deep)
    if kind == "decision":
        check_decision(p["kind"], p["payload"])
        return []
    raise ValueError(f"unexpected entry kind {kind!r}")


class MemoryState:
    """The state a history implies, built by replaying it (a :class:`StateView`)."""

    def __init__(self) -> None:
        self.operators: dict[str, bytes] = {}
        self.roots: dict[str, list[SignedRoot]] = {}
        self.accounts: dict[str, AccountState] = {}

    def operator_key(self, operator_id: str) -> bytes | None:
        return self.operators.get(operator_id)

    def last_root_timestamp(self, operator_id: str) -> int | None:
        rs = self.roots.get(operator_id)
        return rs[-1].timestamp if rs else None

    def account_state(self, account_id: str) -> AccountState | None:
        return self.accounts.get(account_id)

    def apply(self, effects: list[Effect]) -> None:
        for e in effects:
            if isinstance(e, NewOperator):
                self.operators[e.operator_id] = e.public_key
            elif isinstance(e, NewRoot):
                self.roots.setdefault(e.operator_id, []).append(e.signed_root)
            elif isinstance(e, NewAccount):
                self.accounts[e.state.account_id] = e.state
            elif isinstance(e, AccountUpdate):
                old = self.accounts[e.account_id]
                self.accounts[e.account_id] = AccountState(old.account_id, old.public_key, e.balance_commitment, e.nonce)
