"""The acceptance rules (protocols/ledger/rules.py) called directly, each check at its boundary with the failed
check named exactly (reason and detail).  Written from the survivors of a mutation run (benchmarks/mutation.py):
the ledger tests checked which check failed (``reason``) but rarely what it said, and some boundaries (the
255-byte id, the 100-character decision kind, a root one second later) were never reached.

No SQLite here: a :class:`MemoryState` stands for the ledger's state, so every test is cheap; the proofs of
the accounts and of one multi-transaction are made once per module.
"""
from __future__ import annotations

import copy
import dataclasses
import json
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP
from protocols.ledger.api import AccountState, LedgerRejected
from protocols.ledger.chain import canonical_json
from protocols.ledger.issuance import authorise_issuance, authorise_operator, open_account_request
from protocols.ledger.rules import (AccountUpdate, LedgerContext, MemoryState, NewAccount, NewOperator, NewRoot,
                                    check_entry, encode_account, encode_decision, encode_mtx, encode_operator,
                                    encode_root, mtx_from_payload)
from protocols.ledger.transactions import PartySecrets, Transfer, build_multi_transaction, raw_public_key
from zkp.merkle import MerkleTree
from zkp.pedersen import Commitment
from zkp.signatures import SignedRoot, public_key_bytes, sign_root

LID = bytes(range(16))
OTHER_LID = bytes(16)
BALANCES = {"u1": 1_000, "u2": 500, "u3": 0}
PHIS = {"u1": 300, "u2": -100, "u3": -200}
NOT_HEX = "expected a lowercase hex string"


def J(payload: dict) -> dict:
    """The payload as a reader parses it from the stored canonical bytes."""
    return json.loads(canonical_json(payload))


@pytest.fixture(scope="module")
def w():
    issuer = Ed25519PrivateKey.generate()
    op = Ed25519PrivateKey.generate()
    op_pk = public_key_bytes(op.public_key())
    ctx = LedgerContext(GROUP, LID, raw_public_key(issuer))
    reg = authorise_operator(issuer, LID, "op", op_pk)
    parties, openings = {}, {}
    for aid, bal in BALANCES.items():
        key, r = Ed25519PrivateKey.generate(), GROUP.random_scalar()
        issued = authorise_issuance(issuer, GROUP, LID, aid, raw_public_key(key), bal, r)
        openings[aid] = open_account_request(GROUP, LID, aid, key, bal, r, issued)
        parties[aid] = (key, bal, r)
    secrets_ = {aid: PartySecrets(PHIS[aid], GROUP.random_scalar(), parties[aid][1], parties[aid][2], parties[aid][0])
                for aid in PHIS}
    mtx = build_multi_transaction(GROUP, secrets_, {aid: 0 for aid in PHIS}, b"ctx", ledger_id=LID)
    state = MemoryState()
    state.apply([NewOperator("op", op_pk)])
    for o in openings.values():
        state.apply(check_entry(ctx, state, "open_account", J(encode_account(o))))
    return SimpleNamespace(issuer=issuer, op=op, op_pk=op_pk, ctx=ctx, reg=reg, openings=openings, mtx=mtx,
                           state=state, parties=parties)


def root(w, epoch=1, timestamp=100, operator_id="op", ledger_id=LID, key=None) -> SignedRoot:
    return sign_root(key or w.op, MerkleTree([b"a", b"b", b"c"]), timestamp, operator_id=operator_id,
                     ledger_id=ledger_id, epoch=epoch)


def rejected(w, kind, payload, state=None, check_proofs=True) -> tuple[str, str]:
    with pytest.raises(LedgerRejected) as info:
        check_entry(w.ctx, w.state if state is None else state, kind, payload, check_proofs)
    return info.value.reason, info.value.detail


def malformed(detail: str) -> tuple[str, str]:
    return "malformed", detail


def state_with(w, roots=(), operators=None) -> MemoryState:
    s = MemoryState()
    s.operators = dict({"op": w.op_pk} if operators is None else operators)
    s.accounts = dict(w.state.accounts)
    for r in roots:
        s.apply([NewRoot(r.operator_id, r)])
    return s


