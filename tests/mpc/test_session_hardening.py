"""Attacks on the session API by a corrupt party 1, each stopped by one rule of the engine
(issue 12, items 2-5 and 7). Every test performs the attack; each was confirmed to fail
with its rule removed (see the docstrings)."""
from pathlib import Path

import pytest

import mpc.session as session_module
from mpc import comparison as C
from mpc.errors import BroadcastInconsistency, InputOutOfRange, MacCheckFailure, MPCAbort, SessionFailure
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.codec import encode_vector
from mpc.session import Session, commit_bytes
from mpc.shares import AuthVector
from mpc.testing import RANGE_CHEAT_FACTOR, cheating_factory, flip_first_checked_bit, rushing_factory

F = PrimeField()
REPO = Path(__file__).resolve().parents[2]


def honest(results, cheater=1):
    return [r for pid, r in enumerate(results) if pid != cheater]


# --- item 3: the abort is latched -----------------------------------------------------------
class KeyRecoverer(Session):
    """Party 1 adds δ to its share of an output, sends a malformed MAC-check reveal (so the
    honest parties fail only after revealing their own check values), recovers the MAC key
    α from those values, and then forges the next output with a MAC that passes."""

    delta, forged_delta = 1, 1000

    def __init__(self, *args, coefficients, **kwargs):
        super().__init__(*args, **kwargs)
        self.coefficients = coefficients
        self.alpha = None
        self.phase = "shift"
        self._reveals = None

    def _open_shares(self, values):
        values = list(values)
        if self.phase == "shift":
            values[0] = (values[0] + self.delta) % F.q
        elif self.phase == "forge":
            values[0] = (values[0] + self.forged_delta) % F.q
        return values

    async def open(self, x):
        total = await super().open(x)
        if self.phase == "forge":   # a MAC share that matches the forged value, now that α is known
            self._pending_macs[-1] = (self._pending_macs[-1] + self.alpha * self.forged_delta) % F.q
        return total

    async def broadcast_bytes(self, payload, size):
        if self.phase != "shift" or size != F.nbytes + 64:
            return await super().broadcast_bytes(payload, size)
        # the MAC-check reveal: send it truncated, read the honest parties' reveals, and
        # record in the transcript exactly what the honest parties will have recorded
        label = self._next_label()
        for p in range(self.m):
            if p != self.pid:
                self.transport.send(p, label, payload[:-1])
        got = await self._gather(label, [p for p in range(self.m) if p != self.pid])
        self._transcript.update((0).to_bytes(4, "little") + got[0])
        self._reveals = {**got, self.pid: payload}
        return [self._reveals[p] for p in range(self.m)]

    async def mac_check(self):
        if self.phase != "shift":
            return await super().mac_check()
        try:
            await super().mac_check()
        except MPCAbort:
            pass
        # Σ_p σ_p = −α·c·δ for the one opened value: every σ_p is known now
        w = F.nbytes
        total = sum(int.from_bytes(self._reveals[p][:w], "little") for p in range(self.m)) % F.q
        c = self.coefficients[-1][0]
        self.alpha = (-total * F.inverse(c * self.delta)) % F.q
        self._aborted = None                   # the cheater's own session goes on
        self._pending_values.clear()
        self._pending_macs.clear()
        self.phase = "forge"


