"""Private double auction over SPDZ with input-only bidders, one process per computing party.

    python -m protocols.auction.run -M3 --market FILE [--mechanism dantm|uniform] --json OUT

starts three computing parties (-I, -P host:port, -B port and --ssl run one party of a
multi-host session). Each server listens for bidders on its party port +
--client-port-offset. Unless --external-bidders is given, party 0 also starts the bidder
simulator (``python -m protocols.auction.private.simulator``), which plays every bidder of
the market file as a separate client over TCP (the servers themselves read only the public
part of the file: bidder ids and, for the uniform auction, the price grid). If the
simulator fails, party 0 aborts the session at once and says why. Party 0 writes OUT: the
published result (DANTM: the result JSON of docs/specs/markets.md; uniform: level, price and
rationed side), the excluded bidders with reasons, what every simulated bidder learned (its
own allocation), per-stage costs (offline and online apart) and traffic.

With --external-bidders the servers wait up to --window seconds for bidders to connect
themselves, e.g. ``python -m protocols.auction.private.simulator --market OWN.json --only ID
--servers host:port,...`` per bidder; the servers' market file then serves as the public
registry (its bid values are never read, so placeholders will do) and bidders that do not
show up are excluded when the window closes.

Measured (closing note of the issue that built it, trusted dealer, 2-core machine): the
uniform-price auction with 5,000 bidders and 100 price levels on 3 computing parties took
38.3 s for the whole command on a quiet machine. See benchmarks/auction_private.py.

Trust model: SPDZ with active security against any m − 1 corrupt computing parties
(honest parties abort on any deviation); the preprocessing backend's own trust model is
printed. Bidders are input-only clients (mpc.client_input documents exactly what they are
guaranteed).
"""
from __future__ import annotations

import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Optional

from mpc.cli import (EXIT_ABORT, HOST, CliError, bounded_int, check_not_input, check_output_path, read_json_file, seconds,
                     write_json_file)
from mpc.client_input.wire import MAX_ID_BYTES
from mpc.errors import ActionRefused
from mpc.session_cli import SessionCLI
from protocols.auction.market_file import MarketFileError, load_market
from protocols.auction.private.dantm import check_market_ranges
from protocols.auction.private.session import serve_auction
from protocols.auction.private.bidders import bidder_ids
from protocols.auction.private.simulator import BIDDER_CHEATS, parse_cheat
from protocols.auction.reference.uniform_price import load_uniform_market
from protocols.auction.reference.winner_determination import PRICINGS

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Sizes the private auction accepts. Measured (see the module docstring): 5,000 bidders x
#: 100 levels in 38 s; ten times that in either direction is a long run, not a typo that
#: keeps three processes busy for hours.
MAX_BIDDERS = 50_000
MAX_PRIVATE_LEVELS = 1_000


def build_cli() -> SessionCLI:
    cli = SessionCLI(
        "protocols.auction.run",
        description="Private double auction (DANTM or uniform-price clearing) computed by m SPDZ servers; "
                    "bidders are input-only clients over TCP.")
    p = cli.parser
    p.add_argument("--market", required=True,
                   help="market JSON: DANTM format (buyers with bid/quality/quantity, sellers with "
                        "ask/quality/quantity) or, with --mechanism uniform, the price-grid format "
                        "(prices, buyers[].demand, sellers[].supply)")
    p.add_argument("--mechanism", choices=("dantm", "uniform"), default="dantm",
                   help="dantm: the one-slot double auction (result as the plaintext reference's); uniform: "
                        "uniform-price clearing on the file's price grid (default dantm)")
    p.add_argument("--pricing", choices=PRICINGS, default="vickrey", help="DANTM pricing (default vickrey)")
    p.add_argument("--json", required=True, help="party 0 writes the outcome here")
    p.add_argument("--range-bits", type=bounded_int(1, 32), default=None,
                   help="uniform: bidders send each curve increment as this many bits (1..32) and the servers "
                        "check them (costs levels*bits multiplications per bidder; off by default)")
    p.add_argument("--client-port-offset", type=bounded_int(-64000, 64000), default=1000,
                   help="servers listen for bidders on their party port + this (may be negative; default 1000)")
    p.add_argument("--client-host", default="127.0.0.1", help="address the servers listen on for bidders")
    p.add_argument("--window", type=seconds, default=600.0,
                   help="seconds the servers accept bidders before they start without the missing ones")
    p.add_argument("--external-bidders", action="store_true",
                   help="do not start the bidder simulator; wait for bidders to connect themselves")
    p.add_argument("--bidder-cheat", action="append", type=parse_cheat, default=[],
                   help=f"testing: ID:KIND, make a simulated bidder misbehave ({', '.join(BIDDER_CHEATS)})")
    cli.add_cheat_option()
    return cli


