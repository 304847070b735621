"""Shared builders for the EVM ledger tests: one in-process chain per mode, holders with known openings."""

from __future__ import annotations

import itertools

from protocols.ledger import authorise_issuance, default_group
from protocols.ledger.evm import scheme
from protocols.ledger.evm.ledger import EvmLedger
from protocols.ledger.transactions import MultiTransaction

GROUP = default_group()
_ids = itertools.count()


def fresh_ids(prefix: str, n: int) -> list[str]:
    """Account ids no other test on the shared chain uses."""
    k = next(_ids)
    return [f"{prefix}-{k}-{i}" for i in range(n)]


def issued_opening(ledger: EvmLedger, h: scheme.EvmAccountHolder):
    """h's opening request, authorised by the in-process chain's issuer (it checked the opening)."""
    sig = authorise_issuance(ledger.dev_issuer, GROUP, ledger.ledger_id, h.account_id, h.public_key, h.balance,
                             h.r_balance)
    return h.account_opening(GROUP, ledger.tag, sig)


def open_holders(ledger: EvmLedger, balances: dict[str, int]) -> dict[str, scheme.EvmAccountHolder]:
    holders = {}
    for aid, bal in balances.items():
        h = scheme.EvmAccountHolder.fresh(GROUP, aid, bal)
        ledger.open_account(issued_opening(ledger, h))
        holders[aid] = h
    return holders


def batch(ledger: EvmLedger, holders: dict, phis: dict[str, int], context: bytes = b"test",
          **kw) -> tuple[MultiTransaction, dict[str, int]]:
    """An honest batch against the ledger's current state (Σφ must be 0 for it to verify)."""
    nonces = {aid: ledger.account(aid).nonce for aid in phis}
    cms = {aid: ledger.account(aid).balance_commitment for aid in phis}
    return scheme.build_evm_multi_transaction(GROUP, ledger.tag, ledger.mode, holders, phis, nonces, cms,
                                              context, **kw)


def settle(holders: dict, phis: dict[str, int], r_phi: dict[str, int]) -> None:
    for aid, phi in phis.items():
        holders[aid].settle(GROUP, phi, r_phi[aid])