def test_a_caught_abort_cannot_be_followed_by_a_forged_output(monkeypatch):
    """Without the latch (and with pending values dropped at the failed check), the honest
    parties' second output returns 7 + 1000 and passes its MAC check."""
    coefficients = []
    real = session_module.prg_elements

    def recording(field, seed, label, n):
        out = real(field, seed, label, n)
        if label == b"mac-check":
            coefficients.append(out)
        return out

    monkeypatch.setattr(session_module, "prg_elements", recording)
    sessions = {}

    def factory(pid, t, prep):
        s = KeyRecoverer(t, prep, F, coefficients=coefficients) if pid == 1 else Session(t, prep, F)
        sessions[pid] = s
        return s

    async def careless_program(s):
        x = await s.input(0, [7] if s.pid == 0 else None, 1)
        try:
            await s.output(x)
        except MPCAbort:
            pass  # a careless program catches the abort and goes on
        return await s.output(x)

    res = run_parties(3, careless_program, field=F, session_factory=factory, timeout=5)
    alpha = sum(sessions[p].key.alpha for p in range(3)) % F.q
    assert sessions[1].alpha == alpha  # the key is burnt: the honest check values revealed it
    for r in honest(res):
        assert isinstance(r, MPCAbort) and "already aborted" in str(r), r


def test_any_exception_inside_a_session_method_latches_the_abort():
    async def program(s):
        x = await s.input(0, [1, 2] if s.pid == 0 else None, 2)
        with pytest.raises(ValueError):
            await s.mul(x, x[:1])          # a local error inside the session
        with pytest.raises(SessionFailure, match="already aborted"):
            await s.open(x)
        return "went on"

    for r in run_parties(2, program, field=F, timeout=5):
        assert isinstance(r, SessionFailure), r   # close() raises the latched abort again


# --- item 4: close checks the transcript ----------------------------------------------------
@pytest.mark.parametrize("kind", ["everyone", "one sender"])
def test_close_catches_an_equivocated_broadcast_with_nothing_opened(kind):
    """Before the fix close() checked only when opened values were pending: party 0 and
    party 2 ended with different broadcast values and no abort."""
    async def program(s):
        if kind == "everyone":
            return await s.broadcast_bytes(bytes([s.pid]) * 8, 8)
        return await s.broadcast_from(1, b"party 1 says" if s.pid == 1 else b"")

    res = run_parties(3, program, field=F, session_factory=cheating_factory("broadcast", 1, F), timeout=5)
    for r in honest(res):
        assert isinstance(r, BroadcastInconsistency), r


def test_a_check_with_nothing_new_costs_no_round():
    async def program(s):
        x = await s.input(0, [3] if s.pid == 0 else None, 1)
        out = await s.output(x)
        before = s.stats.rounds
        await s.mac_check()
        return out, s.stats.rounds - before

    for out, extra in run_parties(3, program, field=F):
        assert out == [3] and extra == 0


# --- item 2: values that decide what happens next ------------------------------------------
async def loop_program(s):
    """A loop whose stop condition is an opened comparison: stop at the first x_t > 5."""
    xs = await s.input(0, [1, 2, 9, 3, 4] if s.pid == 0 else None, 5)
    seen = []
    for t in range(5):
        (stop,) = await s.open_checked(await C.less_than(s, AuthVector.public(s.key, [5]), xs[t:t + 1], 8))
        seen.append(t)
        if stop:
            break
    return seen


def test_a_flipped_loop_condition_aborts_before_anything_else_is_opened():
    """Party 1 answers last and turns the stop bit at t = 2 into 0. With `open` in place of
    `open_checked`, the honest parties go on to t = 3 and open its masked comparison
    before any check fails."""
    factory = rushing_factory(flip_first_checked_bit(when=1), 1, F)
    res = run_parties(3, loop_program, field=F, session_factory=factory, timeout=5)
    flipped = factory.sessions[1].changed_steps
    assert len(flipped) == 1
    for pid in (0, 2):
        assert isinstance(res[pid], MacCheckFailure), res[pid]
        assert factory.sessions[pid].opened_steps[-1] == flipped[0]


def test_the_loop_without_a_cheater():
    for r in run_parties(3, loop_program, field=F):
        assert r == [0, 1, 2]


# --- item 5: inputs are range-checked -------------------------------------------------------
async def compare_program(s):
    """Party 0 and party 1 input one signed 32-bit value each; compare and take the min."""
    xs = await s.input_many({s.pid: [100 + s.pid]}, {0: 1, 1: 1}, bits=32)
    lt = await C.less_than(s, xs[0], xs[1], 32)
    mn = await C.minimum(s, xs[0], xs[1], 32)
    return await s.output_signed(AuthVector.concat([lt, mn]))


