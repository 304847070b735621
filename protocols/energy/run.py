"""Command line: the private group purchase (SPDZ + ZKPs), one process per household.

    python -m protocols.energy.run -M4 --scenario table2 --scheme proportional --json out.json
    python -m protocols.energy.run -M4 -I 2 -B 12000 --scenario my.json --ledger /shared/ledger.sqlite

-M<N> starts N processes on this machine (party p plays user p of the scenario, in file
order); -I i, -P host:port, -B port and --ssl run one party of a multi-host session.
Party i writes its view of the result JSON (docs/specs/energy.md): OUT for party 0, OUT
with ".party<i>" before the suffix for the others; it holds only the party's own φ_i
unless --reveal-all.

Who plays the utility operator and the ledger (and what that trusts):
- The ledger is an SQLite file (--ledger, default energy_ledger.sqlite in the working
  directory) that every party can read: the same host, or a shared file system for -P runs.
  Only party 0 writes to it (it opens the accounts, submits the multi-transaction and records
  the decision); the ledger re-verifies every proof and signature itself before appending.
  Every other party reads the signed root, the operator's key and the accounts from it and
  checks them on its own.
- Party 0's process also plays the utility operator before the session: it commits every
  user's bill data, publishes the signed Merkle root on the ledger, and writes user u's
  receipts (openings and inclusion proofs) to <ledger>.d/receipts/<root>/<u>.json, which
  only party u reads.  Party 0 connects only after publishing, so every other party, which
  reads the root after the session is connected, sees this run's root.
- Trust: party 0 therefore sees every user's bill data, as does the real operator.
- Each user keeps its account wallet (Ed25519 key, balance opening) in
  <ledger>.d/wallets/<u>.json (created with --balance dollars on first use, updated after
  each payment), so one ledger file can serve several runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from mpc.cli import CliError, bounded_float, check_output_path, write_json_file
from mpc.errors import ProofFailure
from mpc.session_cli import SessionCLI, party_path

DESIGN_NOTE = ("operator and ledger: party 0 plays the utility operator before the session (sees every bill, "
               "as the utility does) and is the only writer of the SQLite ledger; every party reads the ledger "
               "and checks the signed root, Merkle paths and proofs itself")


def build_cli() -> SessionCLI:
    cli = SessionCLI(
        "protocols.energy.run",
        description="Private group purchasing of an energy plan: N users (one process each) share their "
                    "operator-committed bills, decide by the two-state social work-function rule, compute "
                    "their net compensations φ_i and pay them by a confidential multi-transaction on the "
                    "ledger.",
        epilog="See the module docstring for who plays the operator and the ledger and what that trusts.")
    p = cli.parser
    p.add_argument("--scenario", required=True, metavar="FILE",
                   help="scenario JSON (docs/specs/energy.md) or a built-in name such as table2")
    p.add_argument("--scheme", choices=("egalitarian", "proportional"), default=None,
                   help="compensation scheme (default: the scenario's)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write this party's result JSON (party i > 0 inserts .party<i> before the suffix)")
    p.add_argument("--ledger", metavar="PATH", default="energy_ledger.sqlite",
                   help="SQLite ledger file readable by every party (default: energy_ledger.sqlite)")
    p.add_argument("--reveal-all", action="store_true",
                   help="testing only: open every φ_i to every party and write them all")
    p.add_argument("--balance", type=bounded_float(0.0, 1.8e10, what="dollars"), default=10_000.0,
                   help="opening token balance in dollars of a user's new account, at most 1.8e10 (the 2^64 n$ "
                        "bound; default 10000)")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    return cli


def _validate(args, cli: SessionCLI):
    """Everything that can be checked before any process starts or anything is written."""
    from protocols.energy.scenarios.loader import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    m = cli.m
    if m != len(scenario.users):
        raise CliError(f"-M{m}: the scenario registers {len(scenario.users)} users and the protocol runs one party "
                       f"per user; start it with -M{len(scenario.users)}")
    if args.json:
        for pid in range(m):
            check_output_path(party_path(args.json, pid), "--json")
    ledger = Path(args.ledger)
    if not ledger.parent.is_dir() if str(ledger.parent) else False:
        raise CliError(f"--ledger {args.ledger}: folder {ledger.parent} does not exist")
    cli.scenario = scenario
    return None


def _play_operator(scenario, ledger, workdir: Path, operator_id: str, say) -> None:
    """Party 0 before the session: commit the epoch, publish the signed root, write the receipts."""
    from protocols.energy.utility_operator import UtilityOperator
    from zkp.keys import load_or_create_key

    op = UtilityOperator(ledger.group, operator_id, load_or_create_key(workdir / "operator.key"))
    try:
        last = ledger.latest_root(operator_id).timestamp
    except Exception:  # no root yet (LedgerRejected) or no operator
        last = 0
    epoch = op.issue_epoch(scenario, timestamp=max(int(time.time()), last + 1))
    seq = op.publish(ledger, epoch)
    out = workdir / "receipts" / epoch.signed_root.root.hex()
    out.mkdir(parents=True, exist_ok=True)
    op.write_receipts(epoch, out)
    say(f"operator: committed {len(epoch.receipts)} users × {scenario.n_slots} slots, signed root "
        f"{epoch.signed_root.root.hex()[:16]}… published as ledger entry {seq}")


def _load_wallet(group, workdir: Path, uid: str, balance: int, ledger):
    from protocols.energy.private.wallet import Wallet
    from protocols.ledger.api import LedgerRejected

    path = workdir / "wallets" / f"{uid}.json"
    if path.exists():
        return Wallet.load(path), path
    try:
        ledger.account(uid)
        raise CliError(f"--ledger: account {uid!r} exists on the ledger but its wallet {path} is missing")
    except LedgerRejected:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    wallet = Wallet.fresh(group, uid, balance)
    wallet.save(path)
    return wallet, path


def main() -> None:
    cli = build_cli()
    args = cli.parse(validate=lambda a: _validate(a, cli))
    scenario, pid = cli.scenario, cli.pid
    scheme = args.scheme or scenario.scheme

    from protocols.energy.private.bills import own_bill_from_receipts, public_info
    from protocols.energy.private.session import PartySetup, group_purchase
    from protocols.energy.utility_operator import ReceiptInvalid, check_receipt, load_receipts
    from protocols.ledger import SQLiteLedger, default_group
    from protocols.ledger.api import LedgerCorrupted, LedgerRejected

    group = default_group()
    ledger_path = Path(args.ledger)
    workdir = ledger_path.with_name(ledger_path.name + ".d")
    try:
        workdir.mkdir(exist_ok=True)
        # only party 0 touches the file before the session: it may still be creating it
        ledger = SQLiteLedger(ledger_path, group) if pid == 0 else None
    except (LedgerCorrupted, ValueError, OSError) as exc:
        cli.say(f"error: --ledger {args.ledger}: {exc}")
        cli.finish(2)
    info = public_info(scenario)
    uid = info.user_ids[pid]
    cli.say(f"user {uid} of {cli.m}; scheme {scheme}; group {group.name} ({type(group).__name__})")
    cli.say(DESIGN_NOTE)
    if pid == 0:
        try:
            _play_operator(scenario, ledger, workdir, args.operator_id, cli.say)
        except (LedgerRejected, ValueError) as exc:
            cli.say(f"error: --ledger {args.ledger}: the operator could not publish: {exc}")
            cli.finish(2)

    async def program(session):
        nonlocal ledger
        if ledger is None:  # the ledger file appears once party 0 has published (before it connected)
            ledger = SQLiteLedger(ledger_path, group)
        signed = ledger.latest_root(args.operator_id)
        key = ledger.operator_key(args.operator_id)
        rfile = workdir / "receipts" / signed.root.hex() / f"{uid}.json"
        try:
            _, _, receipts = load_receipts(rfile)
            for r in receipts:
                check_receipt(key, signed, r, check_openings=True, group=group)
        except ValueError as exc:
            raise session.abort(ProofFailure(f"receipts of {uid}: {exc}"))
        except ReceiptInvalid as exc:
            raise session.abort(ProofFailure(f"receipts of {uid} do not verify: {exc}"))
        wallet, wallet_path = _load_wallet(group, workdir, uid, int(args.balance * 10**9), ledger)
        setup = PartySetup(info, scheme, group, own_bill_from_receipts(uid, receipts), wallet, ledger,
                           args.operator_id, args.reveal_all, progress=cli.say)
        cli.say(f"connected; {session.m} parties, opening via {session.open_mode}")
        result = await group_purchase(session, setup)
        if result.new_balance is not None:
            wallet.balance, wallet.r_balance = result.new_balance
            wallet.save(wallet_path)
        return result

    from mpc.field import PrimeField

    res = cli.run(program, field=PrimeField(group.order),
                  stats_extra=lambda r: {"user": uid, "slots_evaluated": len(r.result["per_slot"]),
                                         "join_slot": r.result["join_slot"]})
    cli.report_costs()
    cli.say(f"join slot {res.result['join_slot']}; my φ = {res.own_phi} n$")
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