# -- encoders: exact types, every field named ---------------------------------------------------------------

def _encode_error(call) -> tuple[str, str]:
    with pytest.raises(LedgerRejected) as info:
        call()
    return info.value.reason, info.value.detail


def test_encoders_write_exactly_these_fields(w):
    reg = w.reg
    assert encode_operator(reg) == {"operator_id": "op", "public_key": reg.public_key.hex(),
                                    "issuer_signature": reg.issuer_signature.hex()}
    sr = root(w, epoch=3, timestamp=77)
    assert encode_root("op", sr) == {"operator_id": "op", "signed_root": sr.to_bytes().hex(), "root": sr.root.hex(),
                                     "tree_size": 3, "timestamp": 77, "epoch": 3}
    o = w.openings["u1"]
    assert encode_account(o) == {"account_id": "u1", "public_key": o.public_key.hex(),
                                 "balance_commitment": o.balance_commitment.hex(),
                                 "balance_proof": o.balance_proof.hex(), "account_signature": o.account_signature.hex(),
                                 "issuer_signature": o.issuer_signature.hex()}
    m = w.mtx
    assert encode_mtx(m) == {
        "ledger_id": LID.hex(),
        "transfers": [{"account_id": t.account_id, "amount_commitment": t.amount_commitment.hex()}
                      for t in m.transfers],
        "nonces": {"u1": 0, "u2": 0, "u3": 0}, "context": b"ctx".hex(), "sum_proof": m.sum_proof.hex(),
        "solvency_proofs": {a: p.hex() for a, p in m.solvency_proofs.items()},
        "signatures": {a: s.hex() for a, s in m.signatures.items()}}
    assert mtx_from_payload(J(encode_mtx(m))) == m


def _replace(obj, **kw):
    return lambda: dataclasses.replace(obj, **kw)


ENCODER_CASES = [
    # (encoder, what to build, expected detail)
    ("operator", lambda w: "op", "registration must be exactly OperatorRegistration, not str"),
    ("operator", lambda w: dataclasses.replace(w.reg, operator_id=""), "operator id must be a non-empty str"),
    ("operator", lambda w: dataclasses.replace(w.reg, public_key=bytearray(32)),
     "operator public key must be exactly bytes, not bytearray"),
    ("operator", lambda w: dataclasses.replace(w.reg, issuer_signature="00"),
     "issuer signature must be exactly bytes, not str"),
    ("root", lambda w: ("op", "root"), "signed_root must be exactly SignedRoot, not str"),
    ("root", lambda w: ("op", dataclasses.replace(root(w), signature=bytes(63))),
     "signed root: signature must be 64 bytes"),
    ("root", lambda w: (7, root(w)), "operator id must be a non-empty str"),
    ("account", lambda w: None, "account opening must be exactly AccountOpening, not NoneType"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], account_id=""), "account id must be a non-empty str"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], public_key=None),
     "account public key must be exactly bytes, not NoneType"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], balance_commitment=bytearray(64)),
     "balance commitment must be exactly bytes, not bytearray"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], balance_proof=""),
     "balance proof must be exactly bytes, not str"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], account_signature=1),
     "account signature must be exactly bytes, not int"),
    ("account", lambda w: dataclasses.replace(w.openings["u1"], issuer_signature=[]),
     "issuer signature must be exactly bytes, not list"),
    ("mtx", lambda w: {}, "multi-transaction must be exactly MultiTransaction, not dict"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, transfers=tuple(w.mtx.transfers)),
     "transfers must be exactly list, not tuple"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, transfers=[{"account_id": "u1"}]),
     "a transfer must be exactly Transfer, not dict"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, transfers=[Transfer("", bytes(64))]),
     "account id must be a non-empty str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, transfers=[Transfer("u1", "00")]),
     "amount commitment must be exactly bytes, not str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, ledger_id=bytearray(LID)),
     "ledger id must be exactly bytes, not bytearray"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, nonces=[("u1", 0)]), "nonces must be exactly dict, not list"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, nonces={"": 0}), "nonces key must be a non-empty str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, nonces={"u1": True}), "nonces['u1'] must be exactly int, not bool"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, context=None), "context must be exactly bytes, not NoneType"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, sum_proof="ab"), "sum proof must be exactly bytes, not str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, solvency_proofs=None),
     "solvency_proofs must be exactly dict, not NoneType"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, solvency_proofs={"u2": "ab"}),
     "solvency_proofs['u2'] must be exactly bytes, not str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, solvency_proofs={5: b""}),
     "solvency_proofs key must be a non-empty str"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, signatures={"u3": bytearray(64)}),
     "signatures['u3'] must be exactly bytes, not bytearray"),
    ("mtx", lambda w: dataclasses.replace(w.mtx, signatures={"": b""}), "signatures key must be a non-empty str"),
]


