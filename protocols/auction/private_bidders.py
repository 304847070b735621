"""The bidders' side of the private auctions: input-only clients of the computing parties.

Each bidder connects to every server, secret-shares its bid (mpc.client_input), and
waits for the published result (and, when it is rationed in the uniform-price auction,
its own allocation). ``python -m protocols.auction.private_bidders`` plays every bidder
of a market file against servers listening on sockets (the CLI of
:mod:`protocols.auction.run` starts it); a deployment runs one bidder per machine.
``--cheat ID:KIND`` makes one bidder misbehave (tests):

- malformed:  its input message has the wrong length
- overflow:   its input message holds a value >= the field modulus
- equivocate: it sends different inputs to different servers
- negative:   it sends an out-of-range (negative) value as an honest-looking message
              (caught only where the servers range-check the values)
- silent:     it connects, says hello and then nothing
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Optional, Sequence

from mpc.client_input import (HELLO, INPUT, ClientChannel, ClientInputError, ClientProtocolError,
                              connect_servers, receive_output, submit_input)
from mpc.codec import decode_vector, encode_vector
from mpc.field import PrimeField
from protocols.auction.market_file import MarketFileError, load_market
from protocols.auction.private_dantm import bidder_values as dantm_values
from protocols.auction.private_inputs import to_bits
from protocols.auction.private_uniform import wire_vector
from protocols.auction.uniform_price import UniformMarket, load_uniform_market

BIDDER_CHEATS = ("malformed", "overflow", "equivocate", "negative", "silent")


async def cheating_submit(channels: Sequence[ClientChannel], client_id: str, values: Sequence[int],
                          kind: str, field: PrimeField, timeout: float = 30.0) -> None:
    """Run the client-input protocol with one deviation (see the module docstring)."""
    if kind == "negative":
        bad = list(values)
        bad[0] = -5
        await submit_input(channels, client_id, bad, field, timeout)
        return
    for ch in channels:
        await ch.send(HELLO, client_id.encode())
    if kind == "silent":
        await asyncio.sleep(timeout)
        return
    n = len(values)
    shares = [decode_vector(field, (await ch.recv(timeout))[1], 3 * n) for ch in channels]
    a = [sum(col) % field.q for col in zip(*(sh[:n] for sh in shares))]
    d = field.sub(field.elements(values), a)
    for i, ch in enumerate(channels):
        if kind == "malformed":
            payload = encode_vector(field, d[:-1])
        elif kind == "overflow":
            payload = int(field.q).to_bytes(field.nbytes, "little") + encode_vector(field, d[1:])
        else:  # equivocate: the last server gets a different first value
            dd = list(d)
            if i == len(channels) - 1:
                dd[0] = (dd[0] + 1) % field.q
            payload = encode_vector(field, dd)
        await ch.send(INPUT, payload)
    for ch in channels:
        try:
            await ch.recv(timeout)
        except ClientProtocolError:
            pass
    raise ClientInputError(f"cheating bidder ({kind}) done")


def uniform_values(market: UniformMarket, bidder_id: str, range_bits: Optional[int]) -> tuple[str, list[int], tuple]:
    for side, group in (("buyers", market.buyers), ("sellers", market.sellers)):
        for b in group:
            if b.id == bidder_id:
                wire = wire_vector(b.quantities, side)
                return side, (to_bits(wire, range_bits) if range_bits else wire), b.quantities
    raise KeyError(bidder_id)


async def run_bidder(channels: Sequence[ClientChannel], mechanism: str, market, bidder_id: str, *,
                     field: PrimeField, range_bits: Optional[int] = None, cheat: Optional[str] = None,
                     timeout: float = 60.0, result_timeout: float = 3600.0) -> dict:
    """One bidder's whole session; returns what it learned ({"id", "status", ...})."""
    try:
        if mechanism == "uniform":
            side, values, curve = uniform_values(market, bidder_id, range_bits)
        else:
            values = dantm_values(market, bidder_id)
        if cheat:
            await cheating_submit(channels, bidder_id, values, cheat, field, timeout)
        else:
            await submit_input(channels, bidder_id, values, field, timeout)
        public, private = await receive_output(channels, field, result_timeout)
        info = json.loads(public)
        out = {"id": bidder_id, "status": "accepted", "public": info}
        if mechanism == "uniform":
            level = info["level"]
            if info["rationed"] == side:
                if len(private) != 1:
                    raise ClientInputError("expected exactly one private output (the allocation)")
                out["allocation"] = private[0]
            else:
                out["allocation"] = curve[level]
        return out
    except ClientInputError as exc:
        return {"id": bidder_id, "status": "rejected", "reason": str(exc)}
    finally:
        for ch in channels:
            ch.close()


