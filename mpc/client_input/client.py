"""The client's side: secret-share values to the servers, then receive the result."""
from __future__ import annotations

import inspect
from typing import Awaitable, Callable, Optional, Sequence, Union

from gmpy2 import mpz

from ..field import PrimeField
from .channels import ClientChannel
from .wire import (ACK, CHALLENGE, HELLO, INPUT, MASKS, MAX_FRAME, MAX_REASON, NONCE_BYTES, NOTICE, REFUSE, REJECT,
                   REPLY, REQUEST, RESULT, AUTH, ClientInputError, ClientProtocolError, auth_message, decode_masks,
                   decode_result, encode_hello, encode_input, text)


async def submit_input(channels: Sequence[ClientChannel], client_id: str, values: Sequence[int],
                       field: Optional[PrimeField] = None, timeout: float = 60.0, *,
                       sign: Optional[Callable[[bytes], bytes]] = None, context: bytes = b"",
                       attach: Optional[Callable[[bytes], Union[bytes, Awaitable[bytes]]]] = None) -> list[mpz]:
    """Secret-share `values` to the servers behind `channels` (one per server, in order).

    Returns, when every server acknowledged, this client's output keys: the b of its
    checked triples, which only it knows and which unmask its private outputs
    (`receive_output(..., keys)`). Raises ClientInputError naming the reason otherwise (a
    server's mask shares were inconsistent, a server rejected the input...). Acceptance
    by every server is final only after the servers' agreement step; a client excluded
    there receives a REJECT instead of its result.

    `sign` (servers that authenticate clients): signs each server's challenge with the
    client's registered key (see wire.auth_message; `context` as the servers have it).
    `attach`: called with the masked input d (bytes, as sent) once it is known; returns
    public bytes sent along with it (a proof bound to d, say). It may be a coroutine function,
    so that a slow proof can run off the event loop (a simulator playing many clients on one
    loop must keep answering the others' servers meanwhile).
    """
    f = field or PrimeField()
    n = len(values)
    hello = encode_hello(client_id)
    try:
        for ch in channels:
            await ch.send(HELLO, hello)
        if sign is not None:
            for i, ch in enumerate(channels):
                nonce = await _expect_reply(ch, i, CHALLENGE, NONCE_BYTES, "server {i} rejected the client: {reason}",
                                            timeout)
                await ch.send(AUTH, sign(auth_message(context, i, client_id, nonce)))
        shares = []
        for i, ch in enumerate(channels):
            payload = await _expect_reply(ch, i, MASKS, 3 * n * f.nbytes, "server {i} rejected the client: {reason}",
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
        if attach is not None:
            payload += await _maybe_await(attach(payload))
        for ch in channels:
            await ch.send(INPUT, payload)
        for i, ch in enumerate(channels):
            await _expect_reply(ch, i, ACK, 0, "server {i} rejected the input: {reason}", timeout)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    return b


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


async def _expect_reply(ch, i: int, expected: int, limit: int, on_reject: str, timeout: float) -> bytes:
    """The payload of server i's next message, which must be of kind `expected` (at most
    `limit` bytes); a REJECT becomes ClientInputError(on_reject with {i} and {reason})."""
    kind, payload = await ch.recv(timeout, {expected: limit, REJECT: MAX_REASON})
    if kind == REJECT:
        raise ClientInputError(on_reject.format(i=i, reason=text(payload)))
    return payload


async def receive_output(channels: Sequence[ClientChannel], field: Optional[PrimeField] = None,
                         timeout: float = 600.0, keys: Optional[Sequence[int]] = None) -> tuple[bytes, list[int]]:
    """Wait for the servers' RESULT messages; return (public part, own private outputs).

    Accepts only if every server sent exactly the same result: the servers opened the
    masked outputs y + b among themselves and MAC-checked them, so one honest server
    sends the right values, and a server that sends anything else makes the client
    refuse — whatever y is, since only the client knows b. `keys` are what
    `submit_input` returned; they are needed when there are private outputs."""
    f = field or PrimeField()
    payloads = []
    try:
        for i, ch in enumerate(channels):
            payloads.append(await _expect_reply(ch, i, RESULT, MAX_FRAME, "excluded by the servers: {reason}",
                                                timeout))
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    results = [decode_result(f, p, i) for i, p in enumerate(payloads)]
    if any(p != payloads[0] for p in payloads):
        raise ClientInputError("servers sent different results: at least one server cheated")
    public, masked = results[0]
    if not masked:
        return public, []
    if keys is None or len(masked) > len(keys):
        raise ClientInputError(f"{len(masked)} private outputs but {0 if keys is None else len(keys)} output keys")
    q = f.q
    return public, [int((z - b) % q) for z, b in zip(masked, keys)]


async def answer_request(channels: Sequence[ClientChannel],
                         answer: Callable[[bytes], Union[bytes, Awaitable[bytes]]], timeout: float = 600.0) -> bytes:
    """Wait for the servers' question (every server must ask exactly the same), send every
    server `answer(question)` (a function or a coroutine function); returns the question."""
    questions = []
    try:
        for i, ch in enumerate(channels):
            questions.append(await _expect_reply(ch, i, REQUEST, MAX_FRAME, "excluded by the servers: {reason}",
                                                 timeout))
        if any(q != questions[0] for q in questions):
            raise ClientInputError("servers asked different questions: at least one server cheated")
        reply = await _maybe_await(answer(questions[0]))
        for ch in channels:
            await ch.send(REPLY, reply)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    return questions[0]


async def receive_notice(channels: Sequence[ClientChannel], timeout: float = 600.0) -> bytes:
    """The servers' final public notice; accepted only if every server sent the same bytes."""
    notices = []
    try:
        for i, ch in enumerate(channels):
            notices.append(await _expect_reply(ch, i, NOTICE, MAX_FRAME, "excluded by the servers: {reason}",
                                               timeout))
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    if any(n != notices[0] for n in notices):
        raise ClientInputError("servers sent different notices: at least one server cheated")
    return notices[0]