@pytest.mark.parametrize("case", range(len(ENCODER_CASES)))
def test_encoders_refuse_inexact_types_naming_the_field(w, case):
    which, build, detail = ENCODER_CASES[case]
    arg = build(w)
    call = {"operator": lambda: encode_operator(arg), "root": lambda: encode_root(*arg),
            "account": lambda: encode_account(arg), "mtx": lambda: encode_mtx(arg)}[which]
    assert _encode_error(call) == malformed(detail)


def test_ids_are_non_empty_unicode_of_at_most_255_bytes(w):
    for bad, detail in [("", "operator id must be a non-empty str"), (b"op", "operator id must be a non-empty str"),
                        ("\ud800", "operator id is not valid Unicode"),
                        ("é" * 128, "operator id must be at most 255 bytes")]:
        assert _encode_error(lambda: encode_operator(dataclasses.replace(w.reg, operator_id=bad))) == malformed(detail)
    longest = "é" * 127 + "a"  # 255 bytes
    assert encode_operator(dataclasses.replace(w.reg, operator_id=longest))["operator_id"] == longest


@pytest.mark.parametrize("kind,payload,detail", [
    ("", {}, "decision kind must be a non-empty str of at most 100 characters"),
    ("k" * 101, {}, "decision kind must be a non-empty str of at most 100 characters"),
    (7, {}, "decision kind must be a non-empty str of at most 100 characters"),
    ("k", [1], "decision payload must be a dict"),
    ("k", {"x": b"1"}, "payload.x: bytes is not an exact JSON type (encode bytes as hex, tuples as lists)"),
    ("k", {"x": float("inf")}, "payload.x: non-finite number"),
])
def test_decision_checks(kind, payload, detail):
    with pytest.raises(LedgerRejected) as info:
        encode_decision(kind, payload)
    assert (info.value.reason, info.value.detail) == ("decision", detail)


def test_decisions_of_the_longest_kind_are_entries_without_effects(w):
    p = encode_decision("k" * 100, {"a": [1, 2.5, None, True, "s"]})
    assert p == {"kind": "k" * 100, "payload": {"a": [1, 2.5, None, True, "s"]}}
    assert check_entry(w.ctx, w.state, "decision", J(p)) == []
    assert rejected(w, "decision", {"kind": "k"}) == malformed(
        "decision must have exactly the fields ['kind', 'payload'], got ['kind']")
    assert rejected(w, "decision", {"kind": "", "payload": {}}) == (
        "decision", "decision kind must be a non-empty str of at most 100 characters")
    assert rejected(w, "decision", ["kind", "payload"]) == malformed(
        "decision must have exactly the fields ['kind', 'payload'], got list")


def test_only_the_appendable_kinds_are_checked(w):
    for kind in ("genesis", "nonsense"):
        assert rejected(w, kind, {}) == malformed(f"entry kind {kind!r} cannot be appended")


# -- operators ------------------------------------------------------------------------------------------------

