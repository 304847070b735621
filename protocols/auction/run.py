"""Private double auction over SPDZ with input-only bidders, one process per computing party.

    python -m protocols.auction.run -M3 --market FILE [--mechanism dantm|uniform] --json OUT

starts three computing parties through MPyC's launcher (other MPyC options such as -I,
-P host:port, -B port and --ssl pass through). Each server listens for bidders on its
MPyC port + --client-port-offset. Unless --external-bidders is given, party 0 also
starts ``python -m protocols.auction.private_bidders``, which plays every bidder of the
market file as a separate client over TCP (the servers themselves read only the public
part of the file: bidder ids and, for the uniform auction, the price grid). Party 0
writes OUT: the published result (DANTM: the result JSON of specs/markets.md; uniform:
level, price and rationed side), the excluded bidders with reasons, what every simulated
bidder learned (its own allocation), timings and traffic.

With --external-bidders the servers wait up to --window seconds for bidders to connect
themselves, e.g. ``python -m protocols.auction.private_bidders --market OWN.json --only ID
--servers host:port,...`` per bidder; the servers' market file then serves as the public
registry (its bid values are never read, so placeholders will do) and bidders that do not
show up are excluded when the window closes.

Closing note (measured on this 2-core machine, shared with other jobs): the uniform-price
auction with 5,000 bidders (2,500 buyers, 2,500 sellers) and 100 price levels on 3
computing parties, ``python -m protocols.auction.run -M3 --market M.json --mechanism
uniform --json OUT`` with M.json from ``python -m protocols.auction.uniform_price
--generate 2500 2500 100 --seed 7 --json M.json``, took 38.3 s for the whole command on a
quiet machine (35.1 s session at party 0: 13.3 s trusted-dealer preprocessing, 13.7 s
bidder input over TCP, 6.3 s clearing, 0.7 s outputs; 112 MB sent by party 0, 363 rounds),
31.5 s in ``python -m benchmarks.auction_private --json b.json --plot b.png --scale 5000x100``
(its own random market, 28.8 s session), and 94 s and 115 s in two runs while other jobs
loaded the cores; the allocations equalled
the plaintext reference's every time. Anchors: 1,200 bidders in about 30 minutes
(sugar-beet, 2008); 5,000 in 4.17 minutes with semi-honest MP-SPDZ servers (2026). Ours is
actively secure against m − 1 corrupt servers, but its preprocessing is a trusted dealer
(party 0), and with range checks off (the default at this scale) a bidder's increments are
trusted to be in range.

Trust model: SPDZ with active security against any m − 1 corrupt computing parties
(honest parties abort on any deviation); the preprocessing backend's own trust model is
printed (the trusted dealer is for tests and benchmarks only). Bidders are input-only
clients (mpc.client_input documents exactly what they are guaranteed).
"""
import os
import sys

if __package__ in (None, ""):  # started by MPyC's launcher as a script: import the package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from mpc.faults import CHEATS, cheating_factory  # noqa: E402
from mpc.field import PrimeField  # noqa: E402
from mpc.launch import exit_on_abort, mpyc_runtime, parse_cli, run_party  # noqa: E402
from mpc.preprocessing import BACKENDS  # noqa: E402
from protocols.auction.market_file import MarketFileError, load_market  # noqa: E402
from protocols.auction.private_bidders import BIDDER_CHEATS, parse_cheat  # noqa: E402
from protocols.auction.private_dantm import check_market_ranges  # noqa: E402
from protocols.auction.private_session import serve_auction  # noqa: E402
from protocols.auction.uniform_price import load_uniform_market  # noqa: E402
from protocols.auction.winner_determination import PRICINGS  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.auction.run",
        description="Private double auction (DANTM or uniform-price clearing) computed by m SPDZ "
                    "servers started with MPyC's launcher (-M3, -I i, -P host:port, -B port, --ssl "
                    "pass through); bidders are input-only clients over TCP.")
    p.add_argument("--market", required=True,
                   help="market JSON: DANTM format (buyers with bid/quality/quantity, sellers with "
                        "ask/quality/quantity) or, with --mechanism uniform, the price-grid format "
                        "(prices, buyers[].demand, sellers[].supply)")
    p.add_argument("--mechanism", choices=("dantm", "uniform"), default="dantm")
    p.add_argument("--pricing", choices=PRICINGS, default="vickrey", help="DANTM pricing (default vickrey)")
    p.add_argument("--json", required=True, help="party 0 writes the outcome here")
    p.add_argument("--range-bits", type=int, default=None,
                   help="uniform: bidders send each curve increment as this many bits and the servers "
                        "check them (costs levels*bits multiplications per bidder; off by default)")
    p.add_argument("--client-port-offset", type=int, default=1000,
                   help="servers listen for bidders on their MPyC port + this (default 1000)")
    p.add_argument("--client-host", default="127.0.0.1", help="address the servers listen on for bidders")
    p.add_argument("--window", type=float, default=600.0,
                   help="seconds the servers accept bidders before they start without the missing ones")
    p.add_argument("--external-bidders", action="store_true",
                   help="do not start the bidder simulator; wait for bidders to connect themselves")
    p.add_argument("--bidder-cheat", action="append", type=parse_cheat, default=[],
                   help=f"ID:KIND, make a simulated bidder misbehave ({', '.join(BIDDER_CHEATS)})")
    p.add_argument("--cheat", choices=CHEATS, help="make computing party 1 deviate in this way (mpc.faults)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a peer (default 60)")
    p.add_argument("--backend", choices=sorted(BACKENDS), default="dealer", help="preprocessing backend")
    return p


