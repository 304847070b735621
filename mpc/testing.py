"""Fault injection, for tests and demonstrations only: a computing party or an input-only
client that deviates from the protocol in one chosen way. Production code takes no
cheat arguments; deviations live here, as subclasses that override the hooks of
`Session` (and of the client-input server) or as a deviating client.

Computing parties (`CheatingSession`, used by `--cheat KIND` of the session CLIs and by
the tests, which assert that every honest party aborts with the check that should catch
the deviation). Each kind targets one check:

- value:      adds 1 to its share of the first opened vector      -> MAC check
- mac:        reveals a MAC-check value other than the committed  -> commitment of check values
- triple:     uses a corrupted Beaver triple share (c + 1)        -> MAC check
- equivocate: sends a different input broadcast to one peer       -> broadcast consistency
- broadcast:  sends a different broadcast payload to one peer     -> broadcast consistency
- input:      sends a malformed input message (value >= q)        -> message format
- range:      inputs 3·2^k for a value declared k bits wide       -> input range
- silent:     stops talking at its first MAC check                -> liveness (timeout)

`RushingSession` plays the strongest position in an opening, the party that answers
last: it waits for the others' shares and then picks its own so that the opened value
becomes what it wants (e.g. a flipped decision bit); `RecordingSession` is an honest
party that logs every opening, so a test can show that the honest parties abort before
anything else is opened.

Input-only clients (`cheating_submit`, `CLIENT_CHEATS`): a client whose input message is
malformed, holds a value ≥ q, differs between servers, is out of range but well formed,
or never comes.
"""
from __future__ import annotations

import asyncio
from typing import Optional, Sequence

from .client_input.channels import ClientChannel
from .client_input.client import submit_input
from .client_input.wire import (HELLO, INPUT, ClientInputError, ClientProtocolError, decode_masks,
                                encode_hello, encode_input)
from .codec import decode_vector, encode_vector
from .field import PrimeField
from .session import Session

CHEATS = ("value", "mac", "triple", "equivocate", "broadcast", "input", "range", "silent")
#: what a `range` cheater inputs in place of its first value, as 3·2^k for k-bit inputs
RANGE_CHEAT_FACTOR = 3


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

    def _broadcast_payload_for(self, peer, payload):
        if self.kind == "broadcast" and payload and peer == self.m - 1 and peer != self.pid and self._once():
            return bytes([payload[0] ^ 1]) + payload[1:]
        return payload

    def _bit_encoding(self, values, bits):
        """An encoding that every party rebuilds as 3·2^bits in place of the first value:
        the top position carries a multiple of 2^(bits−1) instead of a bit."""
        if self.kind != "range" or not values:
            return super()._bit_encoding(values, bits)
        honest = super()._bit_encoding(values[1:], bits)
        u = RANGE_CHEAT_FACTOR * (1 << bits) + (1 << (bits - 1))
        forged = [(u >> j) & 1 for j in range(bits - 1)] + [u >> (bits - 1)]
        return forged + honest

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


