"""A corrupt household that answers last flips the join bit of slot 1 (0 → 1), which would
send the honest parties into Stage 3 to open the sums (issue 12, item 2). Every honest
party must abort at the check right after that opening, before anything else is opened,
and nothing is written to the ledger. Fails when `open_checked` does not check."""
from mpc.errors import MacCheckFailure
from mpc.field import PrimeField
from mpc.testing import flip_first_checked_bit, rushing_factory
from private_cases import run_private, table2_dict
from protocols.ledger import default_group


def test_flipped_join_bit_aborts_before_the_sums_are_opened():
    field = PrimeField(default_group().order)
    factory = rushing_factory(flip_first_checked_bit(when=0), 1, field)
    results, ledger, before = run_private(table2_dict(days=3), session_factory=factory)
    flipped = factory.sessions[1].changed_steps
    assert len(flipped) == 1
    for pid in (0, 2, 3):
        assert isinstance(results[pid], MacCheckFailure), results[pid]
        assert factory.sessions[pid].opened_steps[-1] == flipped[0]
    assert len(ledger.entries()) == before
