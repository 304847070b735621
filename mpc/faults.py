"""Fault injection: a party that deviates from the protocol in one chosen way.

Used by the demo's `--cheat KIND` and by the tests, which assert that every honest
party aborts with the check that should catch the deviation. Each kind targets one
check:

- value:      adds 1 to its share of the first opened vector      -> MAC check
- mac:        reveals a MAC-check value other than the committed  -> commitment of check values
- triple:     uses a corrupted Beaver triple share (c + 1)        -> MAC check
- equivocate: sends a different input broadcast to one peer       -> broadcast consistency
- input:      sends a malformed input message (value >= q)        -> message format
- silent:     stops talking at its first MAC check                -> liveness (timeout)
"""
from __future__ import annotations

import asyncio

from .codec import decode_vector, encode_vector
from .session import Session

CHEATS = ("value", "mac", "triple", "equivocate", "input", "silent")


class CheatingSession(Session):
    """A session whose party deviates in the way named by `kind`."""

    def __init__(self, *args, kind: str, **kwargs):
        if kind not in CHEATS:
            raise ValueError(f"unknown cheat {kind!r}; choose from {', '.join(CHEATS)}")
        super().__init__(*args, **kwargs)
        self.kind = kind
        self._done = False

    def _once(self) -> bool:
        if self._done:
            return False
        self._done = True
        return True

    def _open_shares(self, values):
        if self.kind == "value" and values and self._once():
            values = list(values)
            values[0] = (values[0] + 1) % self.field.q
        return values

    def _check_reveal(self, sigma):
        if self.kind == "mac":
            return (sigma + 1) % self.field.q
        return sigma

    def _input_payload_for(self, peer, payload):
        if not payload:
            return payload
        if self.kind == "equivocate" and peer == self.m - 1 and peer != self.pid:
            n = len(payload) // self.field.nbytes
            vals = decode_vector(self.field, payload, n)
            vals[0] = (vals[0] + 1) % self.field.q
            return encode_vector(self.field, vals)
        if self.kind == "input":
            w = self.field.nbytes
            return int(self.field.q).to_bytes(w, "little") + payload[w:]
        return payload

    async def mul(self, x, y):
        if self.kind != "triple":
            return await super().mul(x, y)
        n = len(x)
        a, b, c = await self.prep.triples(n)
        if self._once():
            c.values[0] = (c.values[0] + 1) % self.field.q
        opened = await self.open(type(x).concat([x - a, y - b]))
        eps, delta = opened[:n], opened[n:]
        return c + b * eps + a * delta + self.field.mul(eps, delta)

    async def mac_check(self):
        if self.kind == "silent":
            # Stay connected but say nothing, longer than anyone's timeout.
            await asyncio.sleep(self.transport.timeout * 3)
            raise asyncio.CancelledError("silent party gives up")
        return await super().mac_check()


def cheating_factory(kind: str, cheater: int, field, open_mode: str = "auto"):
    """A session factory for run_parties / run_party that makes `cheater` deviate."""
    def factory(pid, transport, prep):
        if pid == cheater:
            return CheatingSession(transport, prep, field, open_mode=open_mode, kind=kind)
        return Session(transport, prep, field, open_mode=open_mode)
    return factory
