"""One party's whole private group purchase: Stages 0–4 in one SPDZ session (seed §6).

Party p plays user p of the scenario (scenario order).  What it knows beforehand: the public
plan data (`PublicInfo`), its own receipts from the utility operator (`OwnBill`), its account
wallet, and read access to the ledger (the signed root, the operator key, the accounts).
What it learns: the per-slot join decisions, the two sums of Algorithm 3 step 4 at the join
slot (and at a slot where proportional sharing is refused), the public rounding deficit, and
its own φ_i — the result JSON holds only its own φ_i unless `reveal_all` (testing only) opens
every φ_i to everyone.

Nothing is written to the ledger unless every check of every stage passed: the host submits
the multi-transaction and records the decision only at the very end. Every stage that may
have written ends with every party's ledger replica at the same verified head.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Optional

from mpc.errors import ProofFailure
from mpc.session import Session
from zkp.groups.base import Group

from protocols.energy.private.bills import OwnBill, PublicInfo, arrange_bills, share_bills
from protocols.energy.private.compensation import compensate, open_to_owners, reveal_sums
from protocols.energy.private.payments import open_accounts, pay, session_context
from protocols.energy.private.two_state import RuleRunner, group_costs
from protocols.energy.private.wallet import Wallet
from protocols.energy.reference.compensation import CompensationRefused
from protocols.ledger.api import WRITE_FAILURES, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.replica import agree_on_head, replicate
from protocols.ledger.sqlite_ledger import SQLiteLedger
from protocols.ledger.transactions import MultiTransaction

STAGES = ("stage0_accounts", "stage1_inputs", "stage2_wfa", "stage3_compensation", "stage4_payments")


@dataclass
class PartySetup:
    """Everything one party brings to the session."""

    info: PublicInfo
    scheme: str
    group: Group
    bill: OwnBill
    wallet: Wallet
    ledger: Ledger
    operator_id: str = "utility"
    reveal_all: bool = False
    host: int = 0
    progress: Optional[Callable[[str], None]] = None


@dataclass
class PartyResult:
    """What one party ends with: the spec's JSON (its view), its φ_i, per-stage costs."""

    party: int
    user_id: str
    result: dict
    own_phi: Optional[int]
    stages: dict = field(default_factory=dict)
    sums: Optional[tuple[int, int]] = None
    deficit: Optional[int] = None
    ledger_seq: Optional[int] = None
    mtx: Optional[MultiTransaction] = None
    new_balance: Optional[tuple[int, int]] = None


async def group_purchase(session: Session, setup: PartySetup) -> PartyResult:
    """Run Stages 0–4 for this party; raises MPCAbort (at every honest party) on any failed check."""
    info, group, me = setup.info, setup.group, session.pid
    say = setup.progress or (lambda msg: None)

    with session.stage("stage0_accounts"):
        await agree_on_market(session, info, setup.scheme)
        say("stage 0: accounts on the ledger")
        await open_accounts(session, group, setup.ledger, info.user_ids, setup.wallet, setup.host)
        await sync_ledger(session, setup.ledger, setup.host)

    with session.stage("stage1_inputs"):
        say(f"stage 1: sharing {info.n_slots} slots of bill data, checking Merkle paths and Π_dzkpCm")
        signed_root = setup.ledger.latest_root(setup.operator_id)
        op_key = setup.ledger.operator_key(setup.operator_id)
        shared = await share_bills(session, group, info, setup.bill, signed_root, op_key,
                                   context=signed_root.to_bytes())
        bills = arrange_bills(info, shared)

    per_slot, comp, join_slot = await decide(session, info, bills, setup.scheme, say)
    if comp is None:
        with session.stage("stage4_payments"):
            say("no join: the group stays on its individual plans, nothing to pay")
            decision = {"join_slot": None, "scheme": setup.scheme, "group": list(info.user_ids),
                        "per_slot": per_slot, "root": signed_root.root.hex()}
            # act_and_agree MAC-checks the decisions opened in Stage 2 before anything is recorded
            await session.act_and_agree(
                setup.host, lambda: _record(setup.ledger, decision), WRITE_FAILURES,
                "the ledger refused the decision")
            await sync_ledger(session, setup.ledger, setup.host)
        result = _result_json(info, setup.scheme, None, per_slot, {})
        return PartyResult(me, info.user_ids[me], result, None, session.stage_report())

    say(f"stage 3: join at slot {join_slot}; ΣC(g) = {comp.sum_group} n$, ΣC(E\\g) = {comp.sum_outside} n$, "
        f"deficit {comp.deficit}")
    with session.stage("stage3_compensation"):
        own_phi = await open_to_owners(session, comp.phi)
        phis = {info.user_ids[me]: own_phi}
        if setup.reveal_all:
            phis = dict(zip(info.user_ids, await session.output_signed(comp.phi)))
    say(f"stage 3: my net compensation φ = {own_phi} n$ ({'pay' if own_phi > 0 else 'receive'})")

    with session.stage("stage4_payments"):
        say("stage 4: Cm(φ_i), Π_dzkpCm, zero-sum and solvency proofs, multi-transaction")
        decision = {"join_slot": join_slot, "scheme": setup.scheme, "group": list(info.user_ids),
                    "per_slot": per_slot, "sum_group": comp.sum_group, "sum_outside": comp.sum_outside,
                    "deficit": comp.deficit, "root": signed_root.root.hex()}
        paid = await pay(session, group, setup.ledger, info.user_ids, setup.wallet, comp.phi, own_phi,
                         session_context(signed_root.to_bytes(), setup.scheme, join_slot), decision, setup.host)
        await sync_ledger(session, setup.ledger, setup.host)
    say(f"stage 4: multi-transaction recorded on the ledger as entry {paid.seq}")
    result = _result_json(info, setup.scheme, join_slot, per_slot, phis)
    return PartyResult(me, info.user_ids[me], result, own_phi, session.stage_report(),
                       (comp.sum_group, comp.sum_outside), comp.deficit, paid.seq, paid.mtx, paid.new_balance)


