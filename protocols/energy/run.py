"""Command line: the private group purchase (SPDZ + ZKPs), one process per household.

    python -m protocols.energy.run -M4 --scenario table2                  # operator, then 4 households
    python -m protocols.energy.utility_operator publish --scenario my.json --workdir RUN
    python -m protocols.energy.run -M4 -I 2 -B 12000 --workdir RUN        # household 2 of a manual start
    python -m protocols.energy.run -M4 --scenario table2 --ledger evm     # the ledger is a contract on a chain

Roles and what each sees (protocols.energy.run_folder lays out the files):
- The utility operator (its own process, `python -m protocols.energy.utility_operator
  publish`) commits every household's bill data, publishes the signed Merkle root on the
  ledger, writes the public market file and hands each household only its own receipts,
  in that household's home. It sees the bills it issued; it takes no part in the session.
  With --scenario, this command starts that process first, then opens the account of every
  household that has no wallet yet (one `accounts open` process each, --balance dollars),
  both only when -M starts every party.
- Household p (party p, in the market file's order) reads the public market file and its
  own home only (receipts; wallet: Ed25519 key and balance opening; ledger replica); party 0
  also the ledger service's file and writer key. It learns the per-slot decisions, the two
  public sums at the join slot, the rounding deficit and its own φ; the result JSON holds
  only its own φ unless --reveal-all (testing).
- The ledger service (<workdir>/ledger/) holds the writer and issuer keys: the operator
  publishes through it, `python -m protocols.energy.accounts open` opens a household's
  account through it (the token issuer sees the amount bought), and during the session
  party 0 holds its writer key. Every household keeps its own replica in its home: at the
  start and after every stage that wrote, party 0 sends the new entries, every household
  verifies them under the ledger's rules, appends them to its own file and pins the head,
  and the session goes on only if all heads agree. Every household checks the operator's
  key and root against the market file, and its receipts against the root.
- With --ledger evm[:MODE] (MODE attested by default, or onchain, writer; needs the evm
  extra) the ledger is MultiTxLedger.vy on a local chain instead of the SQLite file: party 0
  starts the chain's node (python -m protocols.ledger.evm.node; its own process, on
  127.0.0.1, stopped when party 0 exits), which deploys the contract as the ledger service's
  writer and announces its URL in <workdir>/public/ledger.json; the operator, the account
  openings and party 0 write through it, and every household reads the contract's storage
  and logs itself (no replica file; the stage ends when all read the same head).  Holders
  sign and prove with the ledger's scheme (secp256k1 and SHA-256 proofs checked on chain in
  modes onchain/attested).  The chain lives as long as the run: use a new --workdir each time.
- The preprocessing backend's trust model is printed at start; with the trusted dealer,
  party 0 could read every household's input, so use it only for tests.
Party i writes its result JSON to OUT for party 0 and OUT with ".party<i>" before the
suffix for the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mpc.cli import CliError, bounded_float, write_json_file
from mpc.errors import ProofFailure
from mpc.session_cli import SessionCLI, party_path

HOST = 0   # the party that holds the ledger's writer key during the session
MAX_DOLLARS = 1.8e10

ROLES = ("roles: the operator sees the bills it issued and is not in the session; each household sees only "
         "its own receipts, wallet and φ, plus the public decisions and sums; party 0 writes the ledger, every "
         "household verifies each entry into its own replica (on an EVM ledger: reads the contract itself); every "
         "household checks the operator's root and "
         "its receipts itself")


def build_cli() -> SessionCLI:
    cli = SessionCLI(
        "protocols.energy.run",
        description="Private group purchasing of an energy plan: N households (one process each) share their "
                    "operator-committed bills, decide by the two-state social work-function rule, compute "
                    "their net compensations φ_i and pay them by a confidential multi-transaction on the "
                    "ledger.",
        epilog="See the module docstring for the roles and what each sees.")
    p = cli.parser
    p.add_argument("--scenario", metavar="FILE", default=None,
                   help="run the utility operator on this scenario first (docs/specs/energy.md, or a built-in "
                        "name such as table2); only with -M and no -I, which start every party here")
    p.add_argument("--scheme", choices=("egalitarian", "proportional"), default=None,
                   help="with --scenario: the compensation scheme the operator announces (default: the scenario's)")
    p.add_argument("--workdir", metavar="DIR", default="energy_run",
                   help="run folder: public market file, ledger, operator key, one home per household "
                        "(default: energy_run)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write this party's result JSON (party i > 0 inserts .party<i> before the suffix)")
    p.add_argument("--reveal-all", action="store_true",
                   help="testing only: open every φ_i to every party and write them all")
    p.add_argument("--balance", type=bounded_float(0.0, MAX_DOLLARS, what="dollars"), default=10_000.0,
                   help="with --scenario: tokens bought, in dollars, by a household that has no account yet (at "
                        f"most {MAX_DOLLARS:g}, the 2^64 n$ bound; default 10000)")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    p.add_argument("--ledger", default="sqlite", metavar="KIND",
                   help="sqlite (default: the run folder's ledger service) or evm[:MODE] with MODE attested "
                        "(default), onchain or writer: the ledger contract on a local chain (needs the evm extra)")
    cli.launcher_only.update({"--scenario", "--scheme", "--balance"})   # the set-up runs once, before the session
    return cli


def _run_role(module: str, *args: str) -> None:
    """Another role's own process (the operator, a household opening its account): no household
    session process ever holds the bills or another household's key."""
    proc = subprocess.run([sys.executable, "-m", module, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    lines = proc.stderr.strip().splitlines()
    if proc.returncode != 0:
        raise CliError(lines[-1].removeprefix("error: ") if lines else f"{module} exited with {proc.returncode}")
    for line in lines:
        print(line, file=sys.stderr, flush=True)


def _set_up(args, folder) -> None:
    """The one-command demo: the operator publishes, then every household without a wallet opens
    its account (each in its own process)."""
    from protocols.energy.market import MarketFile

    operator = ["publish", "--scenario", args.scenario, "--workdir", args.workdir, "--operator-id", args.operator_id]
    _run_role("protocols.energy.utility_operator", *operator, *(["--scheme", args.scheme] if args.scheme else []))
    try:
        market = MarketFile.load(folder.market)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    for uid in market.info.user_ids:
        if not folder.wallet(uid).exists():
            _run_role("protocols.energy.accounts", "open", "--workdir", args.workdir, "--household", uid,
                      "--dollars", repr(args.balance))


def _validate(args, cli: SessionCLI):
    """Everything that can be checked before any household process starts."""
    from protocols.energy.market import MarketFile
    from protocols.energy.run_folder import RunFolder

    args.workdir = str(Path(args.workdir).resolve())
    folder = RunFolder(args.workdir)
    if args.json is not None:   # an empty name is refused, not ignored
        cli.check_output(args.json, "--json")
    if args.scheme and not args.scenario:
        raise CliError("--scheme goes with --scenario (otherwise the market file fixes the scheme)")
    evm_mode = _ledger_kind(args.ledger)
    if evm_mode is not None:
        from protocols.ledger.evm.factory import require_extra

        try:
            require_extra(f"--ledger {args.ledger}")
        except ImportError as exc:
            raise CliError(str(exc)) from None
    try:
        evm_announced = folder.evm_announcement.exists()
    except OSError as exc:   # e.g. a --workdir name longer than the file system allows
        raise CliError(f"--workdir {args.workdir}: {exc.strerror or exc}") from None
    if evm_mode is None and evm_announced:
        raise CliError(f"--workdir {args.workdir}: its ledger is an EVM chain ({folder.evm_announcement}); "
                       "give --ledger evm")
    if args.scenario:
        if not cli.plan.spawn:
            raise CliError("--scenario runs the operator and needs -M without -I (every party started here); "
                           "otherwise run python -m protocols.energy.utility_operator publish first")
        parent = Path(args.workdir).parent
        if not parent.is_dir():
            raise CliError(f"--workdir {args.workdir}: folder {parent} does not exist")
        # before the operator publishes anything: the scenario fixes the households, one party each
        _check_party_count(cli.m, len(_load_scenario(args.scenario).users), "scenario")
        if evm_mode is not None:
            _start_chain(folder, evm_mode)
        _set_up(args, folder)
    if not folder.market.exists():
        raise CliError(f"--workdir {args.workdir}: no market file {folder.market}; give --scenario or run "
                       "python -m protocols.energy.utility_operator publish first")
    try:
        market = MarketFile.load(folder.market)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _check_party_count(cli.m, market.info.n_users, "market")
    for uid in market.info.user_ids if cli.plan.spawn else [market.info.user_ids[cli.pid]]:
        if not folder.wallet(uid).exists():
            raise CliError(f"household {uid} has no wallet: run python -m protocols.energy.accounts open --workdir "
                           f"{args.workdir} --household {uid} first")
    if evm_mode is None and (cli.plan.spawn or cli.pid == HOST):
        _check_ledger_file(folder)
    if evm_mode is not None:
        try:
            chain = folder.evm_chain()
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if chain is None or chain["mode"] != evm_mode:
            raise CliError(f"--ledger {args.ledger}: the run folder announces "
                           + ("no chain" if chain is None else f"a chain in mode {chain['mode']}")
                           + "; start every party with --scenario here, or the node first")
    cli.market, cli.folder = market, folder
    return None


def _load_scenario(source: str):
    from protocols.energy.scenarios.loader import ScenarioError, load_scenario

    try:
        return load_scenario(source)
    except ScenarioError as exc:
        raise CliError(f"--scenario {source}: {exc}") from None


def _check_party_count(m: int, n: int, source: str) -> None:
    if m != n:
        raise CliError(f"-M{m}: the {source} registers {n} households and the protocol runs one party per "
                       f"household; start it with -M{n}")


def _check_ledger_file(folder) -> None:
    """The ledger service's copy, which party 0 writes through, opens as a ledger: a missing or
    corrupt file is refused before any party starts. The fast path (no proofs) suffices here:
    the session verifies the whole history again."""
    from protocols.ledger import LedgerCorrupted, SQLiteLedger

    try:
        SQLiteLedger(folder.ledger, check_proofs=False).close()
    except (LedgerCorrupted, ValueError, OSError) as exc:
        raise CliError(f"--workdir {folder.root}: ledger service: {exc}") from None


def _ledger_kind(spec: str) -> str | None:
    """None for the SQLite ledger, else the EVM mode of ``evm[:MODE]`` (CliError otherwise)."""
    if spec == "sqlite":
        return None
    modes = ("attested", "onchain", "writer")
    mode = spec.removeprefix("evm:") if spec.startswith("evm:") else ("attested" if spec == "evm" else None)
    if mode not in modes:
        raise CliError(f"--ledger {spec}: expected sqlite, evm or evm:MODE with MODE one of {', '.join(modes)}")
    return mode


def _start_chain(folder, mode: str, wait: float = 600.0) -> None:
    """Party 0 hosts the chain: the node process (protocols.ledger.evm.node) deploys the ledger as
    the ledger service's writer and announces itself in the run folder; it stops when we exit."""
    import atexit
    import time

    from protocols.energy.run_folder import private_dir

    if folder.market.exists() or folder.evm_announcement.exists():
        raise CliError(f"--ledger evm: {folder.root} holds an earlier run; the chain lives only as long as one "
                       "run: give a new --workdir")
    private_dir(folder.ledger_dir)
    log = open(folder.ledger_dir / "node.log", "ab")
    node = subprocess.Popen([sys.executable, "-m", "protocols.ledger.evm.node", "--key-dir", str(folder.ledger_dir),
                             "--announce", str(folder.evm_announcement), "--mode", mode],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    atexit.register(_stop, node)
    deadline = time.monotonic() + wait
    while not folder.evm_announcement.exists():
        if node.poll() is not None:
            raise CliError(f"the chain's node exited with status {node.returncode}; see {log.name}")
        if time.monotonic() > deadline:
            raise CliError(f"the chain's node did not start within {wait:.0f} s; see {log.name}")
        time.sleep(0.2)
    print(f"[party 0] chain node (pid {node.pid}) serving the ledger; {folder.evm_announcement}",
          file=sys.stderr, flush=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _open_ledger(session, folder, market, group, uid: str, writer: bool):
    """Party 0: the ledger service's copy with its writer key; every other household: its own
    replica (created empty on first use), which accepts only the market's ledger and writer."""
    from protocols.ledger import LedgerCorrupted, SQLiteLedger
    from protocols.ledger.keys import load_key

    try:
        if folder.evm_chain() is not None:   # a chain: every household reads the contract itself
            ledger = folder.open_evm(writer=writer, expect_ledger_id=market.ledger_id, group=group)
            if ledger.writer_key != market.ledger_writer:
                raise ValueError("the contract's writer is not the market file's ledger writer")
        elif writer:
            ledger = SQLiteLedger(folder.ledger, group, writer=load_key(folder.writer_key), pin=folder.pin(uid))
        else:
            ledger = SQLiteLedger(folder.replica(uid), group, replica=True, pin=folder.pin(uid),
                                  expect_writer=market.ledger_writer)
    except (LedgerCorrupted, ValueError, OSError, ImportError) as exc:
        raise session.abort(ProofFailure(f"ledger of {uid}: {exc}"))
    return ledger


def _check_operator(session, market, ledger, group, uid, receipts_path):
    """The root and key on the ledger are the ones the operator announced; our receipts verify."""
    from protocols.energy.utility_operator import ReceiptInvalid, check_receipt, load_receipts
    from protocols.ledger.api import LedgerRejected

    try:
        signed = ledger.latest_root(market.operator_id)
        key = ledger.operator_key(market.operator_id)
    except LedgerRejected as exc:
        raise session.abort(ProofFailure(f"operator root: {exc}"))
    if key != market.operator_key or signed.root != market.root or ledger.ledger_id != market.ledger_id:
        raise session.abort(ProofFailure("operator root: the ledger's id, operator key or latest root differs "
                                         "from the market file's"))
    try:
        _, _, receipts = load_receipts(receipts_path)
        for r in receipts:
            check_receipt(key, signed, r, check_openings=True, group=group)
    except ValueError as exc:
        raise session.abort(ProofFailure(f"receipts of {uid}: {exc}"))
    except ReceiptInvalid as exc:
        raise session.abort(ProofFailure(f"receipts of {uid} do not verify: {exc}"))
    return receipts


def main() -> None:
    cli = build_cli()
    args = cli.parse(validate=lambda a: _validate(a, cli))
    market, folder, pid = cli.market, cli.folder, cli.pid
    info = market.info
    uid = info.user_ids[pid]

    from mpc.field import PrimeField
    from protocols.energy.private.bills import own_bill_from_receipts
    from protocols.energy.private.session import PartySetup, group_purchase, sync_ledger
    from protocols.energy.private.wallet import Wallet
    from protocols.ledger import default_group

    group = default_group()
    cli.say(f"household {uid} of {cli.m}; scheme {market.scheme}; group {group.name} ({type(group).__name__})")
    cli.say(ROLES)

    async def program(session):
        ledger = _open_ledger(session, folder, market, group, uid, pid == HOST)
        await sync_ledger(session, ledger, HOST)   # every replica at the writer's verified head
        receipts = _check_operator(session, market, ledger, group, uid, folder.receipts(uid))
        wallet_path = folder.wallet(uid)
        try:
            wallet = Wallet.load(wallet_path)
        except ValueError as exc:
            raise session.abort(ProofFailure(f"wallet of {uid}: {exc}"))
        setup = PartySetup(info, market.scheme, group, own_bill_from_receipts(uid, receipts), wallet, ledger,
                           market.operator_id, args.reveal_all, host=HOST, progress=cli.say)
        cli.say(f"connected; {session.m} parties, opening via {session.open_mode}")
        result = await group_purchase(session, setup)
        if result.new_balance is not None:
            wallet.balance, wallet.r_balance = result.new_balance
            wallet.save(wallet_path)
        return result

    res = cli.run(program, field=PrimeField(group.order),
                  stats_extra=lambda r: {"user": uid, "slots_evaluated": len(r.result["per_slot"]),
                                         "slots": info.n_slots, "join_slot": r.result["join_slot"]})
    cli.report_costs()
    phi = res.own_phi
    cli.say(f"join slot {res.result['join_slot']}; my φ = "
            + ("none (no join)" if phi is None else f"{phi} n$ = {phi / 1e9:.2f} $ ({'pay' if phi > 0 else 'receive'})"))
    if args.json:
        path = party_path(args.json, pid)
        try:
            write_json_file(path, "--json", res.result)
        except CliError as exc:
            cli.say(f"error: {exc}")
            cli.finish(2)
        cli.say(f"result written to {path}")
    else:
        print(json.dumps(res.result, indent=2), flush=True)
    cli.finish(0)


if __name__ == "__main__":
    main()
