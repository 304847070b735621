"""What the EVM cannot check (Ed25519 issuer, consent and root signatures; ledger ids) the writer
refuses before sending, exactly as the SQLite ledger refuses it — and a writer that skips its
checks is caught by every reader (verify_chain), since the contract records what it was sent."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from evm_cases import GROUP, batch, fresh_ids, issued_opening, open_holders  # noqa: E402

from protocols.ledger import authorise_operator  # noqa: E402
from protocols.ledger.api import LedgerCorrupted, LedgerRejected  # noqa: E402
from protocols.ledger.evm import encoding as enc  # noqa: E402
from protocols.ledger.evm import scheme  # noqa: E402
from protocols.ledger.evm.contract import GAS  # noqa: E402
from protocols.ledger.evm.ledger import EvmLedger  # noqa: E402
from protocols.ledger.transactions import raw_public_key  # noqa: E402
from zkp.merkle import MerkleTree  # noqa: E402
from zkp.signatures import sign_root  # noqa: E402


@pytest.fixture(scope="module")
def ledger():
    return EvmLedger.in_process(mode="attested")


def _rejected(reason, fn, *args, **kw):
    with pytest.raises(LedgerRejected) as info:
        fn(*args, **kw)
    assert info.value.reason == reason, str(info.value)


def test_ledger_id_is_the_deployments(ledger):
    assert len(ledger.ledger_id) == 16 and ledger.ledger_id == ledger.tag[:16]
    other = EvmLedger.in_process(mode="attested", issuer_key=ledger.issuer_key)
    assert other.ledger_id != ledger.ledger_id          # another contract address
    with pytest.raises(LedgerCorrupted):
        EvmLedger(ledger.w3, ledger.address, expect_ledger_id=other.ledger_id)
    reader = EvmLedger(ledger.w3, ledger.address, expect_ledger_id=ledger.ledger_id)
    _rejected("writer", reader.record_decision, "x", {})  # a reader cannot send


def test_openings_need_the_issuer_and_the_holder(ledger):
    (a,) = fresh_ids("issuer", 1)
    h = scheme.EvmAccountHolder.fresh(GROUP, a, 10)
    good = issued_opening(ledger, h)
    forged_issuer = dataclasses.replace(good, issuer_signature=Ed25519PrivateKey.generate().sign(b"x" * 10))
    _rejected("issuer-signature", ledger.open_account, forged_issuer)
    stranger = scheme.EvmAccountHolder.fresh(GROUP, a, 10)
    consent = scheme.sign_digest(stranger.key, scheme.consent_digest(ledger.ledger_id, a, h.public_key,
                                                                     good.balance_commitment))
    _rejected("account-signature", ledger.open_account, dataclasses.replace(good, account_signature=consent))
    _rejected("balance-proof", ledger.open_account,
              dataclasses.replace(good, balance_proof=stranger.opening_proof(GROUP, ledger.tag)))
    ledger.open_account(good)
    _rejected("duplicate-account", ledger.open_account, good)


def test_operators_and_roots_follow_the_sqlite_rules(ledger):
    (oid,) = fresh_ids("op", 1)
    key = Ed25519PrivateKey.generate()
    reg = authorise_operator(ledger.dev_issuer, ledger.ledger_id, oid, raw_public_key(key))
    _rejected("issuer-signature", ledger.register_operator,
              authorise_operator(Ed25519PrivateKey.generate(), ledger.ledger_id, oid, raw_public_key(key)))
    ledger.register_operator(reg)
    _rejected("duplicate-operator", ledger.register_operator, reg)
    tree = MerkleTree([b"leaf-1", b"leaf-2"])
    root = lambda **kw: sign_root(**{"key": key, "tree": tree, "timestamp": 100, "operator_id": oid,  # noqa: E731
                                     "ledger_id": ledger.ledger_id, "epoch": 1, **kw})
    _rejected("ledger-id", ledger.publish_root, oid, root(ledger_id=bytes(16)))
    _rejected("operator-signature", ledger.publish_root, oid, root(key=Ed25519PrivateKey.generate()))
    ledger.publish_root(oid, root())
    assert ledger.latest_root(oid).root == tree.root and ledger.latest_root(oid).epoch == 1
    _rejected("root-epoch", ledger.publish_root, oid, root(timestamp=200))
    _rejected("root-timestamp", ledger.publish_root, oid, root(epoch=2))
    # the contract itself refuses an old epoch even from the writer skipping its checks
    old = root(epoch=1, timestamp=300)
    _rejected("root-epoch", ledger._send, "publishRoot", enc.operator_key(oid), 1, 300, old.to_bytes(),
              gas=GAS["publishRoot"](300))
    ledger.publish_root(oid, root(epoch=2, timestamp=200))
    ledger.verify_chain()


def test_batches_name_this_ledger(ledger):
    a, b = fresh_ids("lid", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, _ = batch(ledger, holders, {a: 1, b: -1})
    mtx.ledger_id = bytes(16)
    _rejected("ledger-id", ledger.submit_multi_transaction, mtx)


def test_a_writer_skipping_its_checks_is_caught_by_every_reader():
    """The contract cannot check Ed25519: a writer that sends an unauthorised opening gets it
    recorded, and every reader's verify_chain refuses the history."""
    ledger = EvmLedger.in_process(mode="attested")
    ledger.verify_chain()
    (a,) = fresh_ids("mint", 1)
    h = scheme.EvmAccountHolder.fresh(GROUP, a, 10**12)
    forged = dataclasses.replace(issued_opening(ledger, h), issuer_signature=bytes(64))  # minted without the issuer
    blob = forged.to_bytes()
    ledger._send("openAccount", enc.account_key(a), a, ledger.w3.to_checksum_address("0x" + h.address.hex()),
                 h.public_key, list(enc.point_words(forged.balance_commitment)), blob, gas=GAS["openAccount"](len(blob)))
    reader = EvmLedger(ledger.w3, ledger.address)
    with pytest.raises(LedgerCorrupted, match="issuer"):
        reader.verify_chain()
    reader.verify_chain(check_proofs=False)   # the fast path takes the writer's word, as SQLite's does


def test_unknown_operator_other_operator_id_and_bad_decisions(ledger):
    a, b = fresh_ids("opid", 2)
    key = Ed25519PrivateKey.generate()
    ledger.register_operator(authorise_operator(ledger.dev_issuer, ledger.ledger_id, a, raw_public_key(key)))
    tree = MerkleTree([b"x", b"y"])
    for_b = sign_root(key, tree, 5, operator_id=b, ledger_id=ledger.ledger_id, epoch=1)
    _rejected("unknown-operator", ledger.publish_root, b, for_b)
    _rejected("operator-id", ledger.publish_root, a, for_b)
    _rejected("unknown-operator", ledger._send, "publishRoot", enc.operator_key(b), 1, 5, for_b.to_bytes(),
              gas=GAS["publishRoot"](300))                       # the contract refuses it too
    _rejected("decision", ledger.record_decision, "", {"x": 1})
    _rejected("decision", ledger._send, "recordDecision", "", b"{}", gas=GAS["recordDecision"](2))
    _rejected("malformed", ledger.submit_multi_transaction, "not a batch")
