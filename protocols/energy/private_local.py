"""The private group purchase with every party in one process (tests, benchmarks, examples).

`prepare` plays the utility operator (commits every bill, publishes the signed root on the
ledger) and hands each user its receipts and a fresh funded wallet; `run_local` then runs
`private_session.group_purchase` for all parties over the in-memory transport.  The
multi-process CLI (`protocols.energy.run`) does the same per process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from mpc.field import PrimeField
from mpc.local import run_parties

from protocols.energy.model import Scenario
from protocols.energy.operator import EpochReceipts, UtilityOperator
from protocols.energy.private_inputs import own_bill_from_receipts, public_info
from protocols.energy.private_payments import Wallet
from protocols.energy.private_session import PartySetup, group_purchase
from protocols.ledger import SQLiteLedger, default_group

#: default opening balance of every user's token account: 10 000 $ in n$.
DEFAULT_BALANCE = 10_000 * 10**9


def prepare(scenario: Scenario, ledger_path: str | Path, scheme: Optional[str] = None,
            balance: int = DEFAULT_BALANCE, reveal_all: bool = True,
            operator_id: str = "utility") -> tuple[list[PartySetup], EpochReceipts, SQLiteLedger]:
    """Operator epoch on a (new or existing) ledger file, and one PartySetup per user."""
    group = default_group()
    ledger = SQLiteLedger(ledger_path, group)
    op = UtilityOperator(group, operator_id)
    epoch = op.issue_epoch(scenario)
    op.publish(ledger, epoch)
    info = public_info(scenario)
    scheme = scheme or scenario.scheme
    setups = [PartySetup(info, scheme, group, own_bill_from_receipts(uid, epoch.receipts[uid].values()),
                         Wallet.fresh(group, uid, balance), ledger, operator_id, reveal_all)
              for uid in info.user_ids]
    return setups, epoch, ledger


def run_local(setups: list[PartySetup], session_factory: Optional[Callable] = None, timeout: float = 30.0) -> list:
    """Run every party's `group_purchase`; returns each party's PartyResult or the exception it raised."""
    field = PrimeField(setups[0].group.order)
    return run_parties(len(setups), lambda s: group_purchase(s, setups[s.pid]), field=field,
                       session_factory=session_factory, timeout=timeout)
