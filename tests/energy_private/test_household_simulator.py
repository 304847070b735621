"""The household simulator (`python -m protocols.energy.household --all`) keeps every household
within the servers' timeouts however many it plays: the 10,000-household benchmark lost 67
households to the servers' 10 s HELLO timeout, because the simulator connected them all at
once and computed the others' proofs on the event loop meanwhile, and then lost the rest
because they stopped waiting for their results before the servers sent them."""
from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace

import pytest

import mpc.client_input
import protocols.energy.private.household as household_module
from protocols.energy.household import _play_all, build_parser
from test_client_mode import DATA, _assert_matches_reference, _play, _run


def _setup(uid: str) -> SimpleNamespace:
    return SimpleNamespace(bill=SimpleNamespace(user_id=uid), timeout=None, result_timeout=None, proofs=None,
                           wallet=None)


def _view(uid: str) -> SimpleNamespace:
    return SimpleNamespace(household=uid, phi=1, result={"join_slot": 3}, ledger_seq=7, new_balance=None,
                           seconds=0.0, compute_seconds=0.0, traffic={})


@pytest.mark.parametrize("concurrency", [1, 3])
def test_at_most_concurrency_households_are_between_connecting_and_acknowledgement(monkeypatch, concurrency):
    state = {"between": 0, "most": 0}
    seen = []

    async def connect(servers, timeout):
        state["between"] += 1
        state["most"] = max(state["most"], state["between"])
        return []

    async def play(channels, hs, after_input=None):
        seen.append((hs.timeout, hs.result_timeout, hs.proofs))
        await asyncio.sleep(0.01)        # the servers answer the input
        state["between"] -= 1
        after_input()
        await asyncio.sleep(0.05)        # waiting for the result does not hold the gate
        return _view(hs.bill.user_id)

    monkeypatch.setattr(mpc.client_input, "connect_servers", connect)
    monkeypatch.setattr(household_module, "play_household", play)
    setups = [_setup(f"u{i}") for i in range(12)]
    out = asyncio.run(_play_all(setups, [("h", 1), ("h", 2)], 5.0, concurrency, lambda msg: None, wait=777.0))
    assert [v["status"] for v in out] == ["done"] * 12
    assert state["most"] == concurrency
    assert {(t, w) for t, w, _ in seen} == {(5.0, 777.0)}
    assert all(p is not None for _, _, p in seen)   # one proof thread for the simulator


def test_a_household_refused_midway_frees_its_place(monkeypatch):
    async def connect(servers, timeout):
        return []

    async def play(channels, hs, after_input=None):
        if hs.bill.user_id == "u0":
            raise mpc.client_input.ClientInputError("server 0 rejected the client: unknown")
        after_input()
        return _view(hs.bill.user_id)

    monkeypatch.setattr(mpc.client_input, "connect_servers", connect)
    monkeypatch.setattr(household_module, "play_household", play)
    out = asyncio.run(asyncio.wait_for(_play_all([_setup(f"u{i}") for i in range(4)], [], 5.0, 1, lambda m: None),
                                       10.0))
    assert [v["status"] for v in out] == ["refused", "done", "done", "done"]


def test_the_wait_option_sets_how_long_a_household_waits_for_its_result():
    base = ["--workdir", "w", "--all", "--servers", "a:1,b:2"]
    assert build_parser().parse_args(base).wait == 3600.0
    assert build_parser().parse_args(base + ["--wait", "9000"]).wait == 9000.0


def test_the_households_proofs_run_off_the_event_loop_and_the_result_is_unchanged(monkeypatch):
    """Both proofs (the input's opening proof and the transfer's solvency proof) run in a worker
    thread, not on the thread of the event loop that serves the connections."""
    threads = {"opening": set(), "solvency": set()}

    def recorded(kind, real):
        def run(*args, **kwargs):
            threads[kind].add(threading.current_thread() is threading.main_thread())
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(household_module, "prove", recorded("opening", household_module.prove))
    monkeypatch.setattr(household_module, "prove_solvency_for_body",
                        recorded("solvency", household_module.prove_solvency_for_body))
    _, servers, views, _, _ = _run(DATA)
    assert threads == {"opening": {False}, "solvency": {False}}
    _assert_matches_reference(DATA, servers, views)



def test_the_simulators_households_share_one_decoded_public_result(monkeypatch):
    """At 10,000 households each simulator process held 5,000 decoded copies of the public
    result (which lists every household) through the payment: about 4.8 GB each."""
    parsers = []

    async def connect(servers, timeout):
        return []

    async def play(channels, hs, after_input=None):
        parsers.append(hs.parse_result)
        after_input()
        return _view(hs.bill.user_id)

    monkeypatch.setattr(mpc.client_input, "connect_servers", connect)
    monkeypatch.setattr(household_module, "play_household", play)
    asyncio.run(_play_all([_setup(f"u{i}") for i in range(3)], [], 5.0, 3, lambda m: None))
    assert len(parsers) == 3 and len({id(p) for p in parsers}) == 1
    received = [bytes(b'{"join_slot": 5, "group": ["u1", "u2"]}') for _ in range(3)]   # one bytes object each
    decoded = [parsers[0](b) for b in received]
    assert decoded[0] == {"join_slot": 5, "group": ["u1", "u2"]}
    assert decoded[0] is decoded[1] is decoded[2]


def test_a_household_decodes_the_public_result_with_its_setups_decoder():
    calls = []

    async def counted(connect, hs):
        def parse(data: bytes) -> dict:
            calls.append(data)
            return json.loads(data)
        hs.parse_result = parse
        return await _play(connect, hs)

    _, servers, views, _, _ = _run(DATA, households={"u1": counted})
    assert len(calls) == 1 and json.loads(calls[0])["join_slot"] == 6
    _assert_matches_reference(DATA, servers, views)