def load_checked_market(mechanism: str, path: str):
    """The market for the chosen mechanism; CliError naming --market, the file and the field otherwise."""
    try:
        if mechanism == "uniform":
            market = load_uniform_market(path, "--market")
        else:
            market = load_market(path, "--market")
            check_market_ranges(market)
    except MarketFileError as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:  # check_market_ranges: a value the private encoding cannot hold
        raise CliError(f"--market {path}: {exc}") from None
    # A double auction needs both sides; with one empty the servers would have nothing to
    # clear (and used to fail deep inside the session in every party).
    for side in ("buyers", "sellers"):
        if not getattr(market, side):
            raise CliError(f"--market {path}: {side}: the auction needs at least one buyer and one seller")
    ids = bidder_ids(mechanism, market)
    if len(ids) > MAX_BIDDERS:
        raise CliError(f"--market {path}: {len(ids):,} bidders; the private auction takes at most {MAX_BIDDERS:,}")
    if mechanism == "uniform" and market.levels > MAX_PRIVATE_LEVELS:
        raise CliError(f"--market {path}: prices: {market.levels:,} price levels; the private auction takes at most "
                       f"{MAX_PRIVATE_LEVELS:,}")
    for b in ids:
        if len(b.encode("utf-8")) > MAX_ID_BYTES:
            raise CliError(f"--market {path}: bidder id {b[:20]!r}...: longer than {MAX_ID_BYTES} bytes, "
                           "the most a bidder may send")
    return market


def validate(args, cli: SessionCLI):
    """Everything checked before any process starts; paths are made absolute here so that
    helpers started from another folder find the same files."""
    if not args.market:
        raise CliError("--market: no file name given")
    args.market = str(Path(args.market).resolve())
    cli.market = load_checked_market(args.mechanism, args.market)
    if cli.plan.pid == 0 or cli.plan.spawn:
        check_output_path(args.json, "--json")
        check_not_input(args.json, {"--market": args.market}, "--json")
    args.json = str(Path(args.json).resolve())
    if not HOST.fullmatch(args.client_host):
        raise CliError(f"--client-host {args.client_host[:40]!r}: expected a host name or address")
    ports = [port + args.client_port_offset for _, port in cli.plan.addresses]
    if min(ports) < 1024 or max(ports) > 65535:
        raise CliError(f"--client-port-offset {args.client_port_offset}: bidder ports {min(ports)}..{max(ports)} "
                       "must lie in 1024..65535")
    known = set(bidder_ids(args.mechanism, cli.market))
    for ident, _ in args.bidder_cheat:
        if ident not in known:
            raise CliError(f"--bidder-cheat {ident[:40]!r}: no such bidder in {args.market}")
    return None