def test_operator_registration(w):
    p = J(encode_operator(w.reg))
    empty = state_with(w, operators={})
    assert check_entry(w.ctx, empty, "register_operator", p) == [NewOperator("op", w.op_pk)]
    assert rejected(w, "register_operator", p) == ("duplicate-operator", "operator 'op' is already registered")
    forged = dict(p, issuer_signature=bytes(64).hex())
    assert rejected(w, "register_operator", forged, empty) == (
        "issuer-signature", "the registration of operator 'op' is not authorised by the ledger's issuer key")
    with pytest.raises(LedgerRejected, match="issuer-signature"):  # proofs are checked by default
        check_entry(w.ctx, empty, "register_operator", forged)
    assert check_entry(w.ctx, empty, "register_operator", forged, False) == [NewOperator("op", w.op_pk)]
    for change, detail in [
        (dict(p, extra=1), "operator registration must have exactly the fields ['issuer_signature', 'operator_id', "
                           "'public_key'], got ['extra', 'issuer_signature', 'operator_id', 'public_key']"),
        (dict(p, operator_id=""), "operator id must be a non-empty str"),
        (dict(p, public_key=p["public_key"][:-2]),
         "operator public key must be a raw 32-byte Ed25519 public key (bytes)"),
        (dict(p, public_key=p["public_key"].upper()), f"public_key: {NOT_HEX}"),
        (dict(p, issuer_signature="ZZ"), f"issuer_signature: {NOT_HEX}"),
    ]:
        assert rejected(w, "register_operator", change, empty) == malformed(detail)


# -- roots ------------------------------------------------------------------------------------------------------

def test_root_publication_order_and_binding(w):
    first = root(w, epoch=1, timestamp=100)
    p = J(encode_root("op", first))
    assert check_entry(w.ctx, state_with(w), "publish_root", p) == [NewRoot("op", first)]
    after = state_with(w, [first])
    for epoch, ts, expected in [
        (1, 200, ("root-epoch", "epoch 1 is not after the operator's previous root (epoch 1)")),
        (0, 200, ("root-epoch", "epoch 0 is not after the operator's previous root (epoch 1)")),
        (2, 100, ("root-timestamp", "timestamp 100 is not after the operator's previous root (100)")),
        (2, 99, ("root-timestamp", "timestamp 99 is not after the operator's previous root (100)")),
    ]:
        assert rejected(w, "publish_root", J(encode_root("op", root(w, epoch, ts))), after) == expected
    nxt = root(w, epoch=2, timestamp=101)  # one epoch and one second later is enough
    assert check_entry(w.ctx, after, "publish_root", J(encode_root("op", nxt))) == [NewRoot("op", nxt)]
    # the previous root is the latest one, not the first
    later = state_with(w, [first, root(w, epoch=5, timestamp=500)])
    assert rejected(w, "publish_root", J(encode_root("op", root(w, 3, 300))), later) == (
        "root-epoch", "epoch 3 is not after the operator's previous root (epoch 5)")
    assert rejected(w, "publish_root", J(encode_root("op", root(w, 6, 400))), later) == (
        "root-timestamp", "timestamp 400 is not after the operator's previous root (500)")


def test_root_publication_checks_name_what_is_wrong(w):
    sr = root(w)
    p = J(encode_root("op", sr))
    fresh = state_with(w)
    assert rejected(w, "publish_root", dict(p, operator_id="nobody"), fresh) == (
        "unknown-operator", "operator 'nobody' is not registered")
    two = state_with(w, operators={"op": w.op_pk, "grid": w.op_pk})
    assert rejected(w, "publish_root", dict(p, operator_id="grid"), two) == (
        "operator-id", "the root is signed for operator 'op', not 'grid'")
    foreign = root(w, ledger_id=OTHER_LID)
    assert rejected(w, "publish_root", J(encode_root("op", foreign)), fresh) == (
        "ledger-id", f"the root is signed for ledger {OTHER_LID.hex()}, not this ledger ({LID.hex()})")
    forged = root(w, key=Ed25519PrivateKey.generate())
    fp = J(encode_root("op", forged))
    assert rejected(w, "publish_root", fp, fresh) == (
        "operator-signature", "the signature on the root does not verify under operator 'op''s key")
    with pytest.raises(LedgerRejected, match="operator-signature"):
        check_entry(w.ctx, fresh, "publish_root", fp)
    assert check_entry(w.ctx, fresh, "publish_root", fp, False) == [NewRoot("op", forged)]
    for field, value in [("root", bytes(32).hex()), ("tree_size", 4), ("timestamp", 101), ("epoch", 2)]:
        assert rejected(w, "publish_root", dict(p, **{field: value}), fresh) == malformed(
            "the readable root fields disagree with the signed root")
    try:
        SignedRoot.from_bytes(b"\x05ab")
    except ValueError as exc:
        truncated = str(exc)
    for change, detail in [
        (dict(p, signed_root="0561"), f"signed root: {truncated}"),
        (dict(p, signed_root="XY"), f"signed_root: {NOT_HEX}"),
        (dict(p, operator_id=""), "operator id must be a non-empty str"),
        ({k: v for k, v in p.items() if k != "epoch"},
         "published root must have exactly the fields ['epoch', 'operator_id', 'root', 'signed_root', 'timestamp', "
         "'tree_size'], got ['operator_id', 'root', 'signed_root', 'timestamp', 'tree_size']"),
    ]:
        assert rejected(w, "publish_root", change, fresh) == malformed(detail)