def bidder_ids(mechanism: str, market) -> list[str]:
    return [b.id for b in market.buyers] + [s.id for s in market.sellers]


async def play_all(mechanism: str, market, addresses: list[tuple[str, int]], *, range_bits: Optional[int],
                   cheats: dict[str, str], concurrency: int = 200, timeout: float = 60.0,
                   progress=None, only: Optional[set[str]] = None) -> list[dict]:
    """Every bidder of the market (or those in `only`) over sockets; at most
    `concurrency` connect at once."""
    field = PrimeField()
    gate = asyncio.Semaphore(concurrency)
    done = 0
    ids = [b for b in bidder_ids(mechanism, market) if only is None or b in only]

    async def one(bid: str) -> dict:
        nonlocal done
        async with gate:
            try:
                chans = await connect_servers(addresses, timeout)
            except ClientInputError as exc:
                return {"id": bid, "status": "rejected", "reason": str(exc)}
            task = asyncio.ensure_future(run_bidder(chans, mechanism, market, bid, field=field,
                                                    range_bits=range_bits, cheat=cheats.get(bid),
                                                    timeout=timeout))
            # The connection stays open for the result; leave the gate once the input is in.
            await asyncio.sleep(0)
        res = await task
        done += 1
        if progress and done % max(1, len(ids) // 10) == 0:
            progress(f"{done}/{len(ids)} bidders finished")
        return res

    return list(await asyncio.gather(*(one(b) for b in ids)))


def parse_cheat(spec: str) -> tuple[str, str]:
    ident, _, kind = spec.rpartition(":")
    if not ident or kind not in BIDDER_CHEATS:
        raise argparse.ArgumentTypeError(f"--cheat expects ID:KIND with KIND in {', '.join(BIDDER_CHEATS)}")
    return ident, kind


def parse_servers(text: str) -> list[tuple[str, int]]:
    out = []
    for part in text.split(","):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit():
            raise argparse.ArgumentTypeError(f"--servers expects host:port,host:port,... (got {part!r})")
        out.append((host, int(port)))
    return out


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m protocols.auction.private_bidders",
        description="Play every bidder of a market file as an input-only client of the private auction "
                    "servers (one TCP connection per bidder and server). Writes what each bidder learned.")
    p.add_argument("--market", required=True, help="market JSON (DANTM or uniform-price format)")
    p.add_argument("--mechanism", choices=("dantm", "uniform"), default="dantm")
    p.add_argument("--servers", required=True, type=parse_servers, help="host:port of each server, comma-separated, in party order")
    p.add_argument("--range-bits", type=int, default=None, help="uniform: send increments as this many bits (servers must agree)")
    p.add_argument("--cheat", action="append", type=parse_cheat, default=[], help="ID:KIND, make bidder ID misbehave")
    p.add_argument("--concurrency", type=int, default=200, help="bidders connecting at the same time (default 200)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for a server (default 120)")
    p.add_argument("--only", action="append", default=None,
                   help="play only this bidder (repeatable); a real bidder passes its own id and a file "
                        "that may hold just its own entry")
    p.add_argument("--json", required=True, help="write the bidders' views here")
    args = p.parse_args(argv)
    try:
        market = load_uniform_market(args.market) if args.mechanism == "uniform" else load_market(args.market)
    except MarketFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    say = lambda msg: print(f"[bidders] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    results = asyncio.run(play_all(args.mechanism, market, args.servers, range_bits=args.range_bits,
                                   cheats=dict(args.cheat), concurrency=args.concurrency,
                                   timeout=args.timeout, progress=say,
                                   only=set(args.only) if args.only else None))
    if args.only and len(results) != len(set(args.only)):
        print(f"error: --only names bidders not in {args.market}", file=sys.stderr)
        return 2
    try:
        with open(args.json, "w") as fh:
            json.dump({"seconds": time.perf_counter() - t0, "bidders": results}, fh)
    except OSError as exc:
        print(f"error: --json {args.json}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    rejected = [r for r in results if r["status"] != "accepted"]
    say(f"{len(results) - len(rejected)} bidders accepted, {len(rejected)} rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
