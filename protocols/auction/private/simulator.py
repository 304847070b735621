"""A bidder simulator for tests, benchmarks and demonstrations: plays every bidder of a
market file (or the ones named by --only) as separate input-only clients of the servers,
over TCP, and writes what each learned.

    python -m protocols.auction.private.simulator --market M.json --servers h:p,h:p,h:p --json OUT

``--cheat ID:KIND`` makes one bidder misbehave (testing; kinds in mpc.testing.CLIENT_CHEATS):
malformed, overflow, equivocate, negative (an out-of-range value in an honest-looking
message, caught only where the servers range-check the values), silent.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Optional

from mpc.cli import ArgumentParser, CliError, bounded_int, check_output_path, fail, seconds, write_json_file
from mpc.client_input import ClientChannel, ClientInputError, connect_servers
from mpc.field import PrimeField
from mpc.testing import CLIENT_CHEATS, cheating_submit
from protocols.auction.market_file import MarketFileError, load_market
from protocols.auction.private.bidders import await_result, bidder_ids, bidder_input, run_bidder
from protocols.auction.reference.uniform_price import load_uniform_market

BIDDER_CHEATS = CLIENT_CHEATS


async def play_cheating_bidder(channels: list[ClientChannel], mechanism: str, market, bidder_id: str, kind: str, *,
                               field: PrimeField, range_bits: Optional[int] = None, timeout: float = 60.0,
                               result_timeout: float = 3600.0) -> dict:
    """A bidder that deviates in the way `kind` names (mpc.testing.cheating_submit)."""
    try:
        values, context = bidder_input(mechanism, market, bidder_id, range_bits)
        keys = await cheating_submit(channels, bidder_id, values, kind, field, timeout)
        return await await_result(channels, mechanism, bidder_id, context, field=field,
                                  result_timeout=result_timeout, keys=keys)
    except ClientInputError as exc:
        return {"id": bidder_id, "status": "rejected", "reason": str(exc)}
    finally:
        for ch in channels:
            ch.close()


async def play_bidder(channels: list[ClientChannel], mechanism: str, market, bidder_id: str,
                      cheat: Optional[str] = None, **kwargs) -> dict:
    if cheat:
        return await play_cheating_bidder(channels, mechanism, market, bidder_id, cheat, **kwargs)
    return await run_bidder(channels, mechanism, market, bidder_id, **kwargs)


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
            task = asyncio.ensure_future(play_bidder(chans, mechanism, market, bid, cheats.get(bid), field=field,
                                                     range_bits=range_bits, timeout=timeout))
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
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(f"--servers expects host:port,host:port,... (got {part!r})")
        out.append((host, int(port)))
    return out


def load_market_for(mechanism: str, path: str):
    """The market file for a mechanism; CliError naming the file and field on any problem."""
    try:
        return load_uniform_market(path) if mechanism == "uniform" else load_market(path)
    except (MarketFileError, ValueError) as exc:
        raise CliError(f"--market {path}: {exc}") from None


def build_parser() -> ArgumentParser:
    p = ArgumentParser(
        prog="python -m protocols.auction.private.simulator",
        description="Play every bidder of a market file as an input-only client of the private auction "
                    "servers (one TCP connection per bidder and server). Writes what each bidder learned.",
        epilog="Exit status: 0 every bidder got through to the servers (accepted or excluded by them), "
               "1 some bidder could not reach the servers, 2 bad usage or input.")
    p.add_argument("--market", required=True, help="market JSON (DANTM or uniform-price format)")
    p.add_argument("--mechanism", choices=("dantm", "uniform"), default="dantm")
    p.add_argument("--servers", required=True, type=parse_servers,
                   help="host:port of each server, comma-separated, in party order")
    p.add_argument("--range-bits", type=bounded_int(1, 32), default=None,
                   help="uniform: send increments as this many bits, 1..32 (servers must agree)")
    p.add_argument("--cheat", action="append", type=parse_cheat, default=[],
                   help="testing: ID:KIND, make bidder ID misbehave")
    p.add_argument("--concurrency", type=bounded_int(1, 10_000), default=200,
                   help="bidders connecting at the same time, 1..10000 (default 200)")
    p.add_argument("--timeout", type=seconds, default=120.0, help="seconds to wait for a server (default 120)")
    p.add_argument("--only", action="append", default=None,
                   help="play only this bidder (repeatable); a real bidder passes its own id and a file "
                        "that may hold just its own entry")
    p.add_argument("--json", required=True, help="write the bidders' views here")
    return p


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        market = load_market_for(args.mechanism, args.market)
        check_output_path(args.json, "--json")
        known = set(bidder_ids(args.mechanism, market))
        unknown = sorted(set(args.only or ()) - known) + sorted({i for i, _ in args.cheat} - known)
        if unknown:
            raise CliError(f"--only/--cheat: no bidder {unknown[0]!r} in {args.market}")
    except CliError as exc:
        return fail(exc)
    t0 = time.perf_counter()
    say = lambda msg: print(f"[bidders] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    results = asyncio.run(play_all(args.mechanism, market, args.servers, range_bits=args.range_bits,
                                   cheats=dict(args.cheat), concurrency=args.concurrency,
                                   timeout=args.timeout, progress=say,
                                   only=set(args.only) if args.only else None))
    try:
        write_json_file(args.json, "--json", {"seconds": time.perf_counter() - t0, "bidders": results}, indent=None)
    except CliError as exc:
        return fail(exc)
    rejected = [r for r in results if r["status"] != "accepted"]
    unreachable = [r for r in rejected if r["reason"].startswith(("could not connect", "connection problem"))]
    say(f"{len(results) - len(rejected)} bidders accepted, {len(rejected)} rejected")
    if unreachable:
        say(f"error: {len(unreachable)} bidders could not reach the servers (first: {unreachable[0]['reason']})")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