# -- accounts ---------------------------------------------------------------------------------------------------

def test_account_opening(w):
    o = w.openings["u1"]
    p = J(encode_account(o))
    empty = state_with(w)
    empty.accounts = {}
    assert check_entry(w.ctx, empty, "open_account", p) == [
        NewAccount(AccountState("u1", o.public_key, o.balance_commitment, 0))]
    assert rejected(w, "open_account", p) == ("duplicate-account", "account 'u1' already exists")
    other = w.openings["u2"]
    for field, value, expected in [
        ("issuer_signature", other.issuer_signature,
         ("issuer-signature", "the opening balance of 'u1' is not authorised by the ledger's issuer key")),
        ("account_signature", other.account_signature,
         ("account-signature", "the opening of 'u1' is not signed by the account's key")),
        ("balance_proof", other.balance_proof, ("balance-proof", "the range proof of 'u1''s opening balance fails")),
    ]:
        bad = dict(p, **{field: value.hex()})
        assert rejected(w, "open_account", bad, empty) == expected
        with pytest.raises(LedgerRejected, match=expected[0]):
            check_entry(w.ctx, empty, "open_account", bad)
        assert check_entry(w.ctx, empty, "open_account", bad, False) == [
            NewAccount(AccountState("u1", o.public_key, o.balance_commitment, 0))]
    off_curve = (1).to_bytes(32, "big") + (1).to_bytes(32, "big")
    for change, expected in [
        (dict(p, balance_commitment=off_curve.hex()),
         ("bad-commitment", "balance commitment is not a point of bn254: bn254: point is not on the curve")),
        (dict(p, balance_commitment="00"),
         ("bad-commitment", "balance commitment is not a point of bn254: bn254: point encoding must be 64 bytes")),
        (dict(p, account_id=""), malformed("account id must be a non-empty str")),
        (dict(p, public_key=bytes(33).hex()), malformed("account public key must be a raw 32-byte Ed25519 public key "
                                                        "(bytes)")),
        (dict(p, balance_commitment="0G"), malformed(f"balance_commitment: {NOT_HEX}")),
        (dict(p, balance_proof="0G"), malformed(f"balance_proof: {NOT_HEX}")),
        (dict(p, account_signature="0G"), malformed(f"account_signature: {NOT_HEX}")),
        (dict(p, issuer_signature="0G"), malformed(f"issuer_signature: {NOT_HEX}")),
        (dict(p, public_key="0G"), malformed(f"public_key: {NOT_HEX}")),
        (dict(p, extra=None), malformed(
            "account opening must have exactly the fields ['account_id', 'account_signature', 'balance_commitment', "
            "'balance_proof', 'issuer_signature', 'public_key'], got ['account_id', 'account_signature', "
            "'balance_commitment', 'balance_proof', 'extra', 'issuer_signature', 'public_key']")),
    ]:
        assert rejected(w, "open_account", change, empty) == expected


# -- multi-transactions ---------------------------------------------------------------------------------------

def expected_updates(w, mtx) -> list[AccountUpdate]:
    out = []
    for t in mtx.transfers:
        old = w.state.accounts[t.account_id]
        new = Commitment.from_bytes(GROUP, old.balance_commitment) - Commitment.from_bytes(GROUP, t.amount_commitment)
        out.append(AccountUpdate(t.account_id, new.to_bytes(), old.nonce + 1))
    return out


