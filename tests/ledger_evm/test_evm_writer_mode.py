"""Mode "writer": Ed25519 / SHAKE-256 batches (today's energy stage 4), checked by the writer with the
SQLite ledger's rules; the contract still enforces the writer, nonces, points and the balance arithmetic."""

from __future__ import annotations

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from protocols.ledger import authorise_issuance, open_account_request  # noqa: E402
from protocols.ledger.api import LedgerRejected  # noqa: E402
from protocols.ledger.evm import encoding as enc  # noqa: E402
from protocols.ledger.evm import open_ledger  # noqa: E402
from protocols.ledger.transactions import (PartySecrets, build_multi_transaction, next_balance_opening,  # noqa: E402
                                           raw_public_key)

LEDGER = None


def ledger():
    global LEDGER
    if LEDGER is None:
        LEDGER = open_ledger("evm:writer")
    return LEDGER


def setup_batch(prefix: str, phis: dict[str, int], balance: int = 100):
    L = ledger()
    g = L.group
    secrets_ = {}
    for aid in phis:
        key, r, name = Ed25519PrivateKey.generate(), g.random_scalar(), f"{prefix}{aid}"
        issued = authorise_issuance(L.dev_issuer, g, L.ledger_id, name, raw_public_key(key), balance, r)
        L.open_account(open_account_request(g, L.ledger_id, name, key, balance, r, issued))
        secrets_[name] = PartySecrets(phis[aid], g.random_scalar(), balance, r, key)
    nonces = {aid: L.account(aid).nonce for aid in secrets_}
    return L, secrets_, build_multi_transaction(g, secrets_, nonces, b"writer-test", ledger_id=L.ledger_id)


def test_honest_batch_and_replay():
    L, s, mtx = setup_batch("w1-", {"a": 30, "b": -30})
    L.submit_multi_transaction(mtx)
    for aid, p in s.items():
        bal, r = next_balance_opening(L.group, p.balance, p.r_balance, p.phi, p.r_phi)
        assert L.account(aid).balance_commitment == L.group.commit_point(bal, r).to_bytes()
    with pytest.raises(LedgerRejected) as info:  # the writer's rules refuse it first
        L.submit_multi_transaction(mtx)
    assert info.value.reason == "nonce"
    ts = [enc.ChainTransfer.of(t.account_id, t.amount_commitment, 0).as_abi() for t in mtx.transfers]
    with pytest.raises(LedgerRejected) as info:  # and so does the contract
        L._send("executeRelayed", ts, enc.context_hash(mtx.context), bytes(32), gas=300_000)
    assert info.value.reason == "nonce"
    L.verify_chain()


def test_forged_signature_is_refused_by_the_writer():
    L, s, mtx = setup_batch("w2-", {"a": 30, "b": -30})
    mtx.signatures["w2-b"] = Ed25519PrivateKey.generate().sign(mtx.body_bytes())
    with pytest.raises(LedgerRejected) as info:
        L.submit_multi_transaction(mtx)
    assert info.value.reason == "signature"


def test_contract_refuses_points_off_the_curve_and_other_senders():
    L, s, mtx = setup_batch("w3-", {"a": 30, "b": -30})
    ts = [enc.ChainTransfer.of(t.account_id, t.amount_commitment, 0).as_abi() for t in mtx.transfers]
    bad = [ts[0], (ts[1][0], [1, 3], 0)]
    with pytest.raises(LedgerRejected) as info:
        L._send("executeRelayed", bad, bytes(32), bytes(32), gas=300_000)
    assert info.value.reason == "bad-commitment"
    with pytest.raises(LedgerRejected) as info:
        L._send("executeRelayed", ts, bytes(32), bytes(32), gas=300_000, sender=L.w3.eth.accounts[1])
    assert info.value.reason == "writer"


def test_open_ledger_specs(tmp_path):
    from protocols.ledger import SQLiteLedger
    from protocols.ledger.evm import parse_spec

    assert parse_spec("evm") == ("attested", None, None)
    assert parse_spec("evm:onchain") == ("onchain", None, None)
    assert parse_spec("evm:http://127.0.0.1:8545") == ("attested", "http://127.0.0.1:8545", None)
    assert parse_spec("evm:attested:http://h:1#0xabc") == ("attested", "http://h:1", "0xabc")
    with pytest.raises(ValueError):
        parse_spec("evm:bogus")
    SQLiteLedger.create(tmp_path / "l.sqlite", None, Ed25519PrivateKey.generate(), bytes(32)).close()
    assert isinstance(open_ledger(tmp_path / "l.sqlite"), SQLiteLedger)
