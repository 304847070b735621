"""Plaintext double-auction mechanisms (the oracle every private version is tested against)."""
