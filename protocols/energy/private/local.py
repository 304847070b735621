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


def run_clients(setups: list[PartySetup], m: int = 3, window: float = 30.0, timeout: float = 30.0,
                backend: str = "dealer", session_factory: Optional[Callable] = None, households=None,
                progress=None) -> tuple[list, list]:
    """The client mode in one process: m servers and every household of `setups` (as an
    input-only client over in-memory channels). `households` (testing) maps a household id to
    a coroutine function `play(connect, household_setup)` used instead of the honest one;
    `connect()` returns fresh channels to every server.
    Returns (each server's ServerResult or exception, each household's HouseholdView or
    exception), households in `setups` order."""
    import asyncio

    from mpc.client_input import MemoryHub
    from mpc.local import run_parties_async
    from protocols.energy.private.clients import ServerSetup, serve_group_purchase
    from protocols.energy.private.household import HouseholdSetup, play_household

    first = setups[0]
    group, ledger = first.group, first.ledger
    field = PrimeField(group.order)
    hub = MemoryHub(m)
    signed_root = ledger.latest_root(first.operator_id)
    households = households or {}

    async def server(s):
        return await serve_group_purchase(s, ServerSetup(first.info, first.scheme, group, ledger, first.operator_id,
                                                         progress=progress, window=window, client_timeout=timeout,
                                                         hub=hub))

    async def connect():
        return await hub.connect_all(timeout)

    async def honest(connect, hs):
        channels = await connect()
        try:
            return await play_household(channels, hs)
        finally:
            for ch in channels:
                ch.close()

    async def household(p: PartySetup):
        hs = HouseholdSetup(p.info, p.scheme, group, p.bill, p.wallet, signed_root, ledger.ledger_id,
                            timeout=timeout, result_timeout=600.0)
        return await households.get(p.bill.user_id, honest)(connect, hs)

    async def main():
        servers = asyncio.ensure_future(run_parties_async(m, server, field=field, timeout=timeout, backend=backend,
                                                          session_factory=session_factory))
        views = await asyncio.gather(*(household(p) for p in setups), return_exceptions=True)
        return await servers, list(views)

    return asyncio.run(main())
