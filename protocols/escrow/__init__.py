"""Staking and escrow (Buying.com §5.6-5.7, §7.1): :mod:`.tokens` (conserving ledger),
:mod:`.staking` (inventory limited by stake), :mod:`.statements` (Ed25519-signed proofs of
delivery and return), :mod:`.escrow` (the order escrow), :mod:`.simulate` (scenario CLI)."""
