"""Token balances for staking and escrow: tokens move between accounts and are never
created or destroyed after the genesis allocation (Buying.com §7; docs/specs/markets.md).

Escrow and stake holdings are ordinary accounts (``escrow:<order>``, ``stake:<node>``),
so one invariant covers everything: the sum of all balances equals the genesis supply.
"""

from __future__ import annotations

from typing import Mapping


class Rejected(Exception):
    """An operation was refused; ``reason`` says why. Nothing changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenLedger:
    """Integer token balances (smallest token unit) with atomic transfers."""

    def __init__(self, genesis: Mapping[str, int]) -> None:
        for account, amount in genesis.items():
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise ValueError(f"genesis balance of {account!r} must be a non-negative integer")
        self._balances = dict(genesis)
        self.supply = sum(genesis.values())

    def balance(self, account: str) -> int:
        return self._balances.get(account, 0)

    def balances(self) -> dict[str, int]:
        return dict(self._balances)

    def total(self) -> int:
        return sum(self._balances.values())

    def transfer(self, source: str, destination: str, amount: int) -> None:
        """Move ``amount`` tokens; Rejected (and no change) if the amount is not a positive
        integer or the source holds fewer tokens."""
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise Rejected(f"transfer amount must be a positive integer, got {amount!r}")
        if source == destination:
            raise Rejected("transfer to the same account")
        if self.balance(source) < amount:
            raise Rejected(f"{source} holds {self.balance(source)} tokens, needs {amount}")
        self._balances[source] -= amount
        self._balances[destination] = self.balance(destination) + amount