def test_an_input_of_three_times_two_to_the_k_is_refused():
    """Without the range check (bits ignored), less_than returns −2 and every MAC check passes."""
    res = run_parties(3, compare_program, field=F, session_factory=cheating_factory("range", 1, F), timeout=5)
    for r in honest(res):
        assert isinstance(r, InputOutOfRange), r
        assert "party 1" in str(r) and "32-bit" in str(r)
    assert RANGE_CHEAT_FACTOR == 3


def test_demo_processes_abort_on_an_out_of_range_input(tmp_path):
    from tests.mpc.test_processes import finish, start_parties
    res = finish(start_parties(3, ["--length", "3", "--cheat", "range", "--timeout", "10"], tmp_path))
    for pid in (0, 2):
        rc, _, stderr = res[pid]
        assert rc == 1
        assert f"ABORT (party {pid}): input range failed: party 1 input a value outside its declared range" in stderr


def test_range_checked_inputs_compute_correctly_at_the_edges():
    lo, hi = -(1 << 31), (1 << 31) - 1
    values = {0: [lo, 5, hi, 0], 1: [hi, 5, lo, -1]}

    async def program(s):
        xs = await s.input_many({s.pid: values.get(s.pid)}, {0: 4, 1: 4}, bits=32)
        lt = await C.less_than(s, xs[0], xs[1], 32)
        return await s.output_signed(AuthVector.concat([xs[0], lt]))

    for r in run_parties(3, program, field=F):
        assert r == values[0] + [1, 0, 0, 0]


def test_an_honest_out_of_range_value_ends_the_session_without_revealing_it():
    async def program(s):
        xs = await s.input(0, [1 << 40] if s.pid == 0 else None, 1, bits=32)
        return await s.output(xs)

    for r in run_parties(3, program, field=F, timeout=5):
        assert isinstance(r, InputOutOfRange) and "party 0" in str(r), r


# --- item 7: selective abort, as documented ------------------------------------------------
class SelectiveAborter(Session):
    """Party 1 plays the last check honestly towards party 0 and wrongly towards party 2:
    towards party 2 it commits to and reveals a check value off by one."""

    async def mac_check(self):
        f = self.field
        count = len(self._pending_values)
        coeffs = self.challenge(b"mac-check", count)
        sigma = (f.dot(coeffs, self._pending_macs) - self.key.alpha * f.dot(coeffs, self._pending_values)) % f.q
        digest, nonce = self._transcript.digest(), b"\x07" * 32
        bodies = {p: encode_vector(f, [(sigma + (p == 2)) % f.q]) + digest for p in (0, 2)}
        for step, message in ((self._next_label(), lambda b: commit_bytes(b, nonce)),
                              (self._next_label(), lambda b: b + nonce)):
            for p in (0, 2):
                self.transport.send(p, step, message(bodies[p]))
            await self._gather(step, [0, 2])
        self._pending_values.clear()
        self._pending_macs.clear()
        self._unchecked = False


def test_selective_abort_is_what_the_readme_promises():
    """A cheater who saw the output can make party 2 abort while party 0 outputs; party 0's
    output is still correct. The trust model states exactly this (security with selective
    abort), so the test also checks the README line."""
    def factory(pid, t, prep):
        return SelectiveAborter(t, prep, F) if pid == 1 else Session(t, prep, F)

    async def program(s):
        x = await s.input(0, [41] if s.pid == 0 else None, 1)
        return await s.output(x + 1)

    res = run_parties(3, program, field=F, session_factory=factory, timeout=5)
    assert res[0] == [42]
    assert isinstance(res[2], MPCAbort), res[2]
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "selective abort" in readme and "a cheater who has seen an output can make some honest parties abort" in readme
