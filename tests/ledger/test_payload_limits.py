"""The size limits of ledger entries. The 10,000-household benchmark's payment was a
multi-transaction of 374 MB (about 37 kB of solvency proof per household). That was over the
64 MiB every entry then had, so the writer's own pre-write check failed, with a traceback
instead of a refusal. A multi-transaction now has its own limit, sized for MAX_TRANSFERS
transfers, and a writer refuses an oversized payload as a request before storing anything."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocols.ledger.chain as chain
from ledger_cases import GROUP, honest_mtx, new_ledger, snapshot
from protocols.ledger import LedgerRejected
from protocols.ledger.chain import (HASH_SIZE, SIGNATURE_SIZE, StoredEntry, canonical_json, max_payload_bytes,
                                    parse_canonical)
from protocols.ledger.rules import encode_mtx
from protocols.ledger.transactions import (MAX_CONTEXT_BYTES, MAX_ID_BYTES, MAX_TRANSFERS, PartySecrets,
                                           build_multi_transaction)
from protocols.ledger.replica import MAX_BATCH


def _payload_size(k: int) -> int:
    """Bytes of a multi-transaction payload of k transfers with the longest ids and context."""
    ids = [f"{i:0{MAX_ID_BYTES}d}" for i in range(k)]
    phis = [1] * (k - 1) + [-(k - 1)]
    secrets_ = {aid: PartySecrets(phi, GROUP.random_scalar(), 10**15, GROUP.random_scalar(),
                                  Ed25519PrivateKey.generate()) for aid, phi in zip(ids, phis)}
    mtx = build_multi_transaction(GROUP, secrets_, {aid: 2**63 - 1 for aid in ids}, bytes(MAX_CONTEXT_BYTES),
                                  ledger_id=bytes(16))
    return len(canonical_json(encode_mtx(mtx)))


def test_the_largest_multi_transaction_fits_one_entry_and_one_replication_batch():
    two, three = _payload_size(2), _payload_size(3)
    per_transfer, fixed = three - two, two - 2 * (three - two)
    assert 30_000 < per_transfer < 40_000       # the solvency proof dominates
    largest = fixed + MAX_TRANSFERS * per_transfer
    assert largest <= chain.MAX_MULTI_TRANSACTION_BYTES
    entry_overhead = 8 + 1 + len("multi_transaction") + 4 + 2 * HASH_SIZE + SIGNATURE_SIZE + 4
    assert largest + entry_overhead <= MAX_BATCH
    # 10,000 households (the benchmark) did not fit the old limit, which every kind but this keeps
    assert fixed + 10_000 * per_transfer > chain.MAX_PAYLOAD_BYTES
    assert max_payload_bytes("decision") == max_payload_bytes("open_account") == chain.MAX_PAYLOAD_BYTES


def test_a_writer_refuses_an_oversized_multi_transaction_and_stores_nothing(tmp_path, monkeypatch):
    ledger, parties = new_ledger(tmp_path, {"a": 10**9, "b": 10**9})
    mtx, _ = honest_mtx(ledger, parties, {"a": 5, "b": -5})
    size = len(canonical_json(encode_mtx(mtx)))
    before = snapshot(ledger)
    monkeypatch.setattr(chain, "MAX_MULTI_TRANSACTION_BYTES", size - 1)
    with pytest.raises(LedgerRejected) as refused:
        ledger.submit_multi_transaction(mtx)
    assert refused.value.reason == "malformed"
    assert f"a multi_transaction of {size} bytes is above the ledger's {size - 1}-byte limit" in str(refused.value)
    assert snapshot(ledger) == before
    monkeypatch.setattr(chain, "MAX_MULTI_TRANSACTION_BYTES", size)
    assert ledger.submit_multi_transaction(mtx) == before[0][0] + 1


def _entry_bytes(kind: str, payload: bytes) -> bytes:
    return StoredEntry(7, kind, payload, bytes(32), bytes(32), bytes(64)).to_bytes()


def test_readers_apply_the_limit_of_the_entry_kind(monkeypatch):
    monkeypatch.setattr(chain, "MAX_PAYLOAD_BYTES", 100)
    monkeypatch.setattr(chain, "MAX_MULTI_TRANSACTION_BYTES", 300)
    payload = b"x" * 200
    assert StoredEntry.from_bytes(_entry_bytes("multi_transaction", payload)).payload == payload
    with pytest.raises(ValueError, match="wrong length"):
        StoredEntry.from_bytes(_entry_bytes("decision", payload))
    with pytest.raises(ValueError, match="wrong length"):
        StoredEntry.from_bytes(_entry_bytes("multi_transaction", b"x" * 301))
    with pytest.raises(ValueError, match="payload too large"):
        parse_canonical(b"{}" + b" " * 299, 300)
    with pytest.raises(ValueError, match="payload too large"):
        parse_canonical(b"{}" + b" " * 99)   # the default limit is the one of most kinds