async def decide(session: Session, info: PublicInfo, bills, scheme: str,
                 say: Callable[[str], None]) -> tuple[list[dict], Optional[object], Optional[int]]:
    """Stages 2 and 3: the two-state rule slot by slot (each decision MAC-checked before it is
    used) until a slot joins and its compensations can be computed. Returns the per-slot
    decisions, the shared compensation (None: no join) and the join slot."""
    with session.stage("stage2_wfa"):
        say("stage 2: two-state social rule, slot by slot")
        kappa_g = await group_costs(session, info, bills)
        rule = RuleRunner(session, info, bills, kappa_g)
    per_slot: list[dict] = []
    while True:
        with session.stage("stage2_wfa"):
            outcome = await rule.next_decision()
        if outcome is None:
            return per_slot, None, None
        state = outcome.state
        entry = {"slot": state.slot, "join": outcome.join}
        per_slot.append(entry)
        say(f"stage 2: slot {state.slot}: {'join' if outcome.join else 'stay'}")
        if not outcome.join:
            continue
        with session.stage("stage3_compensation"):
            sums = await reveal_sums(session, outcome, info.c_g)
            try:
                comp = await compensate(session, outcome, info.c_g, scheme, sums)
            except CompensationRefused as exc:
                entry["join"] = False
                entry["refused"] = str(exc)
                say(f"stage 3: slot {state.slot}: {exc}; the rule goes on")
                continue
        return per_slot, comp, state.slot


async def sync_ledger(session: Session, ledger: Ledger, host: int) -> None:
    """End a stage in which the host may have written: every party's ledger holds the same
    verified history (each party on its own replica file, protocols.ledger.replica), or, for
    a ledger replicated by other means, every party verifies the history it reads and all
    read the same head."""
    if isinstance(ledger, SQLiteLedger):
        await replicate(session, ledger, writer=host)
        return
    # replicated by other means (a chain): each party re-verifies the history it reads itself —
    # what the chain cannot check (issuer, consent and root signatures) included — then all
    # compare heads, as replicas do after replicate()
    failure = None
    try:
        ledger.verify_chain()
    except (LedgerCorrupted, LedgerRejected) as exc:
        failure = f"its ledger does not verify: {exc}"
    await agree_on_head(session, ledger, failure)


async def agree_on_market(session: Session, info: PublicInfo, scheme: str) -> None:
    """Abort unless every party computes on the same public market (households, slots, group
    plan, scheme): a party handed another market file would otherwise compute another function."""
    mine = hashlib.sha256(info.digest() + scheme.encode()).digest()
    digests = await session.broadcast_bytes(mine, 32)
    differ = [p for p, d in enumerate(digests) if d != digests[session.pid]]
    if differ:
        raise session.abort(ProofFailure(f"market description: parties {differ} hold another public market "
                                         f"than party {session.pid}"))


def _record(ledger: Ledger, decision: dict) -> bytes:
    return ledger.record_decision("energy-group-purchase", decision).to_bytes(8, "big")


def _result_json(info: PublicInfo, scheme: str, join_slot: Optional[int], per_slot: list[dict],
                 phis: dict[str, int]) -> dict:
    """The result object of docs/specs/energy.md, with the φ entries this party may show."""
    return {"join_slot": join_slot, "scheme": scheme, "group": list(info.user_ids), "per_slot": per_slot,
            "net_compensation": {u: phis[u] for u in info.user_ids if u in phis}, "unit": "nano-dollar"}
