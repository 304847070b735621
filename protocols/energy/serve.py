"""The computing parties of the client mode: m servers run the private group purchase for
N households that connect as input-only clients (see protocols.energy.private.clients).

    python -m protocols.energy.serve -M3 --scenario table2          # operator, accounts, servers, simulator
    python -m protocols.energy.serve -M3 -I 1 -B 12000 --workdir RUN --external-households

Each server listens for households on its party port + --client-port-offset. With
--scenario (and -M without -I) this command first runs the utility operator and opens every
household's account (both in their own processes; the accounts in one process, as a
simulation), and party 0 then starts the household simulator
(``python -m protocols.energy.household --all``) unless --external-households; households
that do not connect within --window seconds are excluded. Party 0 holds the ledger's
writer key; every other server keeps its own verified replica (<workdir>/servers/<i>/).
Party 0 prints the public result (JSON) with the excluded households and their reasons.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from mpc.cli import HOST as HOST_NAME, CliError, bounded_int, check_output_path, seconds, write_json_file
from mpc.errors import ActionRefused, ProofFailure
from mpc.session_cli import SessionCLI

HOST = 0
REPO_ROOT = Path(__file__).resolve().parents[2]
#: sockets one simulator process may hold (its file limit here is 20000); larger runs are sharded
SOCKETS_PER_SIMULATOR = 15_000

ROLES = ("roles: the operator sees the bills it issued and is not a server; each household sees only its own "
         "receipts, wallet and φ, plus the public decision and sums; the servers see shares and the public "
         "result; server 0 writes the ledger, the others verify every entry into their own replicas")


def build_cli() -> SessionCLI:
    cli = SessionCLI("protocols.energy.serve",
                     description="Private group purchasing computed by m servers for N households that connect as "
                                 "authenticated input-only clients.",
                     epilog="See the module docstring for the roles.")
    p = cli.parser
    p.add_argument("--scenario", metavar="FILE", default=None,
                   help="run the operator on this scenario and open every household's account first (only with "
                        "-M and no -I)")
    p.add_argument("--workdir", metavar="DIR", default="energy_clients_run",
                   help="run folder (default: energy_clients_run)")
    p.add_argument("--balance", type=bounded_float_dollars(), default=10_000.0,
                   help="with --scenario: tokens each new household buys, in dollars (default 10000)")
    p.add_argument("--client-port-offset", type=bounded_int(-64000, 64000), default=1000,
                   help="servers listen for households on their party port + this (default 1000)")
    p.add_argument("--client-host", default="127.0.0.1", help="address the servers listen on for households")
    p.add_argument("--window", type=seconds, default=600.0,
                   help="seconds the servers accept households before they go on without the missing ones, and "
                        "again seconds the households have to sign and prove their transfers (default 600)")
    p.add_argument("--external-households", action="store_true",
                   help="do not start the household simulator; wait for households to connect themselves")
    p.add_argument("--json", metavar="OUT", default=None, help="party 0 writes the public result here")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    cli.launcher_only.update({"--scenario", "--balance"})
    return cli


def bounded_float_dollars():
    from mpc.cli import bounded_float
    return bounded_float(0.0, 1.8e10, what="dollars")


def _run_role(module: str, *args: str) -> None:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", module, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    lines = proc.stderr.strip().splitlines()
    if proc.returncode != 0:
        raise CliError(lines[-1].removeprefix("error: ") if lines else f"{module} exited with {proc.returncode}")
    for line in lines[-3:]:
        print(line, file=sys.stderr, flush=True)


def _validate(args, cli: SessionCLI):
    from protocols.energy.market import MarketFile
    from protocols.energy.run_folder import RunFolder

    args.workdir = str(Path(args.workdir).resolve())
    folder = RunFolder(args.workdir)
    if args.json is not None:   # an empty name is refused, not ignored
        check_output_path(args.json, "--json")
        args.json = str(Path(args.json).resolve())
    if not HOST_NAME.fullmatch(args.client_host):   # before the operator runs: a bad host leaves nothing
        raise CliError(f"--client-host {args.client_host[:40]!r}: expected a host name or address")
    ports = [port + args.client_port_offset for _, port in cli.plan.addresses]
    if min(ports) < 1024 or max(ports) > 65535:
        raise CliError(f"--client-port-offset {args.client_port_offset}: household ports {min(ports)}..{max(ports)} "
                       "must lie in 1024..65535")
    if args.scenario:
        if not cli.plan.spawn:
            raise CliError("--scenario runs the operator and needs -M without -I; otherwise publish first")
        _run_role("protocols.energy.utility_operator", "publish", "--scenario", args.scenario, "--workdir",
                  args.workdir, "--operator-id", args.operator_id)
        _run_role("protocols.energy.accounts", "open", "--workdir", args.workdir, "--all",
                  "--dollars", repr(args.balance))
    try:
        published = folder.market.exists()
    except OSError as exc:   # e.g. a --workdir name longer than the file system allows
        raise CliError(f"--workdir {args.workdir}: {exc.strerror or exc}") from None
    if not published:
        raise CliError(f"--workdir {args.workdir}: no market file; give --scenario or run the operator first")
    try:
        cli.market = MarketFile.load(folder.market)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    cli.folder = folder
    return None


def _open_ledger(session, folder, market, group, pid: int):
    from protocols.ledger import LedgerCorrupted, SQLiteLedger
    from protocols.ledger.keys import load_key
    from protocols.energy.run_folder import private_dir

    home = private_dir(folder.server_home(pid))
    try:
        if pid == HOST:
            return SQLiteLedger(folder.ledger, group, writer=load_key(folder.writer_key), pin=home / "ledger.pin")
        return SQLiteLedger(home / "ledger.sqlite", group, replica=True, pin=home / "ledger.pin",
                            expect_writer=market.ledger_writer)
    except (LedgerCorrupted, ValueError, OSError) as exc:
        raise session.abort(ProofFailure(f"ledger of server {pid}: {exc}"))


async def _simulator(args, addresses, n: int) -> list[asyncio.subprocess.Process]:
    """Household simulator processes (several when one would hold too many sockets)."""
    shards = max(1, -(-n * len(addresses) // SOCKETS_PER_SIMULATOR))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    procs = []
    for i in range(shards):
        cmd = [sys.executable, "-m", "protocols.energy.household", "--workdir", args.workdir, "--all",
               "--shard", f"{i}/{shards}", "--timeout", str(args.timeout),
               "--servers", ",".join(f"{h}:{p}" for h, p in addresses)]
        procs.append(await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.DEVNULL,
                                                          stdout=asyncio.subprocess.DEVNULL,
                                                          stderr=asyncio.subprocess.PIPE, env=env))
    return procs


async def _watch(proc, tail: list[str]) -> int:
    async for raw in proc.stderr:
        line = raw.decode("utf-8", errors="replace").rstrip()
        tail[:] = (tail + [line])[-3:]
        print(line, file=sys.stderr, flush=True)
    return await proc.wait()


def main() -> None:
    cli = build_cli()
    args = cli.parse(validate=lambda a: _validate(a, cli))
    market, folder, pid = cli.market, cli.folder, cli.pid
    addresses = [(args.client_host if i == pid else ("127.0.0.1" if host == "localhost" else host),
                  port + args.client_port_offset) for i, (host, port) in enumerate(cli.plan.addresses)]
    simulate = pid == HOST and not args.external_households

    from mpc.field import PrimeField
    from protocols.energy.private.clients import ServerSetup, serve_group_purchase
    from protocols.ledger import default_group

    group = default_group()
    cli.say(f"server {pid} of {cli.m}; {market.info.n_users} households, {market.info.n_slots} slots; "
            f"scheme {market.scheme}")
    cli.say(ROLES)

    async def program(session):
        ledger = _open_ledger(session, folder, market, group, pid)
        setup = ServerSetup(market.info, market.scheme, group, ledger, market.operator_id, HOST, cli.say,
                            args.window, args.timeout, listen=(args.client_host, addresses[pid][1]))
        serve = asyncio.ensure_future(serve_group_purchase(session, setup))
        if not simulate:
            return await serve
        procs = await _simulator(args, addresses, market.info.n_users)
        tails = [[] for _ in procs]
        watches = [asyncio.ensure_future(_watch(p, t)) for p, t in zip(procs, tails)]
        pending = {serve, *watches}
        while serve in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for w, t in zip(watches, tails):
                if w in done and w.result() not in (0, 1) and serve in pending:
                    serve.cancel()
                    raise session.abort(ActionRefused(f"household simulator exited with status {w.result()}: "
                                                      f"{t[-1] if t else 'no output'}"))
        try:
            result = serve.result()
        except BaseException:
            for p in procs:
                if p.returncode is None:
                    p.kill()
            raise
        await asyncio.gather(*watches)
        return result

    res = cli.run(program, field=PrimeField(group.order),
                  stats_extra=lambda r: {"households": market.info.n_users, "excluded": len(r.excluded),
                                         "slots": market.info.n_slots,
                                         "slots_evaluated": len(r.result["per_slot"]),
                                         "join_slot": r.result["join_slot"], "steps": r.steps,
                                         "client_traffic": r.client_traffic})
    cli.report_costs()
    cli.say(f"join slot {res.result['join_slot']}; {len(res.result['group'])} households in, "
            f"{len(res.excluded)} excluded; ledger entry {res.ledger_seq}")
    if pid == HOST:
        if args.json:
            try:
                write_json_file(args.json, "--json", res.result)
            except CliError as exc:
                cli.say(f"error: {exc}")
                cli.finish(2)
        else:
            print(json.dumps(res.result, indent=1), flush=True)
    cli.finish(0)


if __name__ == "__main__":
    main()
