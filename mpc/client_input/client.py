"""The client's side: secret-share values to the servers, then receive the result."""
from __future__ import annotations

from typing import Optional, Sequence

from ..field import PrimeField
from .channels import ClientChannel
from .wire import (ACK, HELLO, INPUT, MASKS, REFUSE, REJECT, RESULT, ClientInputError, ClientProtocolError,
                   decode_masks, decode_result, encode_hello, encode_input, name, text)


async def submit_input(channels: Sequence[ClientChannel], client_id: str, values: Sequence[int],
                       field: Optional[PrimeField] = None, timeout: float = 60.0) -> None:
    """Secret-share `values` to the servers behind `channels` (one per server, in order).

    Returns when every server acknowledged; raises ClientInputError naming the reason
    otherwise (a server's mask shares were inconsistent, a server rejected the input...).
    Acceptance by every server is final only after the servers' agreement step; a client
    excluded there receives a REJECT instead of its result.
    """
    f = field or PrimeField()
    n = len(values)
    hello = encode_hello(client_id)
    try:
        for ch in channels:
            await ch.send(HELLO, hello)
        shares = []
        for i, ch in enumerate(channels):
            payload = await _expect_reply(ch, i, MASKS, "mask shares", "server {i} rejected the client: {reason}",
                                          timeout)
            shares.append(decode_masks(f, payload, n, i))
        q = f.q
        a = [sum(col) % q for col in zip(*(sh[:n] for sh in shares))]
        b = [sum(col) % q for col in zip(*(sh[n:2 * n] for sh in shares))]
        c = [sum(col) % q for col in zip(*(sh[2 * n:] for sh in shares))]
        if any((x * y - z) % q for x, y, z in zip(a, b, c)):
            reason = "mask shares are inconsistent (c != a*b): a server cheated; input withheld"
            for ch in channels:
                try:
                    await ch.send(REFUSE, reason.encode())
                except ClientProtocolError:
                    pass
            raise ClientInputError(reason)
        payload = encode_input(f, f.sub(f.elements(values), a))
        for ch in channels:
            await ch.send(INPUT, payload)
        for i, ch in enumerate(channels):
            await _expect_reply(ch, i, ACK, "ACK", "server {i} rejected the input: {reason}", timeout)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None


async def _expect_reply(ch, i: int, expected: int, what: str, on_reject: str, timeout: float) -> bytes:
    """The payload of server i's next message, which must be of kind `expected`; a REJECT
    becomes ClientInputError(on_reject with {i} and {reason} filled in)."""
    kind, payload = await ch.recv(timeout)
    if kind == REJECT:
        raise ClientInputError(on_reject.format(i=i, reason=text(payload)))
    if kind != expected:
        raise ClientInputError(f"server {i} sent {name(kind)} instead of {what}")
    return payload


async def receive_output(channels: Sequence[ClientChannel], field: Optional[PrimeField] = None,
                         timeout: float = 600.0) -> tuple[bytes, list[int]]:
    """Wait for the servers' RESULT messages; return (public part, own private outputs).

    Checks that all servers sent the same public part and that the private outputs
    pass the v = r·y test (see the module docstring)."""
    f = field or PrimeField()
    publics, shares = [], []
    try:
        for i, ch in enumerate(channels):
            payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout)
            public, private = decode_result(f, payload, i)
            publics.append(public)
            shares.append(private)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    if any(p != publics[0] for p in publics):
        raise ClientInputError("servers sent different public results: at least one server cheated")
    if any(len(s) != len(shares[0]) for s in shares):
        raise ClientInputError("servers sent different numbers of output shares")
    n = len(shares[0]) // 3
    q = f.q
    tot = [sum(col) % q for col in zip(*shares)]
    y, r, v = tot[:n], tot[n:2 * n], tot[2 * n:]
    if any((ri * yi - vi) % q for yi, ri, vi in zip(y, r, v)):
        raise ClientInputError("output shares fail the v = r*y check: a server altered its share")
    return publics[0], [int(x) for x in y]
