"""The run folder's chain: protocols.ledger.evm.node serves reads and raw transactions only."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

import requests  # noqa: E402  (installed with web3)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from protocols.ledger import authorise_operator  # noqa: E402
from protocols.ledger.api import LedgerRejected  # noqa: E402
from protocols.ledger.evm import open_ledger  # noqa: E402
from protocols.ledger.evm.node import start  # noqa: E402
from protocols.ledger.keys import load_key  # noqa: E402
from protocols.ledger.transactions import raw_public_key  # noqa: E402


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    key_dir = tmp_path_factory.mktemp("ledger")
    server, ann = start(key_dir, "attested")
    yield key_dir, ann
    server.shutdown()


def _rpc(url, method, params):
    r = requests.post(url, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
                      headers={"Content-Type": "application/json"}, timeout=60)
    return r.json()


def test_writer_and_readers_share_one_chain(node):
    key_dir, ann = node
    spec = f"evm:attested:{ann['url']}#{ann['contract']}"
    writer = open_ledger(spec, writer_key=bytes.fromhex((key_dir / "evm-writer.key").read_text().strip()))
    reader = open_ledger(spec, expect_ledger_id=bytes.fromhex(ann["ledger_id"]))
    assert writer.ledger_id.hex() == ann["ledger_id"] and writer.writer == ann["writer"]
    op = Ed25519PrivateKey.generate()
    reg = authorise_operator(load_key(key_dir / "issuer.key"), writer.ledger_id, "utility", raw_public_key(op))
    with pytest.raises(LedgerRejected) as info:
        reader.register_operator(reg)            # a reader holds no key: it cannot send
    assert info.value.reason == "writer"
    seq = writer.register_operator(reg)           # a raw transaction signed by the writer's own key
    assert reader.head() == writer.head() and reader.head()[0] == seq
    assert reader.operator_key("utility") == raw_public_key(op)
    reader.verify_chain()


@pytest.mark.parametrize("method,params", [
    ("eth_sendTransaction", [{"from": "0x" + "00" * 20, "to": "0x" + "11" * 20, "value": 1}]),  # unlocked accounts
    ("evm_revert", [0]), ("evm_snapshot", []), ("evm_mine", []), ("personal_sign", [])])
def test_node_refuses_everything_but_reads_and_raw_transactions(node, method, params):
    _, ann = node
    out = _rpc(ann["url"], method, params)
    assert "error" in out and "not served" in out["error"]["message"]
    assert "result" in _rpc(ann["url"], "eth_blockNumber", [])