class RecordingSession(Session):
    """An honest party that logs the step of every opening (`opened_steps`) and whether
    it came through `open_checked` (`checked_steps`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened_steps: list[int] = []
        self.checked_steps: list[int] = []
        self._checking = False

    async def open(self, x):
        values = await super().open(x)
        self.opened_steps.append(self._step)
        if self._checking:
            self.checked_steps.append(self._step)
            self._checking = False
        return values

    async def open_checked(self, x):
        self._checking = True
        return await super().open_checked(x)


class RushingSession(RecordingSession):
    """A corrupt party that answers last in every opening (all-to-all mode): it waits for
    the other parties' shares, computes the opened value, and sends the share that makes
    the opening come out as `change(session, values, checked)` returns (None: leave it).
    `checked` tells whether the opening came through open_checked. The steps it changed
    are in `changed_steps`."""

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        if self.open_mode != "all":
            raise ValueError("a rushing party is modelled for all-to-all openings only")
        self.change = change
        self.changed_steps: list[int] = []

    async def open(self, x):
        f, n = self.field, len(x)
        label = self._next_label()
        peers = [p for p in range(self.m) if p != self.pid]
        got = await self._gather(label, peers)
        others = [0] * n
        for p in peers:
            others = f.add(others, decode_vector(f, got[p], n, p))
        honest_total = f.add(others, x.values)
        wanted = self.change(self, [int(v) for v in honest_total], self._checking)
        shares = list(x.values)
        total = honest_total
        if wanted is not None:
            total = f.elements(wanted)
            shares = f.sub(total, others)
            self.changed_steps.append(label)
        payload = encode_vector(f, shares)
        for p in peers:
            self.transport.send(p, label, payload)
        self.transport.stats.round(self.transport.phase)
        self._record(b"open" + encode_vector(f, total))
        self._pending_values.extend(total)
        self._pending_macs.extend(x.macs)
        self.opened_steps.append(label)
        if self._checking:
            self.checked_steps.append(label)
            self._checking = False
        return total


def flip_first_checked_bit(length: int = 1, when: Optional[int] = None):
    """A `change` for RushingSession: flip the first checked opening of `length` values
    whose first value is a bit (equal to `when`, if given): 0 ↔ 1; leave everything else."""
    state = {"done": False}

    def change(session, values, checked):
        if state["done"] or not checked or len(values) != length or values[0] not in (0, 1):
            return None
        if when is not None and values[0] != when:
            return None
        state["done"] = True
        return [1 - values[0]] + values[1:]
    return change


def rushing_factory(change, cheater: int, field, open_mode: str = "all"):
    """Sessions for run_parties / run_local: `cheater` is a RushingSession with `change`,
    every other party a RecordingSession. The sessions made are kept in
    `factory.sessions` (pid → session) for the test to inspect."""
    def factory(pid, transport, prep):
        if pid == cheater:
            s = RushingSession(transport, prep, field, open_mode=open_mode, change=change)
        else:
            s = RecordingSession(transport, prep, field, open_mode=open_mode)
        factory.sessions[pid] = s
        return s
    factory.sessions = {}
    return factory


class TamperingSession(Session):
    """A party that replaces what it broadcasts, the same for every peer and in its own
    transcript, so that only a check on the content (a proof, a signature) can catch it:
    `tamper(session, payload)` returns the payload to use instead, or None to keep it."""

    def __init__(self, *args, tamper, **kwargs):
        super().__init__(*args, **kwargs)
        self.tamper = tamper

    def _own_broadcast(self, payload):
        out = self.tamper(self, payload)
        return payload if out is None else out


def tampering_factory(tamper, cheater: int, field, open_mode: str = "auto"):
    """A session factory that makes `cheater` a TamperingSession with `tamper`."""
    def factory(pid, transport, prep):
        if pid == cheater:
            return TamperingSession(transport, prep, field, open_mode=open_mode, tamper=tamper)
        return Session(transport, prep, field, open_mode=open_mode)
    return factory


def cheating_factory(kind: str, cheater: int, field, open_mode: str = "auto"):
    """A session factory for run_parties / run_party that makes `cheater` deviate."""
    def factory(pid, transport, prep):
        if pid == cheater:
            return CheatingSession(transport, prep, field, open_mode=open_mode, kind=kind)
        return Session(transport, prep, field, open_mode=open_mode)
    return factory


CLIENT_CHEATS = ("malformed", "overflow", "equivocate", "negative", "silent")


async def cheating_submit(channels: Sequence[ClientChannel], client_id: str, values: Sequence[int],
                          kind: str, field: PrimeField, timeout: float = 30.0):
    """Run the client-input protocol with one deviation:

    - malformed:  its input message has the wrong length
    - overflow:   its input message holds a value >= the field modulus
    - equivocate: it sends different inputs to different servers
    - negative:   it sends an out-of-range (negative) first value in an honest-looking message
                  (caught only where the servers range-check the values)
    - silent:     it connects, says hello and then nothing
    """
    if kind not in CLIENT_CHEATS:
        raise ValueError(f"unknown client cheat {kind!r}; choose from {', '.join(CLIENT_CHEATS)}")
    if kind == "negative":
        bad = list(values)
        bad[0] = -5
        return await submit_input(channels, client_id, bad, field, timeout)
    for ch in channels:
        await ch.send(HELLO, encode_hello(client_id))
    if kind == "silent":
        await asyncio.sleep(timeout)
        return
    n = len(values)
    shares = [decode_masks(field, (await ch.recv(timeout))[1], n, i) for i, ch in enumerate(channels)]
    a = [sum(col) % field.q for col in zip(*(sh[:n] for sh in shares))]
    d = field.sub(field.elements(values), a)
    for i, ch in enumerate(channels):
        if kind == "malformed":
            payload = encode_input(field, d[:-1])
        elif kind == "overflow":
            payload = int(field.q).to_bytes(field.nbytes, "little") + encode_input(field, d[1:])
        else:  # equivocate: the last server gets a different first value
            dd = list(d)
            if i == len(channels) - 1:
                dd[0] = (dd[0] + 1) % field.q
            payload = encode_input(field, dd)
        await ch.send(INPUT, payload)
    for ch in channels:
        try:
            await ch.recv(timeout)
        except ClientProtocolError:
            pass
    raise ClientInputError(f"cheating client ({kind}) done")
