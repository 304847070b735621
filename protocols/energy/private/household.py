"""One household as an input-only client of the computing parties (see .clients).

It holds its receipts (its bill values, the operator's commitments, their openings and
inclusion proofs) and its wallet (account key, balance opening), and knows the public
market and the operator's signed root. It authenticates with its account key, inputs its
committed values with the opening proof, learns the public decision and its own φ, signs
and proves its own transfer, and is told where the payment was recorded.
"""
from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from mpc.client_input import (ClientChannel, ClientInputError, answer_request, receive_notice, receive_output,
                              submit_input)
from mpc.field import PrimeField
from zkp.committed_client_input import client_blinding, prove
from zkp.groups.base import Group

from protocols.energy.market import PublicInfo
from protocols.energy.private.bills import OwnBill, encode_leaves, max_path
from protocols.energy.private.clients import client_context, decode_request
from protocols.energy.private.wallet import Wallet
from protocols.ledger.transactions import next_balance_opening, prove_solvency_for_body
from zkp.signatures import SignedRoot


@dataclass
class HouseholdSetup:
    info: PublicInfo
    scheme: str
    group: Group
    bill: OwnBill
    wallet: Wallet
    signed_root: SignedRoot
    ledger_id: bytes
    timeout: float = 60.0
    result_timeout: float = 3600.0
    progress: Optional[Callable[[str], None]] = None
    wallet_path: Optional[Path] = None   # where the caller keeps the wallet (updated after a payment)
    #: where the two proofs run (None: the event loop's default executor). Never on the event
    #: loop itself: a simulator plays thousands of households on one loop, and a proof there
    #: would hold up the others' HELLO and challenge answers past the servers' timeouts.
    proofs: Optional[Executor] = None
    #: decodes the servers' public result, which lists every household (O(N) bytes). A simulator
    #: passes one memoised decoder to all its households, so that they share one copy (read only)
    #: instead of holding N copies each until the payment: O(N^2) memory at N = 10,000.
    parse_result: Callable[[bytes], dict] = json.loads


@dataclass
class HouseholdView:
    """What the household learned: the public result, its φ (n$; None without a join), the
    ledger entry of the decision, and its wallet's new balance opening (after a payment)."""

    household: str
    result: dict
    phi: Optional[int]
    ledger_seq: Optional[int]
    new_balance: Optional[tuple[int, int]] = None
    #: seconds from the start of its session to the end, and the part spent on its own proofs
    seconds: float = 0.0
    compute_seconds: float = 0.0
    #: frames and bytes it sent to and received from all servers (ClientChannel.traffic)
    traffic: dict = field(default_factory=dict)


def channels_traffic(channels: Sequence[ClientChannel]) -> dict[str, int]:
    """The sum of every channel's traffic counts."""
    out: dict[str, int] = {}
    for ch in channels:
        for k, v in ch.traffic().items():
            out[k] = out.get(k, 0) + v
    return out


async def play_household(channels: Sequence[ClientChannel], setup: HouseholdSetup,
                         after_input: Optional[Callable[[], None]] = None) -> HouseholdView:
    """The household's whole session over `channels` (one per server, in order); raises
    ClientInputError naming the reason when it is refused or a server misbehaves.
    `after_input` is called once every server has acknowledged the input (a simulator lets
    the next households connect then)."""
    info, group, bill, wallet = setup.info, setup.group, setup.bill, setup.wallet
    say = setup.progress or (lambda msg: None)
    uid = bill.user_id
    t_start = time.perf_counter()
    compute = [0.0]
    field = PrimeField(group.order)
    ctx = client_context(info, setup.scheme, setup.signed_root)
    x_prime, r_prime = client_blinding(group)
    values = [x for row in bill.values for x in row] + [x_prime]
    randomness = [r for row in bill.randomness for r in row]
    commitments = [bytes(c) for row in bill.commitments for c in row]
    leaves = encode_leaves(info, bill, group.point_size, max_path(setup.signed_root.tree_size))

    loop = asyncio.get_running_loop()

    def timed(work: Callable[[bytes], bytes]) -> Callable[[bytes], "asyncio.Future[bytes]"]:
        def run(data: bytes) -> bytes:
            t0 = time.perf_counter()
            try:
                return work(data)
            finally:
                compute[0] += time.perf_counter() - t0
        return lambda data: loop.run_in_executor(setup.proofs, run, data)

    def attach(masked: bytes) -> bytes:
        return leaves + prove(group, ctx, uid, randomness, commitments, x_prime, r_prime, masked).to_bytes(group)

    def view(result: dict, phi: Optional[int], seq: Optional[int], new_balance=None) -> HouseholdView:
        return HouseholdView(uid, result, phi, seq, new_balance, time.perf_counter() - t_start, compute[0],
                             channels_traffic(channels))

    keys = await submit_input(channels, uid, values, field, setup.timeout, sign=wallet.signing_key.sign, context=ctx,
                              attach=timed(attach))
    if after_input is not None:
        after_input()
    say(f"{uid}: inputs accepted by {len(channels)} servers")
    public, private = await receive_output(channels, field, setup.result_timeout, keys=keys)
    result = setup.parse_result(public)
    del public
    if result.get("join_slot") is None:
        notice = json.loads(await receive_notice(channels, setup.result_timeout))
        return view(result, None, notice.get("ledger_seq"))
    if len(private) != 2:
        raise ClientInputError(f"expected φ and its randomness, got {len(private)} private outputs")
    phi, r_phi = field.signed(private[0]), int(private[1])
    cm = group.commit_point(phi, r_phi).to_bytes()

    def answer(question: bytes) -> bytes:
        req = decode_request(question)
        if req.account_id != uid or req.amount_commitment != cm or req.ledger_id != setup.ledger_id:
            raise ClientInputError("the servers asked to sign a transfer other than this household's compensation")
        body = req.body_bytes()
        proof = prove_solvency_for_body(group, body, uid, cm, wallet.balance, wallet.r_balance, phi, r_phi)
        return wallet.signing_key.sign(body) + proof

    try:
        await answer_request(channels, timed(answer), setup.result_timeout)
    except ValueError as exc:
        raise ClientInputError(f"cannot sign the payment: {exc}") from None
    notice = json.loads(await receive_notice(channels, setup.result_timeout))
    say(f"{uid}: φ = {phi} n$ recorded in ledger entry {notice.get('ledger_seq')}")
    return view(result, phi, notice.get("ledger_seq"),
                next_balance_opening(group, wallet.balance, wallet.r_balance, phi, r_phi))