def load_checked_market(args):
    """The market of --market for the chosen mechanism; raises MarketFileError/ValueError
    naming the offending field."""
    if args.mechanism == "uniform":
        return load_uniform_market(args.market)
    market = load_market(args.market)
    check_market_ranges(market)
    return market


def validate(args):
    """Error message for bad arguments or a bad market file (checked before MPyC's launcher
    starts the other parties), else None."""
    if args.range_bits is not None and not 1 <= args.range_bits <= 32:
        return "--range-bits must be in 1..32"
    if args.timeout <= 0 or args.window <= 0:
        return "--timeout and --window must be positive"
    try:
        load_checked_market(args)
    except (MarketFileError, ValueError) as exc:
        return str(exc)
    return None


def main():
    args = parse_cli(build_parser(), validate)
    rt = mpyc_runtime()
    pid = rt.pid
    market = load_checked_market(args)
    say = lambda msg: print(f"[party {pid}] {msg}", flush=True)  # noqa: E731
    addresses = [(args.client_host if p.pid == pid else (p.host if p.host != "localhost" else "127.0.0.1"),
                  p.port + args.client_port_offset) for p in rt.parties]
    own = (args.client_host, addresses[pid][1])
    bidders_proc, bidders_out = None, None
    if pid == 0 and not args.external_bidders:
        fd, bidders_out = tempfile.mkstemp(prefix="bidders-", suffix=".json")
        os.close(fd)
        cmd = [sys.executable, "-m", "protocols.auction.private_bidders", "--market", args.market,
               "--mechanism", args.mechanism, "--json", bidders_out, "--timeout", str(args.timeout),
               "--servers", ",".join(f"{h}:{p}" for h, p in addresses)]
        if args.range_bits:
            cmd += ["--range-bits", str(args.range_bits)]
        for ident, kind in args.bidder_cheat:
            cmd += ["--cheat", f"{ident}:{kind}"]
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        bidders_proc = subprocess.Popen(cmd, cwd=root)
        say(f"started the bidder simulator (process {bidders_proc.pid})")
    field = PrimeField()
    factory = cheating_factory(args.cheat, 1, field) if args.cheat else None

    async def program(s):
        say(f"{s.m} computing parties; preprocessing: {s.prep.TRUST_MODEL}")
        return await serve_auction(s, args.mechanism, market, pricing=args.pricing, range_bits=args.range_bits,
                                   listen=own, window=args.window, client_timeout=args.timeout, log=say)

    t0 = time.perf_counter()
    try:
        outcome = exit_on_abort(lambda: run_party(program, field=field, backend=args.backend,
                                                  timeout=args.timeout, session_factory=factory))
    except BaseException:
        if bidders_proc is not None:
            bidders_proc.kill()
            bidders_proc.wait()
        raise
    wall = time.perf_counter() - t0
    st = outcome["traffic"]
    say(f"result: {json.dumps(outcome['result'])[:300]}")
    say(f"{wall:.2f} s; traffic: {st['rounds']} rounds, {st['messages']} messages, {st['bytes']} bytes sent")
    if pid != 0:
        return
    outcome["wall_seconds"] = wall
    outcome["parties"] = len(rt.parties)
    outcome["mechanism"] = args.mechanism
    if bidders_proc is not None:
        try:
            bidders_proc.wait(timeout=args.timeout)
            with open(bidders_out) as fh:
                views = json.load(fh)
            outcome["bidders"] = {v["id"]: (v["allocation"] if "allocation" in v else v["status"])
                                  if v["status"] == "accepted" else {"rejected": v["reason"]}
                                  for v in views["bidders"]}
        except (subprocess.TimeoutExpired, OSError, ValueError) as exc:
            say(f"bidder simulator did not report: {exc}")
            bidders_proc.kill()
        finally:
            if os.path.exists(bidders_out):
                os.unlink(bidders_out)
    try:
        with open(args.json, "w") as fh:
            json.dump(outcome, fh, indent=1)
    except OSError as exc:
        print(f"error: --json {args.json}: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(2)
    say(f"outcome written to {args.json}")


if __name__ == "__main__":
    main()