def test_an_honest_multi_transaction_updates_every_balance_and_nonce(w):
    effects = check_entry(w.ctx, w.state, "multi_transaction", J(encode_mtx(w.mtx)))
    assert effects == expected_updates(w, w.mtx)
    for e in effects:
        assert e.nonce == 1
    s = copy.deepcopy(w.state)
    s.apply(effects)
    assert [s.accounts[a].nonce for a in ("u1", "u2", "u3")] == [1, 1, 1]
    assert s.accounts["u1"] == AccountState("u1", w.state.accounts["u1"].public_key, effects[0].balance_commitment, 1)
    assert rejected(w, "multi_transaction", J(encode_mtx(w.mtx)), s) == (
        "nonce", "account 'u1': nonce 0 but the ledger expects 1 (replayed or out-of-order transaction)")


def _mtx_payload(w, **changes) -> dict:
    return J(encode_mtx(dataclasses.replace(w.mtx, **changes)))


def test_multi_transaction_structure_is_checked_before_any_proof(w):
    m = w.mtx
    p = J(encode_mtx(m))
    dup = _mtx_payload(w, transfers=m.transfers + [m.transfers[0]])
    assert rejected(w, "multi_transaction", dup) == ("duplicate-transfer",
                                                     "an account appears in more than one transfer")
    for name in ("nonces", "signatures", "solvency_proofs"):
        missing = copy.deepcopy(p)
        del missing[name]["u2"]
        assert rejected(w, "multi_transaction", missing) == malformed(
            f"{name} must name exactly the accounts of the transfers (missing ['u2'], extra [])")
        extra = copy.deepcopy(p)
        extra[name]["zz"] = extra[name]["u1"]
        assert rejected(w, "multi_transaction", extra) == malformed(
            f"{name} must name exactly the accounts of the transfers (missing [], extra ['zz'])")
    big = copy.deepcopy(p)
    big["nonces"]["u1"] = 1 << 63
    assert rejected(w, "multi_transaction", big) == malformed("nonce of 'u1' must be an integer in [0, 2^63)")
    assert rejected(w, "multi_transaction", dict(p, ledger_id=OTHER_LID.hex())) == (
        "ledger-id", f"the transaction was made for ledger {OTHER_LID.hex()}, not this ledger ({LID.hex()})")
    off_curve = ((1).to_bytes(32, "big") * 2).hex()
    bad_cm = copy.deepcopy(p)
    bad_cm["transfers"][1]["amount_commitment"] = off_curve
    assert rejected(w, "multi_transaction", bad_cm) == (
        "bad-commitment", "amount commitment of 'u2' is not a point of bn254: bn254: point is not on the curve")
    unknown = copy.deepcopy(p)
    unknown["transfers"][2]["account_id"] = "zz"
    for name in ("nonces", "signatures", "solvency_proofs"):
        unknown[name]["zz"] = unknown[name].pop("u3")
    assert rejected(w, "multi_transaction", unknown) == ("unknown-account", "account 'zz' does not exist")
    late = copy.deepcopy(p)
    late["nonces"]["u3"] = 2
    assert rejected(w, "multi_transaction", late) == (
        "nonce", "account 'u3': nonce 2 but the ledger expects 0 (replayed or out-of-order transaction)")


