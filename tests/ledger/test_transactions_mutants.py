"""Multi-transactions (protocols/ledger/transactions.py) at their boundaries: the shape limits with their exact
messages, the byte layout of what is signed and proven (stored ledgers and holders' signatures depend on it),
and the holder-side checks.  Written from the survivors of a mutation run (benchmarks/mutation.py)."""
from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP
from protocols.ledger.transactions import (MAX_TRANSFERS, MultiTransaction, PartySecrets, Transfer,
                                           build_multi_transaction, body_bytes, commit_amount,
                                           initial_balance_context, new_multi_transaction, next_balance_opening,
                                           proof_context, prove_initial_balance, prove_solvency,
                                           prove_solvency_for_body, raw_public_key, sign_multi_transaction,
                                           solvency_context, transfer_leaf, verify_initial_balance,
                                           verify_signature, verify_solvency_proof, verify_sum_proof)
from zkp.merkle import MerkleTree

LID = b"L" * 16
CM = GROUP.commit_point(3, 4).to_bytes()


def shape_error(transfers, nonces, context=b"", ledger_id=LID) -> str:
    with pytest.raises(ValueError) as info:
        new_multi_transaction(transfers, nonces, context, ledger_id=ledger_id)
    return str(info.value)


def test_shape_limits_and_their_messages():
    one = [Transfer("a", CM)]
    assert shape_error([], {}) == "a multi-transaction needs 1..20000 transfers, got 0"
    many = [Transfer(f"a{i}", CM) for i in range(MAX_TRANSFERS + 1)]
    assert shape_error(many, {}) == "a multi-transaction needs 1..20000 transfers, got 20001"
    assert shape_error(one, {"a": 0}, context=bytes((1 << 16) + 1)) == "context too long"
    new_multi_transaction(one, {"a": 0}, bytes(1 << 16), ledger_id=LID)  # the longest context
    for lid in (b"", bytes(256)):
        assert shape_error(one, {"a": 0}, ledger_id=lid) == ("the multi-transaction names no ledger id "
                                                             "(see Ledger.ledger_id)")
    assert new_multi_transaction(one, {"a": 0}, ledger_id=bytes(255)).body_bytes()[40:41] == b"\xff"
    assert new_multi_transaction(one, {"a": 0}, ledger_id=b"x").body_bytes()[40:42] == b"\x01x"  # the shortest
    assert shape_error(one + one, {"a": 0}) == "an account appears in more than one transfer"
    assert shape_error(one, {"a": 0, "b": 0}) == "nonces must name exactly the accounts of the transfers"
    assert shape_error(one, {}) == "nonces must name exactly the accounts of the transfers"
    for nonce in (-1, 1 << 63, True, "0", 1.0):
        assert shape_error(one, {"a": nonce}) == "nonce of 'a' must be an integer in [0, 2^63)"
    for nonce in (0, (1 << 63) - 1):
        assert new_multi_transaction(one, {"a": nonce}, ledger_id=LID).nonces == {"a": nonce}
    assert new_multi_transaction(one, {"a": 0}, ledger_id=LID).context == b""  # no context by default


def test_the_largest_multi_transaction_has_a_body():
    transfers = [Transfer(f"a{i}", CM) for i in range(MAX_TRANSFERS)]
    mtx = MultiTransaction(transfers, nonces={t.account_id: 0 for t in transfers}, ledger_id=LID)
    assert mtx.body_bytes()[-36:-32] == MAX_TRANSFERS.to_bytes(4, "big")


def test_account_ids_are_non_empty_and_at_most_255_bytes():
    for aid, msg in [("", "account id must be a non-empty string"), (b"a", "account id must be a non-empty string"),
                     ("é" * 128, "account id longer than 255 bytes")]:
        with pytest.raises(ValueError) as info:
            transfer_leaf(aid, CM, 0)
        assert str(info.value) == msg
    longest = "é" * 127 + "a"
    assert transfer_leaf(longest, CM, 0)[31:33] == (255).to_bytes(2, "big")


