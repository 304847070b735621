"""Reputation: :mod:`.eigentrust` (sparse EigenTrust, CLI) and :mod:`.credibility`
(BlockCom credibility score and byzantine removal vote, CLI)."""