class Simulator:
    """The bidder simulator, a child process of party 0. Its stderr is forwarded line by
    line (and the last lines kept, to name the cause if it fails) by a thread, so that
    waiting for it never needs the session's event loop: the session can close first."""

    def __init__(self, args, addresses, views: str):
        cmd = [sys.executable, "-m", "protocols.auction.private.simulator", "--market", args.market,
               "--mechanism", args.mechanism, "--json", views, "--timeout", str(args.timeout),
               "--servers", ",".join(f"{h}:{p}" for h, p in addresses)]
        if args.range_bits:
            cmd += ["--range-bits", str(args.range_bits)]
        for ident, kind in args.bidder_cheat:
            cmd += ["--cheat", f"{ident}:{kind}"]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        # absolute paths (validate) and the same working folder: nothing depends on where
        # the command was started (issue 20)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self.tail: collections.deque[str] = collections.deque(maxlen=3)
        self._reader = threading.Thread(target=self._forward, daemon=True)
        self._reader.start()

    def _forward(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self.tail.append(line)
                print(line, file=sys.stderr, flush=True)

    async def exited(self) -> int:
        """Its exit status, once it has exited (polled, so any event loop will do)."""
        while self.proc.poll() is None:
            await asyncio.sleep(0.1)
        self._reader.join(timeout=1)
        return self.proc.returncode

    def last_line(self) -> str:
        return self.tail[-1] if self.tail else "no output"

    def finish(self, timeout: float) -> Optional[int]:
        """Wait up to `timeout` seconds, then kill it; its exit status, None if killed."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._reader.join(timeout=1)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main() -> None:
    cli = build_cli()
    args = cli.parse(validate=lambda a: validate(a, cli))
    market, pid = cli.market, cli.pid
    addresses = [(args.client_host if i == pid else ("127.0.0.1" if host == "localhost" else host),
                  port + args.client_port_offset) for i, (host, port) in enumerate(cli.plan.addresses)]
    own = (args.client_host, addresses[pid][1])
    simulate = pid == 0 and not args.external_bidders
    views = None
    sim: Optional[Simulator] = None
    if simulate:
        fd, views = tempfile.mkstemp(prefix="bidders-", suffix=".json")
        os.close(fd)

    async def program(s):
        nonlocal sim
        ready = asyncio.Event()
        serve = asyncio.ensure_future(serve_auction(
            s, args.mechanism, market, pricing=args.pricing, range_bits=args.range_bits, listen=own,
            window=args.window, client_timeout=args.timeout, log=cli.say, ready=ready))
        if not simulate:
            return await serve
        # start the bidders only once the servers listen: preprocessing can outlast their patience
        listening = asyncio.ensure_future(ready.wait())
        await asyncio.wait({serve, listening}, return_when=asyncio.FIRST_COMPLETED)
        listening.cancel()
        if serve.done():
            return await serve
        sim = Simulator(args, addresses, views)
        cli.say(f"started the bidder simulator (process {sim.proc.pid})")
        watch = asyncio.ensure_future(sim.exited())
        done, _ = await asyncio.wait({serve, watch}, return_when=asyncio.FIRST_COMPLETED)
        if watch in done and watch.result() != 0:
            # the simulator failed while the servers still wait for bidders: stop the session
            # now, with its reason, instead of letting the input window run out
            serve.cancel()
            raise s.abort(ActionRefused(f"bidder simulator exited with status {watch.result()}: {sim.last_line()}"))
        watch.cancel()
        # The session ends here; the simulator's bidders are waited for after it is closed,
        # so the other parties are never left waiting for a message while party 0 waits.
        return await serve

    try:
        outcome = cli.run(program)
    except BaseException:
        if sim is not None:
            sim.kill()
        if views:
            os.unlink(views)
        raise
    cli.report_costs()
    cli.say(f"result: {json.dumps(outcome['result'])[:300]}")
    total = len(bidder_ids(args.mechanism, market))
    if total and len(outcome["excluded"]) == total:
        # every bidder was excluded (none connected in the window, or all sent bad input):
        # there was no auction, which is a failure and not a result with no trades
        first = next(iter(outcome["excluded"].items()))
        if sim is not None:
            sim.kill()
            os.unlink(views)
        print(f"error: every one of the {total} bidders was excluded (first: {first[0]}: {first[1]}); "
              "nothing written", file=sys.stderr, flush=True)
        cli.finish(EXIT_ABORT)
    if pid != 0:
        cli.finish(0)
    outcome.update({"wall_seconds": cli.elapsed, "parties": cli.m, "mechanism": args.mechanism})
    if sim is not None:
        code = sim.finish(args.timeout)
        try:
            if code is None:
                raise CliError(f"it did not finish within {args.timeout:g} s")
            got = read_json_file(views, "bidder views")
            outcome["bidders"] = {v["id"]: (v["allocation"] if "allocation" in v else v["status"])
                                  if v["status"] == "accepted" else {"rejected": v["reason"]}
                                  for v in got["bidders"]}
        except (CliError, KeyError, TypeError) as exc:
            cli.say(f"the bidder simulator did not report its bidders' views: {exc}")
        finally:
            os.unlink(views)
    try:
        write_json_file(args.json, "--json", outcome, indent=1)
    except CliError as exc:
        cli.say(f"error: {exc}")
        cli.finish(2)
    cli.say(f"outcome written to {args.json}")
    cli.finish(0)


if __name__ == "__main__":
    main()