def test_the_signed_and_proven_bytes_keep_their_layout():
    """Stored ledgers hold signatures and proofs over these bytes: the layout is a format, not a detail."""
    leaf = transfer_leaf("ab", b"\x01\x02\x03", 5)
    assert leaf == b"mpc-markets/ledger/transfer/v1\x00" + b"\x00\x02ab" + b"\x00\x03\x01\x02\x03" + bytes(7) + b"\x05"
    body = body_bytes(b"LID", b"ctx", 3, b"R" * 32)
    assert body == (b"mpc-markets/ledger/multi-transaction/v3\x00" + b"\x03LID" + b"\x00\x00\x00\x03ctx"
                    + b"\x00\x00\x00\x03" + b"R" * 32)
    domain = b"mpc-markets/ledger/multi-transaction-proof/v1\x00"
    assert proof_context(body) == hashlib.sha256(domain + body).digest()
    assert solvency_context(body, "ab") == hashlib.sha256(domain + b"solvency\x00ab" + proof_context(body)).digest()
    assert initial_balance_context(b"LID", "ab", b"K" * 32, b"C" * 64) == hashlib.sha256(
        b"mpc-markets/ledger/open-account/v2\x00" + b"\x03LID" + b"\x00\x02ab" + b"K" * 32 + b"C" * 64).digest()
    mtx = new_multi_transaction([Transfer("ab", b"\x01\x02\x03"), Transfer("c", CM)], {"ab": 5, "c": 0}, b"ctx",
                                ledger_id=b"LID")
    assert mtx.transfer_leaves() == [leaf, transfer_leaf("c", CM, 0)]
    assert mtx.body_bytes() == body_bytes(b"LID", b"ctx", 2, MerkleTree(mtx.transfer_leaves()).root)
    assert mtx.proof_context() == proof_context(mtx.body_bytes())
    assert mtx.solvency_context("c") == solvency_context(mtx.body_bytes(), "c")
    req = mtx.signing_request("c")
    assert (req.ledger_id, req.context, req.count, req.index, req.account_id, req.amount_commitment, req.nonce) == (
        b"LID", b"ctx", 2, 1, "c", CM, 0)
    assert req.root == MerkleTree(mtx.transfer_leaves()).root and req.body_bytes() == mtx.body_bytes()


def test_the_holder_side_refuses_what_it_cannot_prove():
    cm, o = commit_amount(GROUP, 10)
    other, _ = commit_amount(GROUP, 10)
    mtx = new_multi_transaction([Transfer("a", cm), Transfer("b", other)], {"a": 0, "b": 0}, ledger_id=LID)
    r = int(o.r)
    with pytest.raises(ValueError) as info:
        prove_solvency_for_body(GROUP, mtx.body_bytes(), "a", cm, 10, 1, 11, r)
    assert str(info.value) == "(φ, r) does not open the transfer commitment of 'a'"
    with pytest.raises(ValueError) as info:
        prove_solvency(GROUP, mtx, "a", 9, 1, 10, r)
    assert str(info.value) == "account 'a' cannot pay: its balance after the transfer would be -1"
    with pytest.raises(ValueError) as info:
        prove_solvency(GROUP, mtx, "zz", 9, 1, 10, r)
    assert str(info.value) == "account 'zz' has no transfer in this multi-transaction"
    bal = GROUP.commit_point(10, 1).to_bytes()
    mtx.solvency_proofs["a"] = prove_solvency(GROUP, mtx, "a", 10, 1, 10, r, balance_commitment=bal)  # pays all
    assert verify_solvency_proof(GROUP, mtx, "a", bal)
    with pytest.raises(ValueError):  # the ledger's commitment, not one of the holder's stale opening, is proven
        prove_solvency(GROUP, mtx, "a", 10, 1, 10, r, balance_commitment=GROUP.commit_point(11, 1).to_bytes())
    assert not verify_solvency_proof(GROUP, mtx, "b", bal)  # no proof for b
    assert not verify_solvency_proof(GROUP, mtx, "a", GROUP.commit_point(11, 1).to_bytes())
    top = (1 << 64) - 1  # a receiver may end at the top of the range, not beyond it
    cm_in, o_in = commit_amount(GROUP, -1)
    rx = new_multi_transaction([Transfer("a", cm_in)], {"a": 0}, ledger_id=LID)
    rx.solvency_proofs["a"] = prove_solvency(GROUP, rx, "a", top - 1, 2, -1, int(o_in.r))
    assert verify_solvency_proof(GROUP, rx, "a", GROUP.commit_point(top - 1, 2).to_bytes())
    with pytest.raises(ValueError, match=r"^account 'a' cannot pay: its balance after the transfer would be "
                                         f"{top + 1}$"):
        prove_solvency(GROUP, rx, "a", top, 2, -1, int(o_in.r))
    with pytest.raises(ValueError) as info:
        sign_multi_transaction(mtx, "zz", Ed25519PrivateKey.generate())
    assert str(info.value) == "account 'zz' has no transfer in this multi-transaction"


def test_next_balance_opening_and_keys():
    q = GROUP.order
    assert next_balance_opening(GROUP, 100, 5, 30, 7) == (70, q - 2)
    assert next_balance_opening(GROUP, 100, 7, -30, 5) == (130, 2)
    key = Ed25519PrivateKey.generate()
    assert raw_public_key(key) == raw_public_key(key.public_key()) and len(raw_public_key(key)) == 32


