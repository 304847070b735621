"""What the 10,000-household run met at the payment: a multi-transaction above the ledger's
entry limit, refused by the writer's own check. Whatever the writer's ledger raises, a refusal
or a broken file, every server aborts naming it, and nothing is recorded."""
from __future__ import annotations

from mpc.errors import ActionRefused
from test_client_mode import DATA, _run


def test_an_oversized_payment_is_refused_by_the_ledger_and_every_server_aborts_with_the_reason(monkeypatch):
    """The 10,000-household payment was above the ledger's entry limit: the writer's server
    exited with a traceback and the others saw only a lost connection. Now the ledger refuses
    the request and every server aborts naming it; nothing is recorded."""
    import protocols.ledger.chain as chain

    monkeypatch.setattr(chain, "MAX_MULTI_TRANSACTION_BYTES", 10_000)
    _, servers, views, ledger, before = _run(DATA)
    for s in servers:
        assert isinstance(s, ActionRefused), s
        assert "the ledger refused the payment: malformed: a multi_transaction of" in str(s)
        assert "above the ledger's 10000-byte limit" in str(s)
    assert len(ledger.entries()) == before
    assert all(isinstance(v, BaseException) for v in views)


def test_a_writer_whose_ledger_file_breaks_at_the_payment_makes_every_server_abort_with_the_reason(monkeypatch):
    from protocols.ledger import LedgerCorrupted, SQLiteLedger

    def broken(self, mtx):
        raise LedgerCorrupted("disk I/O error", 99)

    monkeypatch.setattr(SQLiteLedger, "submit_multi_transaction", broken)
    _, servers, views, ledger, before = _run(DATA)
    for s in servers:
        assert isinstance(s, ActionRefused), s
        assert "the ledger refused the payment: entry 99: disk I/O error" in str(s)
    assert len(ledger.entries()) == before
