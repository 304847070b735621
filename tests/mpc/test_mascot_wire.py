"""MASCOT's message layer: payloads longer than a part travel as several messages and are
reassembled exactly (pairwise and broadcast), and a message whose part count is not this
protocol's is handed to the parsers as it came, which reject it."""
import asyncio
import secrets

from mpc.field import PrimeField
from mpc.mascot import wire
from mpc.mascot.backend import MascotPreprocessing
from mpc.transport import InMemoryNetwork

F = PrimeField()


def parties(m):
    net = InMemoryNetwork(m)
    return net, [MascotPreprocessing(F, net.transport(p, 30)) for p in range(m)]


def test_long_payloads_are_split_and_reassembled():
    net, ps = parties(3)
    sizes = [0, 5, wire.PART, wire.PART + 1, 3 * wire.PART - 7]
    data = {(i, j): [secrets.token_bytes(n) for n in sizes] for i in range(3) for j in range(3) if i != j}

    async def one(p):
        got = []
        for k in range(len(sizes)):
            r = await p._exchange("t", lambda q: data[(p.pid, q)][k])
            got.append({q: bytes(v) for q, v in r.items()})   # a view is valid until the next one
        return got

    async def main():
        return await asyncio.gather(*(one(p) for p in ps))

    res = asyncio.run(main())
    for j in range(3):
        for k in range(len(sizes)):
            assert res[j][k] == {i: data[(i, j)][k] for i in range(3) if i != j}


def test_long_broadcast_vector_and_transcripts_agree():
    net, ps = parties(2)
    n = wire.PART // 32 + 100                      # more than one part of field elements
    vals = [[F.element(secrets.randbelow(F.q)) for _ in range(n)] for _ in range(2)]

    async def main():
        return await asyncio.gather(*(p._broadcast_vector("v", vals[p.pid]) for p in ps))

    res = asyncio.run(main())
    assert res[0] == res[1] == vals
    assert ps[0]._transcript.digest() == ps[1]._transcript.digest()


def test_foreign_part_count_reaches_the_parser():
    net, ps = parties(2)

    async def main():
        label = ps[1]._label()
        ps[0]._label()
        net.transport(0, 30).send(1, label, (wire.MAX_PARTS + 1).to_bytes(4, "little") + b"xyz")
        return await ps[1]._recv_one(0, label)

    got = asyncio.run(main())
    assert bytes(got) == (wire.MAX_PARTS + 1).to_bytes(4, "little") + b"xyz"   # raw: length checks fail
