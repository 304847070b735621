"""A corrupt server that answers last flips an opened value that decides what the servers
do next (issue 12, item 2): the DANTM stop bit, the uniform auction's first probe bit.
Every honest server must abort at the check that follows that opening, before anything
else is opened, and no bidder gets a result. Both tests fail when `open_checked` does not
check (the honest servers then open the next round's values first)."""
from mpc.errors import MacCheckFailure
from mpc.field import PrimeField
from mpc.testing import flip_first_checked_bit, rushing_factory
from protocols.auction.market_file import Buyer, Market, Seller
from protocols.auction.private.local import run_local
from tests.auction_private.test_private_uniform import market as uniform_market

F = PrimeField()


def assert_abort_right_after_the_flip(factory, servers, bidders):
    flipped = factory.sessions[1].changed_steps
    assert len(flipped) == 1
    for pid in (0, 2):
        assert isinstance(servers[pid], MacCheckFailure), servers[pid]
        assert factory.sessions[pid].checked_steps[-1] == flipped[0]
        assert factory.sessions[pid].opened_steps[-1] == flipped[0], "opened something after the flipped value"
    assert all(b["status"] == "rejected" for b in bidders)


def test_dantm_flipped_stop_bit_aborts_before_the_extra_round_is_opened():
    # no bid reaches any ask: the first round's stop bit is 1; the cheater turns it into 0,
    # which would make the honest servers serve (and open) a losing bid
    m = Market((Buyer("b0", 3, 1, 2), Buyer("b1", 2, 1, 1)), (Seller("s0", 9, 1, 2), Seller("s1", 8, 2, 1)))
    factory = rushing_factory(flip_first_checked_bit(when=1), 1, F)
    servers, bidders = run_local("dantm", m, session_factory=factory, timeout=10)
    assert_abort_right_after_the_flip(factory, servers, bidders)


def test_uniform_flipped_probe_bit_aborts_before_the_next_probe():
    m = uniform_market([1, 2, 3, 4, 5], [[9, 7, 5, 3, 1], [4, 4, 2, 2, 0]], [[0, 2, 4, 6, 8], [1, 1, 3, 3, 5]])
    factory = rushing_factory(flip_first_checked_bit(), 1, F)
    servers, bidders = run_local("uniform", m, session_factory=factory, timeout=10)
    assert_abort_right_after_the_flip(factory, servers, bidders)
