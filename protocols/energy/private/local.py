"""The private group purchase with every party in one process (tests, benchmarks, examples).

`prepare` plays the utility operator (commits every bill, publishes the signed root on the
ledger) and hands each user its receipts and a fresh funded wallet; `run_local` then runs
`private.session.group_purchase` for all parties over the in-memory transport.  The
multi-process CLI (`protocols.energy.run`) does the same per process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mpc.field import PrimeField
from mpc.local import run_parties

from protocols.energy.model import Scenario
from protocols.energy.utility_operator import EpochReceipts, UtilityOperator
from protocols.energy.market import public_info
from protocols.energy.private.bills import own_bill_from_receipts
from protocols.energy.private.wallet import Wallet
from protocols.energy.private.session import PartySetup, group_purchase
from protocols.ledger import (SQLiteLedger, authorise_issuance, authorise_operator, default_group,
                              open_account_request)
from protocols.ledger.transactions import raw_public_key

#: default opening balance of every user's token account: 10 000 $ in n$.
DEFAULT_BALANCE = 10_000 * 10**9


def prepare(scenario: Scenario, ledger_path: str | Path, scheme: Optional[str] = None,
            balance: int | list[int] = DEFAULT_BALANCE, reveal_all: bool = True, operator_id: str = "utility",
            open_accounts: bool = True) -> tuple[list[PartySetup], EpochReceipts, SQLiteLedger]:
    """Operator epoch on a new ledger file, and one PartySetup per user.

    Fresh writer and issuer keys are drawn for the new ledger; the issuer registers the
    operator and authorises every wallet's opening balance (tokens bought beforehand).
    `balance` is every user's opening balance in n$ (or one per user).  With `open_accounts`
    the accounts are opened before the session (tokens bought beforehand), so Stage 0 only
    checks them and a session that aborts leaves the ledger exactly as it was.
    """
    group = default_group()
    issuer = Ed25519PrivateKey.generate()
    ledger = SQLiteLedger.create(ledger_path, group, Ed25519PrivateKey.generate(), raw_public_key(issuer))
    op = UtilityOperator(group, operator_id)
    epoch = op.issue_epoch(scenario, ledger_id=ledger.ledger_id, epoch=1)
    op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, operator_id, op.public_key))
    info = public_info(scenario)
    scheme = scheme or scenario.scheme
    balances = balance if isinstance(balance, list) else [balance] * info.n_users
    wallets = [Wallet.fresh(group, uid, b) for uid, b in zip(info.user_ids, balances)]
    for w in wallets:
        w.issuance = authorise_issuance(issuer, group, ledger.ledger_id, w.account_id, w.public_key, w.balance,
                                        w.r_balance)
    if open_accounts:
        for w in wallets:
            ledger.open_account(open_account_request(group, ledger.ledger_id, w.account_id, w.signing_key, w.balance,
                                                     w.r_balance, w.issuance))
    setups = [PartySetup(info, scheme, group, own_bill_from_receipts(uid, epoch.receipts[uid].values()),
                         w, ledger, operator_id, reveal_all) for uid, w in zip(info.user_ids, wallets)]
    return setups, epoch, ledger


def run_local(setups: list[PartySetup], session_factory: Optional[Callable] = None, timeout: float = 30.0,
              backend: str = "dealer") -> list:
    """Run every party's `group_purchase`; returns each party's PartyResult or the exception it raised."""
    field = PrimeField(setups[0].group.order)
    return run_parties(len(setups), lambda s: group_purchase(s, setups[s.pid]), field=field,
                       session_factory=session_factory, timeout=timeout, backend=backend)