def test_multi_transaction_proofs_name_the_account(w):
    m = w.mtx
    p = J(encode_mtx(m))
    bad_sig = copy.deepcopy(p)
    bad_sig["signatures"]["u3"] = bad_sig["signatures"]["u2"]
    bad_sum = dict(p, sum_proof=p["sum_proof"][:-2] + ("00" if p["sum_proof"][-2:] != "00" else "01"))
    bad_nn = copy.deepcopy(p)
    bad_nn["solvency_proofs"]["u3"] = bad_nn["solvency_proofs"]["u2"]
    garbage_nn = copy.deepcopy(p)
    garbage_nn["solvency_proofs"]["u2"] = "00"
    for bad, expected in [
        (bad_sig, ("signature", "account 'u3': the signature over the transaction body does not verify under the "
                                "account's key")),
        (bad_sum, ("sum-proof", "the zkpSum does not show that the transferred amounts sum to 0")),
        (bad_nn, ("solvency-proof", "account 'u3': the zkpNN does not show a balance in [0, 2^64) after the "
                                    "transfer (overdraft or bad proof)")),
        (garbage_nn, ("solvency-proof", "account 'u2': the zkpNN does not show a balance in [0, 2^64) after the "
                                        "transfer (overdraft or bad proof)")),
    ]:
        assert rejected(w, "multi_transaction", bad) == expected
        with pytest.raises(LedgerRejected, match=expected[0]):
            check_entry(w.ctx, w.state, "multi_transaction", bad)
        assert check_entry(w.ctx, w.state, "multi_transaction", bad, False) == expected_updates(w, m)


def test_stored_multi_transaction_shape(w):
    p = J(encode_mtx(w.mtx))
    fields = "['context', 'ledger_id', 'nonces', 'signatures', 'solvency_proofs', 'sum_proof', 'transfers']"
    t0 = p["transfers"][0]
    for change, detail in [
        ({k: v for k, v in p.items() if k != "context"},
         f"multi-transaction must have exactly the fields {fields}, got "
         "['ledger_id', 'nonces', 'signatures', 'solvency_proofs', 'sum_proof', 'transfers']"),
        (dict(p, transfers={"0": t0}), "transfers must be a list"),
        (dict(p, transfers=[dict(t0, x=1)]),
         "transfer must have exactly the fields ['account_id', 'amount_commitment'], "
         "got ['account_id', 'amount_commitment', 'x']"),
        (dict(p, transfers=[dict(t0, account_id="")]), "account id must be a non-empty str"),
        (dict(p, transfers=[dict(t0, amount_commitment="0G")]), f"amount_commitment: {NOT_HEX}"),
        (dict(p, nonces=[0]), "nonces must be an object"),
        (dict(p, signatures=[]), "signatures must be an object"),
        (dict(p, solvency_proofs="x"), "solvency_proofs must be an object"),
        (dict(p, nonces={"": 0}), "nonces key must be a non-empty str"),
        (dict(p, signatures={"": "00"}), "signatures key must be a non-empty str"),
        (dict(p, solvency_proofs={"": "00"}), "solvency_proofs key must be a non-empty str"),
        (dict(p, nonces=dict(p["nonces"], u1="0")), "nonce of 'u1' must be exactly int, not str"),
        (dict(p, signatures=dict(p["signatures"], u1="0G")), f"u1: {NOT_HEX}"),
        (dict(p, solvency_proofs=dict(p["solvency_proofs"], u2="0G")), f"u2: {NOT_HEX}"),
        (dict(p, sum_proof="0G"), f"sum_proof: {NOT_HEX}"),
        (dict(p, context="0G"), f"context: {NOT_HEX}"),
        (dict(p, ledger_id="0G"), f"ledger_id: {NOT_HEX}"),
    ]:
        assert rejected(w, "multi_transaction", change) == malformed(detail)
        with pytest.raises(LedgerRejected) as info:
            mtx_from_payload(change)
        assert info.value.detail == detail


def test_memory_state_applies_each_kind_of_effect(w):
    s = MemoryState()
    assert (s.operator_key("op"), s.last_root("op"), s.account_state("u1")) == (None, None, None)
    r1, r2 = root(w, 1, 1), root(w, 2, 2)
    st = AccountState("u1", bytes(32), bytes(64), 0)
    s.apply([NewOperator("op", b"k" * 32), NewRoot("op", r1), NewRoot("op", r2), NewAccount(st),
             AccountUpdate("u1", b"c" * 64, 7)])
    assert s.operator_key("op") == b"k" * 32 and s.operators == {"op": b"k" * 32}
    assert s.roots == {"op": [r1, r2]} and s.last_root("op") == r2 and s.last_root("other") is None
    assert s.account_state("u1") == AccountState("u1", bytes(32), b"c" * 64, 7)
    s.roots["empty"] = []
    assert s.last_root("empty") is None
