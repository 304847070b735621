"""Microdistributor staking (Buying.com §7.1): a node deposits tokens as collateral and may
hold inventory worth at most its stake.

The stake sits in the ledger account ``stake:<node>``; inventory value is tracked in the
same token unit. Unstaking is refused while it would leave the stake below the inventory
held. Every refusal is a :class:`~protocols.escrow.tokens.Rejected` with a reason and
changes nothing.
"""

from __future__ import annotations

from protocols.escrow.tokens import Rejected, TokenLedger


def stake_account(node: str) -> str:
    return f"stake:{node}"


class StakeRegistry:
    """Stakes and inventory values of microdistributor nodes on a token ledger."""

    def __init__(self, ledger: TokenLedger) -> None:
        self.ledger = ledger
        self.inventory: dict[str, int] = {}

    def stake(self, node: str) -> int:
        return self.ledger.balance(stake_account(node))

    def deposit(self, node: str, amount: int) -> None:
        """Move ``amount`` tokens from the node's wallet into its stake."""
        self.ledger.transfer(node, stake_account(node), amount)

    def withdraw(self, node: str, amount: int) -> None:
        """Return staked tokens to the node, keeping the stake >= its inventory value."""
        held = self.inventory.get(node, 0)
        if self.stake(node) - amount < held:
            raise Rejected(f"{node}: stake would fall to {self.stake(node) - amount}, below inventory worth {held}")
        self.ledger.transfer(stake_account(node), node, amount)

    def can_hold(self, node: str, value: int) -> bool:
        """Whether the node may take on inventory worth ``value`` more."""
        return value >= 0 and self.inventory.get(node, 0) + value <= self.stake(node)

    def accept_inventory(self, node: str, value: int) -> None:
        """Record inventory worth ``value`` placed with the node; Rejected above the stake."""
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise Rejected(f"inventory value must be a positive integer, got {value!r}")
        if not self.can_hold(node, value):
            raise Rejected(
                f"{node}: inventory would be worth {self.inventory.get(node, 0) + value}, "
                f"more than its stake {self.stake(node)}"
            )
        self.inventory[node] = self.inventory.get(node, 0) + value

    def release_inventory(self, node: str, value: int) -> None:
        """Inventory worth ``value`` left the node (delivered or returned to the vendor)."""
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise Rejected(f"inventory value must be a positive integer, got {value!r}")
        if value > self.inventory.get(node, 0):
            raise Rejected(f"{node}: holds inventory worth {self.inventory.get(node, 0)}, cannot release {value}")
        self.inventory[node] -= value
