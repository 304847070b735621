"""``python -m protocols.energy.household``: a household as an input-only client of the
computing parties of ``python -m protocols.energy.serve``.

    python -m protocols.energy.household --workdir RUN --user u1 --servers h0:p0,h1:p1,h2:p2
    python -m protocols.energy.household --workdir RUN --all --servers ...   # simulator

One household reads the public market file and its own home only (receipts, wallet),
authenticates with its account key, inputs its committed bill values with the opening
proof, learns the decision and its own φ, signs and proves its transfer, and updates its
wallet once the servers report the ledger entry. With --all (simulations and benchmarks)
one process plays every household of the market concurrently, each over its own
connections and with its own key; this process then reads every household's home.
Exit status: 0 success, 1 this household (or, with --all, some household) was refused or
a server misbehaved, 2 bad usage or input.
"""
from __future__ import annotations

import asyncio
import functools
import json
import sys
import time
from typing import Optional

from mpc.cli import ArgumentParser, CliError, bounded_int, check_output_path, fail, seconds, write_json_file
from protocols.energy.market import check_id


def parse_servers(text: str) -> list[tuple[str, int]]:
    import argparse

    out = []
    for part in text.split(","):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(f"--servers expects host:port,host:port,... (got {part!r})")
        out.append((host, int(port)))
    return out


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="python -m protocols.energy.household", description=__doc__.split("\n\n")[0],
                       epilog=__doc__.split("\n\n")[-1])
    p.add_argument("--workdir", required=True, metavar="DIR", help="run folder (market file and household homes)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="this household's id")
    who.add_argument("--all", action="store_true", help="simulator: play every household of the market")
    p.add_argument("--shard", default="0/1", metavar="I/K",
                   help="with --all: play only households i, i+k, i+2k, ... (to spread a large simulation over "
                        "processes; default 0/1)")
    p.add_argument("--servers", required=True, type=parse_servers, help="host:port of every server, in party order")
    p.add_argument("--timeout", type=seconds, default=120.0,
                   help="seconds to wait for a server's answer while sending the inputs (default 120)")
    p.add_argument("--wait", type=seconds, default=3600.0,
                   help="seconds to wait for the result, the payment request and the ledger notice, each; the "
                        "servers send them only after the input window and the computation (default 3600)")
    p.add_argument("--concurrency", type=bounded_int(1, 100_000), default=500,
                   help="with --all: households sending their inputs at the same time; the others connect when "
                        "one of these has been acknowledged (default 500)")
    p.add_argument("--json", metavar="OUT", help="write what the household(s) learned")
    return p


def _shard(text: str) -> tuple[int, int]:
    try:
        i, k = (int(x) for x in text.split("/"))
    except ValueError:
        raise CliError(f"--shard {text}: expected I/K, e.g. 0/2") from None
    if not 0 <= i < k <= 1000:
        raise CliError(f"--shard {text}: need 0 ≤ I < K ≤ 1000")
    return i, k


def _setups(folder, market, uids):
    """Each household's own setup, from its own home."""
    from protocols.energy.private.bills import own_bill_from_receipts
    from protocols.energy.private.household import HouseholdSetup
    from protocols.energy.private.wallet import Wallet
    from protocols.energy.utility_operator import ReceiptInvalid, check_receipt, load_receipts
    from protocols.ledger import default_group
    from zkp.signatures import SignedRoot

    group = default_group()
    signed = SignedRoot.from_bytes(market.signed_root)
    out = []
    for uid in uids:
        try:
            _, _, receipts = load_receipts(folder.receipts(uid))
            for r in receipts:
                check_receipt(market.operator_key, signed, r, check_openings=True, group=group)
            wallet = Wallet.load(folder.wallet(uid))
        except (ValueError, ReceiptInvalid) as exc:
            raise CliError(f"household {uid}: {exc}") from None
        out.append(HouseholdSetup(market.info, market.scheme, group, own_bill_from_receipts(uid, receipts), wallet,
                                  signed, market.ledger_id))
    return out


def shared_decoder():
    """json.loads that returns the same object for equal bytes (the households of one simulator
    all receive the same public result: they share its one decoded copy and must not change it)."""
    return functools.lru_cache(maxsize=4)(json.loads)


async def _play_all(setups, servers, timeout: float, concurrency: int, say, wait: float = 3600.0) -> list[dict]:
    """Every household of `setups` on this event loop. At most `concurrency` of them are
    between connecting and the servers' acknowledgement at once: a household connected but
    held up by the others' work would miss the servers' HELLO and challenge timeouts. Their
    proofs run one at a time in a worker thread, so the loop keeps answering meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    from mpc.client_input import ClientInputError, connect_servers
    from protocols.energy.private.household import play_household

    gate = asyncio.Semaphore(concurrency)
    done = 0
    parse_result = shared_decoder()

    async def one(hs, proofs) -> dict:
        nonlocal done
        uid = hs.bill.user_id
        hs.timeout, hs.result_timeout, hs.proofs, hs.parse_result = timeout, wait, proofs, parse_result
        await gate.acquire()
        held = [True]

        def release() -> None:
            if held[0]:
                held[0] = False
                gate.release()
        try:
            channels = await connect_servers(servers, timeout)
            try:
                view = await play_household(channels, hs, after_input=release)
            finally:
                for ch in channels:
                    ch.close()
        except ClientInputError as exc:
            return {"household": uid, "status": "refused", "reason": str(exc)}
        finally:
            release()
        done += 1
        if done % max(1, len(setups) // 10) == 0:
            say(f"{done}/{len(setups)} households done")
        if view.new_balance is not None:   # the payment is on the ledger: keep the new balance opening
            hs.wallet.balance, hs.wallet.r_balance = view.new_balance
            hs.wallet.save(hs.wallet_path)
        return {"household": uid, "status": "done", "phi": view.phi, "join_slot": view.result.get("join_slot"),
                "ledger_seq": view.ledger_seq, "seconds": round(view.seconds, 4),
                "compute_seconds": round(view.compute_seconds, 4), **view.traffic}

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="proofs") as proofs:
        return list(await asyncio.gather(*(one(hs, proofs) for hs in setups)))


def main(argv: Optional[list[str]] = None) -> int:
    from protocols.energy.market import MarketFile
    from protocols.energy.run_folder import RunFolder

    args = build_parser().parse_args(argv)
    say = lambda msg: print(f"[households] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        folder = RunFolder(args.workdir)
        try:
            market = MarketFile.load(folder.market)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if args.all:
            i, k = _shard(args.shard)
            uids = list(market.info.user_ids)[i::k]
        else:
            try:
                uids = [check_id(args.user, "--user")]
            except ValueError as exc:
                raise CliError(str(exc)) from None
            if args.user not in market.info.user_ids:
                raise CliError(f"--user {args.user!r}: not a household of the market")
        if len(args.servers) < 2:
            raise CliError("--servers: at least two computing parties")
        if args.json is not None:   # an empty name is refused, not ignored
            check_output_path(args.json, "--json")
        setups = _setups(folder, market, uids)
        for hs, uid in zip(setups, uids):
            hs.wallet_path = folder.wallet(uid)
    except CliError as exc:
        return fail(exc)
    t0 = time.perf_counter()
    views = asyncio.run(_play_all(setups, args.servers, args.timeout, args.concurrency, say, args.wait))
    refused = [v for v in views if v["status"] != "done"]
    for v in refused[:5]:
        say(f"{v['household']} refused: {v['reason']}")
    say(f"{len(views) - len(refused)} households done, {len(refused)} refused, {time.perf_counter() - t0:.1f} s")
    if not args.all and not refused:
        v = views[0]
        phi = v["phi"]
        print(json.dumps(v), flush=True)
        say(f"{v['household']}: join slot {v['join_slot']}; φ = " +
            ("none" if phi is None else f"{phi} n$ = {phi / 1e9:.2f} $ ({'pay' if phi > 0 else 'receive'})"))
    if args.json:
        try:
            write_json_file(args.json, "--json", {"seconds": time.perf_counter() - t0, "households": views}, indent=None)
        except CliError as exc:
            return fail(exc)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
