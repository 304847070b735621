"""Every check of the MASCOT preprocessing: a corrupt party deviates in one sub-protocol and
every honest party must abort with that check's named MPCAbort before any triple is used."""
import pytest

from mpc.errors import MPCAbort
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.mascot.backend import MascotPreprocessing
from mpc.mascot.testing import DEVIATIONS, DeviatingMascot
from mpc.session import Session

F = PrimeField()
pytestmark = pytest.mark.usefixtures("small_mascot_batches")


def run_with_cheater(m, cheater, victim, deviation, program):
    def factory(pid, t, _prep):
        prep = (DeviatingMascot(F, t, deviation, victim) if pid == cheater
                else MascotPreprocessing(F, t))
        return Session(t, prep, F)

    return run_parties(m, program, field=F, backend="mascot", session_factory=factory, timeout=60)


async def use_triples(s):
    await s.prep.triples(8)
    return "used triples"


async def use_bits(s):
    await s.prep.random_bits(8)
    return "used bits"


@pytest.mark.parametrize("deviation", sorted(DEVIATIONS))
def test_every_honest_party_aborts_with_the_named_check(deviation):
    m, cheater, victim = 3, 1, 2
    program = use_bits if deviation == "bit" else use_triples
    res = run_with_cheater(m, cheater, victim, deviation, program)
    _, expected = DEVIATIONS[deviation]
    for pid in range(m):
        if pid == cheater:
            continue
        r = res[pid]
        assert isinstance(r, MPCAbort), f"party {pid} did not abort on {deviation}: {r!r}"
        assert isinstance(r, expected), f"party {pid}: {type(r).__name__}: {r}"
        assert expected.check in str(r)


def test_honest_run_with_the_same_programs_succeeds():
    res = run_parties(3, use_triples, field=F, backend="mascot", timeout=60)
    assert res == ["used triples"] * 3