def test_signatures_are_bytes_over_the_body():
    key = Ed25519PrivateKey.generate()
    mtx = new_multi_transaction([Transfer("a", CM)], {"a": 0}, ledger_id=LID)
    sig = sign_multi_transaction(mtx, "a", key)
    key.public_key().verify(sig, mtx.body_bytes())
    pk = raw_public_key(key)
    assert not verify_signature(pk, mtx, "a")  # none yet
    mtx.signatures["a"] = bytearray(sig)
    assert verify_signature(pk, mtx, "a")
    mtx.signatures["a"] = sig.hex()
    assert not verify_signature(pk, mtx, "a")
    mtx.signatures["a"] = sig
    assert not verify_signature(pk[:31], mtx, "a")
    assert not verify_signature(raw_public_key(Ed25519PrivateKey.generate()), mtx, "a")


def test_opening_balances_at_the_ends_of_the_range():
    pk = b"K" * 32
    for bal in (-1, 1 << 64):
        with pytest.raises(ValueError) as info:
            prove_initial_balance(GROUP, LID, "a", pk, bal, 3)
        assert str(info.value) == f"an opening balance must lie in [0, 2^64), got {bal}"
    for bal in (0, (1 << 64) - 1):
        proof = prove_initial_balance(GROUP, LID, "a", pk, bal, 3)
        cm = GROUP.commit_point(bal, 3).to_bytes()
        assert verify_initial_balance(GROUP, LID, "a", pk, cm, proof)
        assert not verify_initial_balance(GROUP, LID, "b", pk, cm, proof)
        assert not verify_initial_balance(GROUP, LID, "a", pk, cm, proof[:-1])


def test_build_multi_transaction_with_given_commitments_and_rho():
    keys = {a: Ed25519PrivateKey.generate() for a in ("a", "b")}
    r = {"a": 11, "b": 22}
    parties = {"a": PartySecrets(5, r["a"], 50, 1, keys["a"]), "b": PartySecrets(-5, r["b"], 0, 2, keys["b"])}
    cms = {a: GROUP.commit_point(p.phi, p.r_phi).to_bytes() for a, p in parties.items()}
    mtx = build_multi_transaction(GROUP, parties, {"a": 3, "b": 4}, b"c", rho_sum=33, amount_commitments=cms,
                                  ledger_id=LID)
    assert [(t.account_id, t.amount_commitment) for t in mtx.transfers] == [("a", cms["a"]), ("b", cms["b"])]
    assert mtx.nonces == {"a": 3, "b": 4} and mtx.context == b"c" and mtx.ledger_id == LID
    assert verify_sum_proof(GROUP, mtx)
    for a in ("a", "b"):
        assert verify_signature(raw_public_key(keys[a]), mtx, a)
        bal = GROUP.commit_point(parties[a].balance, parties[a].r_balance).to_bytes()
        assert verify_solvency_proof(GROUP, mtx, a, bal)
    with pytest.raises(ValueError):  # a wrong rho cannot prove the sum
        build_multi_transaction(GROUP, parties, {"a": 3, "b": 4}, rho_sum=34, ledger_id=LID)


def test_commit_amount_uses_the_given_randomness():
    cm, o = commit_amount(GROUP, -5, 7)
    assert cm == GROUP.commit_point(-5, 7).to_bytes() and (o.x, o.r) == (GROUP.order - 5, 7)
    cm2, o2 = commit_amount(GROUP, -5)  # drawn when not given
    assert o2.x == GROUP.order - 5 and cm2 == GROUP.commit_point(-5, o2.r).to_bytes()


def test_build_multi_transaction_defaults_and_foreign_commitments():
    keys = {a: Ed25519PrivateKey.generate() for a in ("a", "b")}
    parties = {"a": PartySecrets(5, 11, 50, 1, keys["a"]), "b": PartySecrets(-5, 22, 0, 2, keys["b"])}
    mtx = build_multi_transaction(GROUP, parties, {"a": 0, "b": 0}, ledger_id=LID)
    assert mtx.context == b"" and verify_sum_proof(GROUP, mtx)
    assert [t.amount_commitment for t in mtx.transfers] == [GROUP.commit_point(5, 11).to_bytes(),
                                                            GROUP.commit_point(-5, 22).to_bytes()]
    # given commitments are used as they are: a party whose (φ, r) does not open its commitment cannot prove
    foreign = {"a": GROUP.commit_point(5, 12).to_bytes(), "b": GROUP.commit_point(-5, 22).to_bytes()}
    with pytest.raises(ValueError) as info:
        build_multi_transaction(GROUP, parties, {"a": 0, "b": 0}, amount_commitments=foreign, ledger_id=LID)
    assert str(info.value) == "(φ, r) does not open the transfer commitment of 'a'"
