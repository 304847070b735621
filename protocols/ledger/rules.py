"""The ledger's acceptance rules: one path from a payload's canonical bytes to the state changes it causes.

A write and the verification of a stored (or replicated) entry run the same
code: the writer turns the request into a payload dict (``encode_*``, which
accepts exact types only), serialises it to canonical JSON, parses those
bytes back, checks the parsed payload (:func:`check_entry`) and stores exactly
the bytes it checked.  So what the rules saw is what the ledger holds — an
object that compares as one value and serialises as another (an ``int``
subclass, say) cannot slip between the check and the store.

:func:`check_entry` looks at the current state through a :class:`StateView`,
raises :class:`LedgerRejected` naming the failed check, and otherwise returns
the effects of the entry, which :class:`MemoryState` applies.  With
``check_proofs=False`` (the explicit fast path of a reader that trusts the
writer's key) the account, issuer and operator signatures and the
zero-knowledge proofs are not re-verified; every structural and state rule
still is.

Bytes are lowercase hex in payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocols.ledger.api import AccountState, LedgerRejected
from protocols.ledger.chain import check_json_value, unhex
from protocols.ledger.issuance import (AccountOpening, OperatorRegistration, consent_message, issuance_message,
                                       registration_message, verify_ed25519)
from protocols.ledger.transactions import (MAX_ID_BYTES, MultiTransaction, Transfer, balance_proof_key,
                                           solvency_statement, verify_initial_balance, verify_signature, verify_solvency_proof,
                                           verify_sum_proof)
from zkp.groups.base import Group
from zkp.pedersen import Commitment
from zkp.sigma.base import NIProof, verify_batch
from zkp.sigma.nonnegative import RANGE
from zkp.signatures import SignedRoot, verify_signed_root

MAX_DECISION_KIND = 100


@dataclass(frozen=True)
class LedgerContext:
    """What every rule needs besides the state: the group and what the genesis fixed."""

    group: Group
    ledger_id: bytes
    issuer_key: bytes
    #: keys (transactions.balance_proof_key) of opening-balance range proofs already verified in
    #: a batch (VerifiedChain.preverify_openings): the rule takes each one once without
    #: verifying it again
    verified_balance_proofs: set = field(default_factory=set, compare=False)


class StateView(Protocol):
    def operator_key(self, operator_id: str) -> bytes | None: ...

    def last_root(self, operator_id: str) -> SignedRoot | None: ...

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


def _malformed(detail: str) -> LedgerRejected:
    return LedgerRejected("malformed", detail)


def _exact(value: Any, t: type, what: str) -> Any:
    if type(value) is not t:
        raise _malformed(f"{what} must be exactly {t.__name__}, not {type(value).__name__}")
    return value


def _check_id(value: Any, what: str) -> str:
    if type(value) is not str or not value:
        raise _malformed(f"{what} must be a non-empty str")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise _malformed(f"{what} is not valid Unicode") from None
    if size > MAX_ID_BYTES:
        raise _malformed(f"{what} must be at most {MAX_ID_BYTES} bytes")
    return value


def _check_ed25519(public_key: Any, what: str) -> bytes:
    if type(public_key) is not bytes or len(public_key) != 32:
        raise _malformed(f"{what} must be a raw 32-byte Ed25519 public key (bytes)")
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise _malformed(f"{what} is not a valid Ed25519 public key") from None
    return public_key


def _decode_point(group: Group, data: bytes, what: str) -> Commitment:
    try:
        return Commitment.from_bytes(group, data)
    except ValueError as exc:
        raise LedgerRejected("bad-commitment", f"{what} is not a point of {group.name}: {exc}") from None


def _fields(p: Any, names: set[str], what: str) -> dict:
    if type(p) is not dict or set(p) != names:
        got = sorted(p) if isinstance(p, dict) else type(p).__name__
        raise _malformed(f"{what} must have exactly the fields {sorted(names)}, got {got}")
    return p


def _bytes(p: dict, name: str, size: int | None = None) -> bytes:
    try:
        return unhex(p[name], size)
    except ValueError as exc:
        raise _malformed(f"{name}: {exc}") from None


def _hex(value: Any, what: str) -> str:
    return _exact(value, bytes, what).hex()


# -- request → payload (exact types only) ----------------------------------------------------

def encode_operator(reg: OperatorRegistration) -> dict:
    _exact(reg, OperatorRegistration, "registration")
    return {"operator_id": _check_id(reg.operator_id, "operator id"),
            "public_key": _hex(reg.public_key, "operator public key"),
            "issuer_signature": _hex(reg.issuer_signature, "issuer signature")}


def encode_root(operator_id: str, signed_root: SignedRoot) -> dict:
    _exact(signed_root, SignedRoot, "signed_root")
    try:
        raw = signed_root.to_bytes()
    except (ValueError, TypeError, AttributeError) as exc:
        raise _malformed(f"signed root: {exc}") from None
    return {"operator_id": _check_id(operator_id, "operator id"), "signed_root": raw.hex(),
            "root": signed_root.root.hex(), "tree_size": signed_root.tree_size, "timestamp": signed_root.timestamp,
            "epoch": signed_root.epoch}


def encode_account(opening: AccountOpening) -> dict:
    _exact(opening, AccountOpening, "account opening")
    return {"account_id": _check_id(opening.account_id, "account id"),
            "public_key": _hex(opening.public_key, "account public key"),
            "balance_commitment": _hex(opening.balance_commitment, "balance commitment"),
            "balance_proof": _hex(opening.balance_proof, "balance proof"),
            "account_signature": _hex(opening.account_signature, "account signature"),
            "issuer_signature": _hex(opening.issuer_signature, "issuer signature")}


def encode_mtx(mtx: MultiTransaction) -> dict:
    _exact(mtx, MultiTransaction, "multi-transaction")
    transfers = []
    for t in _exact(mtx.transfers, list, "transfers"):
        _exact(t, Transfer, "a transfer")
        transfers.append({"account_id": _check_id(t.account_id, "account id"),
                          "amount_commitment": _hex(t.amount_commitment, "amount commitment")})

    def per_account(d: Any, what: str, conv) -> dict:
        _exact(d, dict, what)
        return {_check_id(k, f"{what} key"): conv(v, f"{what}[{k!r}]") for k, v in d.items()}

    return {
        "ledger_id": _hex(mtx.ledger_id, "ledger id"),
        "transfers": transfers,
        "nonces": per_account(mtx.nonces, "nonces", lambda v, w: _exact(v, int, w)),
        "context": _hex(mtx.context, "context"),
        "sum_proof": _hex(mtx.sum_proof, "sum proof"),
        "solvency_proofs": per_account(mtx.solvency_proofs, "solvency_proofs", _hex),
        "signatures": per_account(mtx.signatures, "signatures", _hex),
    }


def encode_decision(kind: str, payload: dict) -> dict:
    if type(kind) is not str or not kind or len(kind) > MAX_DECISION_KIND:
        raise LedgerRejected("decision", f"decision kind must be a non-empty str of at most {MAX_DECISION_KIND} "
                                         f"characters")
    if type(payload) is not dict:
        raise LedgerRejected("decision", "decision payload must be a dict")
    try:
        check_json_value(payload)
    except ValueError as exc:
        raise LedgerRejected("decision", str(exc)) from None
    return {"kind": kind, "payload": payload}


# -- stored payload → checked effects ----------------------------------------------------------

def check_entry(ctx: LedgerContext, view: StateView, kind: str, p: dict, check_proofs: bool = True) -> list[Effect]:
    """The effects of an entry whose payload was parsed from canonical bytes, or LedgerRejected."""
    if kind == "register_operator":
        return _check_register_operator(ctx, view, p, check_proofs)
    if kind == "publish_root":
        return _check_publish_root(ctx, view, p, check_proofs)
    if kind == "open_account":
        return _check_open_account(ctx, view, p, check_proofs)
    if kind == "multi_transaction":
        return _check_multi_transaction(ctx, view, mtx_from_payload(p), check_proofs)
    if kind == "decision":
        _fields(p, {"kind", "payload"}, "decision")
        encode_decision(p["kind"], p["payload"])
        return []
    raise _malformed(f"entry kind {kind!r} cannot be appended")


def _check_register_operator(ctx: LedgerContext, view: StateView, p: dict, check_proofs: bool) -> list[Effect]:
    _fields(p, {"operator_id", "public_key", "issuer_signature"}, "operator registration")
    oid = _check_id(p["operator_id"], "operator id")
    key = _check_ed25519(_bytes(p, "public_key"), "operator public key")
    sig = _bytes(p, "issuer_signature")
    if view.operator_key(oid) is not None:
        raise LedgerRejected("duplicate-operator", f"operator {oid!r} is already registered")
    if check_proofs and not verify_ed25519(ctx.issuer_key, sig, registration_message(ctx.ledger_id, oid, key)):
        raise LedgerRejected("issuer-signature", f"the registration of operator {oid!r} is not authorised by the "
                                                 f"ledger's issuer key")
    return [NewOperator(oid, key)]


def _check_publish_root(ctx: LedgerContext, view: StateView, p: dict, check_proofs: bool) -> list[Effect]:
    _fields(p, {"operator_id", "signed_root", "root", "tree_size", "timestamp", "epoch"}, "published root")
    oid = _check_id(p["operator_id"], "operator id")
    try:
        sr = SignedRoot.from_bytes(_bytes(p, "signed_root"))
    except ValueError as exc:
        raise _malformed(f"signed root: {exc}") from None
    if (sr.root.hex(), sr.tree_size, sr.timestamp, sr.epoch) != (p["root"], p["tree_size"], p["timestamp"], p["epoch"]):
        raise _malformed("the readable root fields disagree with the signed root")
    key = view.operator_key(oid)
    if key is None:
        raise LedgerRejected("unknown-operator", f"operator {oid!r} is not registered")
    if sr.operator_id != oid:
        raise LedgerRejected("operator-id", f"the root is signed for operator {sr.operator_id!r}, not {oid!r}")
    if sr.ledger_id != ctx.ledger_id:
        raise LedgerRejected("ledger-id", f"the root is signed for ledger {sr.ledger_id.hex()}, "
                                          f"not this ledger ({ctx.ledger_id.hex()})")
    if check_proofs and not verify_signed_root(key, sr):
        raise LedgerRejected("operator-signature",
                             f"the signature on the root does not verify under operator {oid!r}'s key")
    last = view.last_root(oid)
    if last is not None and sr.epoch <= last.epoch:
        raise LedgerRejected("root-epoch", f"epoch {sr.epoch} is not after the operator's previous root "
                                           f"(epoch {last.epoch})")
    if last is not None and sr.timestamp <= last.timestamp:
        raise LedgerRejected("root-timestamp", f"timestamp {sr.timestamp} is not after the operator's "
                                               f"previous root ({last.timestamp})")
    return [NewRoot(oid, sr)]


def _check_open_account(ctx: LedgerContext, view: StateView, p: dict, check_proofs: bool) -> list[Effect]:
    _fields(p, {"account_id", "public_key", "balance_commitment", "balance_proof", "account_signature",
                "issuer_signature"}, "account opening")
    aid = _check_id(p["account_id"], "account id")
    key = _check_ed25519(_bytes(p, "public_key"), "account public key")
    cm = _decode_point(ctx.group, _bytes(p, "balance_commitment"), "balance commitment").to_bytes()
    if cm.hex() != p["balance_commitment"]:
        raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding")
    proof, consent, issued = _bytes(p, "balance_proof"), _bytes(p, "account_signature"), _bytes(p, "issuer_signature")
    if view.account_state(aid) is not None:
        raise LedgerRejected("duplicate-account", f"account {aid!r} already exists")
    if check_proofs:
        if not verify_ed25519(ctx.issuer_key, issued, issuance_message(ctx.ledger_id, aid, key, cm)):
            raise LedgerRejected("issuer-signature", f"the opening balance of {aid!r} is not authorised by the "
                                                     f"ledger's issuer key")
        if not verify_ed25519(key, consent, consent_message(ctx.ledger_id, aid, key, cm)):
            raise LedgerRejected("account-signature", f"the opening of {aid!r} is not signed by the account's key")
        batched = balance_proof_key(ctx.ledger_id, aid, key, cm, proof)
        if batched in ctx.verified_balance_proofs:
            ctx.verified_balance_proofs.discard(batched)
        elif not verify_initial_balance(ctx.group, ctx.ledger_id, aid, key, cm, proof):
            raise LedgerRejected("balance-proof", f"the range proof of {aid!r}'s opening balance fails")
    return [NewAccount(AccountState(aid, key, cm, 0))]


def mtx_from_payload(p: dict) -> MultiTransaction:
    """The multi-transaction a stored payload describes (LedgerRejected ``malformed`` on a bad shape)."""
    _fields(p, {"ledger_id", "transfers", "nonces", "context", "sum_proof", "solvency_proofs", "signatures"},
            "multi-transaction")
    if type(p["transfers"]) is not list:
        raise _malformed("transfers must be a list")
    transfers = []
    for t in p["transfers"]:
        _fields(t, {"account_id", "amount_commitment"}, "transfer")
        transfers.append(Transfer(_check_id(t["account_id"], "account id"), _bytes(t, "amount_commitment")))

    def per_account(name: str, conv) -> dict:
        d = p[name]
        if type(d) is not dict:
            raise _malformed(f"{name} must be an object")
        return {_check_id(k, f"{name} key"): conv(d, k) for k in d}

    def nonce(d: dict, k: str) -> int:
        return _exact(d[k], int, f"nonce of {k!r}")

    return MultiTransaction(transfers=transfers, sum_proof=_bytes(p, "sum_proof"),
                            solvency_proofs=per_account("solvency_proofs", _bytes),
                            nonces=per_account("nonces", nonce), signatures=per_account("signatures", _bytes),
                            context=_bytes(p, "context"), ledger_id=_bytes(p, "ledger_id"))


def _check_multi_transaction(ctx: LedgerContext, view: StateView, mtx: MultiTransaction,
                             check_proofs: bool) -> list[Effect]:
    """All checks of Appendix D.2 plus ledger id, signatures and nonces; effects = new balances and nonces.

    Order: shape, ledger id, accounts, nonces, signatures, then the (costlier) zkpSum and zkpNN.
    """
    group = ctx.group
    ids = [t.account_id for t in mtx.transfers]
    if len(set(ids)) != len(ids):
        raise LedgerRejected("duplicate-transfer", "an account appears in more than one transfer")
    for name, d in (("nonces", mtx.nonces), ("signatures", mtx.signatures), ("solvency_proofs", mtx.solvency_proofs)):
        if set(d) != set(ids):
            raise _malformed(f"{name} must name exactly the accounts of the transfers "
                             f"(missing {sorted(set(ids) - set(d))}, extra {sorted(set(d) - set(ids))})")
    try:
        mtx.body_bytes()
    except (ValueError, TypeError) as exc:
        raise _malformed(str(exc)) from None
    if mtx.ledger_id != ctx.ledger_id:
        raise LedgerRejected("ledger-id", f"the transaction was made for ledger {mtx.ledger_id.hex()}, "
                                          f"not this ledger ({ctx.ledger_id.hex()})")
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
    if check_proofs:
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
    items = []
    try:
        for aid in ids:
            stmt = solvency_statement(group, states[aid].balance_commitment,
                                      next(t.amount_commitment for t in mtx.transfers if t.account_id == aid))
            items.append((RANGE, stmt, NIProof.from_bytes(RANGE, stmt, mtx.solvency_proofs[aid]),
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


class MemoryState:
    """The state a history implies, built by replaying it (a :class:`StateView`)."""

    def __init__(self) -> None:
        self.operators: dict[str, bytes] = {}
        self.roots: dict[str, list[SignedRoot]] = {}
        self.accounts: dict[str, AccountState] = {}

    def operator_key(self, operator_id: str) -> bytes | None:
        return self.operators.get(operator_id)

    def last_root(self, operator_id: str) -> SignedRoot | None:
        rs = self.roots.get(operator_id)
        return rs[-1] if rs else None

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
