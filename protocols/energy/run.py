"""Command line: the private group purchase (SPDZ + ZKPs), one process per user, through MPyC's launcher.

    python -m protocols.energy.run -M4 --scenario table2 --scheme proportional --json out.json
    python -m protocols.energy.run -M4 -I 2 -B 12000 --scenario my.json --ledger /shared/ledger.sqlite

-M<N> starts N processes on this machine (party p plays user p of the scenario, in file
order); -I i, -P host:port, -B port and --ssl pass through to MPyC for real multi-host runs.
Party i writes its view of the spec's result JSON: OUT for party 0, OUT with ".party<i>"
before the suffix for the others; it holds only the party's own φ_i unless --reveal-all.

Who plays the utility operator and the ledger (and what that trusts):
- The ledger is an SQLite file (--ledger, default energy_ledger.sqlite in the working
  directory) that every party can read: the same host, or a shared file system for -P runs.
  Only party 0 writes to it (it opens the accounts, submits the multi-transaction and records
  the decision) and signs every entry with the ledger's writer key (<ledger>.d/writer.key);
  the ledger re-verifies every proof and signature itself before appending, and every party
  verifies every entry again when it opens the file.  Every other party reads the signed
  root, the operator's key and the accounts from it and checks them on its own.
- Tokens: the issuer key (<ledger>.d/issuer.key, created by party 0 with the ledger) registers
  the operator and authorises each new account's opening balance.  This single-host demo
  simulates the token purchase: a user's process signs its own --balance with that key, so
  whoever can read <ledger>.d/ can issue tokens; a real deployment keeps the issuer key with
  the token seller.
- Party 0's process also plays the utility operator before the session: it commits every
  user's bill data, publishes the signed Merkle root on the ledger, and writes user u's
  receipts (openings and inclusion proofs) to <ledger>.d/receipts/<root>/<u>.json, which
  only party u reads.  Party 0 connects only after publishing, so every other party, which
  reads the root after the session is connected, sees this run's root.
- Trust: party 0 therefore sees every user's bill data, as does the real operator (the
  utility that issued the bills).  This adds no trust beyond the preprocessing in use: the
  trusted dealer is party 0 too and could already unmask every input.  With an MPC
  preprocessing backend and a separate operator process, only the operator would.
- Each user keeps its account wallet (Ed25519 key, balance opening) in
  <ledger>.d/wallets/<u>.json (created with --balance dollars on first use, updated after
  each payment), so one ledger file can serve several runs.
Exit status: 0 success, 1 the session aborted (the message names the failed check; nothing is
recorded on the ledger), 2 bad arguments or scenario.
"""

import os
import sys

if __package__ in (None, ""):  # started by MPyC's launcher as a script: import the package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from mpc.errors import ProofFailure  # noqa: E402
from mpc.field import PrimeField  # noqa: E402
from mpc.launch import exit_on_abort, mpyc_runtime, run_party  # noqa: E402
from mpc.preprocessing import BACKENDS  # noqa: E402

DESIGN_NOTE = ("operator and ledger: party 0 plays the utility operator before the session (sees every bill, "
               "as the utility does) and is the only writer of the SQLite ledger; every party reads the ledger "
               "and checks the signed root, Merkle paths and proofs itself")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.energy.run",
        description="Private group purchasing of an energy plan: N users (one process each) share their "
                    "operator-committed bills, decide by the two-state social work-function rule, compute "
                    "their net compensations φ_i and pay them by a confidential multi-transaction on the "
                    "ledger.  MPyC options such as -M<N>, -I i, -P host:port, -B port and --ssl pass through.",
        epilog="Exit status: 0 success, 1 aborted (a named check failed; nothing recorded), 2 bad input. "
               "See the module docstring for who plays the operator and the ledger and what that trusts.")
    p.add_argument("--scenario", required=True, metavar="FILE",
                   help="scenario JSON (specs/energy.md) or a built-in name such as table2")
    p.add_argument("--scheme", choices=("egalitarian", "proportional"), default=None,
                   help="compensation scheme (default: the scenario's)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write this party's result JSON (party i > 0 inserts .party<i> before the suffix)")
    p.add_argument("--ledger", metavar="PATH", default="energy_ledger.sqlite",
                   help="SQLite ledger file readable by every party (default: energy_ledger.sqlite)")
    p.add_argument("--stats", metavar="OUT", default=None,
                   help="write this party's per-stage wall time, rounds, messages and bytes as JSON "
                        "(party i > 0 inserts .party<i> before the suffix)")
    p.add_argument("--reveal-all", action="store_true",
                   help="testing only: open every φ_i to every party and write them all")
    p.add_argument("--balance", type=float, default=10_000.0,
                   help="opening token balance in dollars of a user's new account (default 10000)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a peer (default 60)")
    p.add_argument("--backend", choices=sorted(BACKENDS), default="dealer", help="preprocessing backend")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    return p


def _bad(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def _party_path(out: str, pid: int) -> Path:
    path = Path(out)
    return path if pid == 0 else path.with_name(f"{path.stem}.party{pid}{path.suffix or '.json'}")


def _operator_key(path: Path):
    """The operator's persistent Ed25519 key next to the ledger (one ledger, one operator key)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    key = Ed25519PrivateKey.generate()
    path.write_text(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex() + "\n")
    path.chmod(0o600)
    return key


def _play_operator(scenario, ledger, issuer, workdir: Path, operator_id: str, say) -> None:
    """Party 0 before the session: commit the epoch, publish the signed root, write the receipts."""
    from protocols.energy.operator import UtilityOperator
    from protocols.ledger.issuance import authorise_operator

    op = UtilityOperator(ledger.group, operator_id, _operator_key(workdir / "operator.key"))
    previous = ledger.roots(operator_id)
    last = previous[-1].timestamp if previous else 0
    epoch = op.issue_epoch(scenario, timestamp=max(int(time.time()), last + 1), ledger_id=ledger.ledger_id,
                           epoch=previous[-1].epoch + 1 if previous else 1)
    seq = op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, operator_id, op.public_key))
    out = workdir / "receipts" / epoch.signed_root.root.hex()
    out.mkdir(parents=True, exist_ok=True)
    for uid, per_slot in epoch.receipts.items():
        target = out / f"{uid}.json"
        target.write_text(json.dumps([r.to_json() for r in per_slot.values()]) + "\n", encoding="utf-8")
        target.chmod(0o600)
    say(f"operator: committed {len(epoch.receipts)} users × {scenario.n_slots} slots, signed root "
        f"{epoch.signed_root.root.hex()[:16]}… published as ledger entry {seq}")


def _load_wallet(group, workdir: Path, uid: str, balance: int, ledger):
    from protocols.energy.private_payments import Wallet
    from protocols.ledger.api import LedgerRejected
    from protocols.ledger.issuance import authorise_issuance
    from protocols.ledger.keys import load_key

    path = workdir / "wallets" / f"{uid}.json"
    if path.exists():
        return Wallet.from_json(json.loads(path.read_text(encoding="utf-8"))), path
    try:
        ledger.account(uid)
        _bad(f"--ledger: account {uid!r} exists on the ledger but its wallet {path} is missing")
    except LedgerRejected:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    wallet = Wallet.fresh(group, uid, balance)
    try:  # the simulated token purchase (see the module docstring)
        issuer = load_key(workdir / "issuer.key")
    except (OSError, ValueError) as exc:
        _bad(f"--ledger: cannot read the issuer key to buy tokens: {exc}")
    wallet.issuance = authorise_issuance(issuer, group, ledger.ledger_id, uid, wallet.public_key, wallet.balance,
                                         wallet.r_balance)
    wallet.save(path)
    return wallet, path


def main() -> None:
    # Our engine never uses MPyC's pseudorandom secret sharing; its key setup enumerates all
    # C(N, N − t) party subsets (20 million at N = 27) in every process before connecting.
    os.environ.setdefault("MPYC_NOPRSS", "1")
    rt = mpyc_runtime()  # consumes MPyC's options (and, with -M<N> alone, launches parties 1..N-1)
    args = _parser().parse_args(sys.argv[1:])
    from protocols.energy.scenario import ScenarioError, load_scenario

    pid, m = rt.pid, len(rt.parties)
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        _bad(f"--scenario {args.scenario}: {exc}")
    n_users = len(scenario.users)
    if m != n_users:
        _bad(f"-M{m}: the scenario registers {n_users} users and the protocol runs one party per user; "
             f"start it with -M{n_users}")
    if not 0 < args.balance < 1.8e10:
        _bad("--balance must be a positive number of dollars below 1.8e10 (the 2^64 n$ bound)")
    if args.timeout <= 0:
        _bad("--timeout must be positive")
    scheme = args.scheme or scenario.scheme

    from protocols.energy.private_inputs import own_bill_from_receipts, public_info
    from protocols.energy.private_session import PartySetup, group_purchase
    from protocols.energy.operator import Receipt, ReceiptInvalid, check_receipt
    from protocols.ledger import SQLiteLedger, default_group
    from protocols.ledger.api import LedgerCorrupted, LedgerRejected
    from protocols.ledger.keys import open_local_writer

    def say(msg: str) -> None:
        print(f"[party {pid}] {msg}", flush=True)

    group = default_group()
    ledger_path = Path(args.ledger)
    workdir = ledger_path.with_name(ledger_path.name + ".d")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        # only party 0 touches the file before the session: it may still be creating it
        ledger, issuer = open_local_writer(ledger_path, group, workdir) if pid == 0 else (None, None)
    except (LedgerCorrupted, ValueError, OSError) as exc:
        _bad(f"--ledger {args.ledger}: {exc}")
    info = public_info(scenario)
    uid = info.user_ids[pid]
    say(f"user {uid} of {m}; scheme {scheme}; group {group.name} ({type(group).__name__})")
    say(f"preprocessing: {BACKENDS[args.backend].TRUST_MODEL}")
    say(DESIGN_NOTE)
    if pid == 0:
        try:
            _play_operator(scenario, ledger, issuer, workdir, args.operator_id, say)
        except (LedgerRejected, ValueError) as exc:
            _bad(f"--ledger {args.ledger}: the operator could not publish: {exc}")

    async def program(session):
        nonlocal ledger
        if ledger is None:  # the ledger file appears once party 0 has published (before it connected)
            ledger = SQLiteLedger(ledger_path, group)
        signed = ledger.latest_root(args.operator_id)
        key = ledger.operator_key(args.operator_id)
        rfile = workdir / "receipts" / signed.root.hex() / f"{uid}.json"
        try:
            receipts = [Receipt.from_json(d) for d in json.loads(rfile.read_text(encoding="utf-8"))]
            for r in receipts:
                check_receipt(key, signed, r, check_openings=True, group=group)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise session.abort(ProofFailure(f"receipts of {uid}: cannot read {rfile}: {exc}"))
        except ReceiptInvalid as exc:
            raise session.abort(ProofFailure(f"receipts of {uid} do not verify: {exc}"))
        wallet, wallet_path = _load_wallet(group, workdir, uid, int(args.balance * 10**9), ledger)
        setup = PartySetup(info, scheme, group, own_bill_from_receipts(uid, receipts), wallet, ledger,
                           args.operator_id, args.reveal_all, progress=say)
        say(f"connected; {session.m} parties, opening via {session.open_mode}")
        result = await group_purchase(session, setup)
        if result.new_balance is not None:
            wallet.balance, wallet.r_balance = result.new_balance
            wallet.save(wallet_path)
        return result

    field = PrimeField(group.order)
    t0 = time.perf_counter()
    res = exit_on_abort(lambda: run_party(program, field=field, backend=args.backend, timeout=args.timeout))
    elapsed = time.perf_counter() - t0
    for name, st in res.stages.items():
        say(f"{name:20s} {st['seconds']:7.2f} s {st['rounds']:6d} rounds {st['bytes']:10d} bytes sent")
    say(f"total {elapsed:.2f} s; join slot {res.result['join_slot']}; my φ = {res.own_phi} n$")
    if args.stats:
        stats = {"party": pid, "parties": m, "user": uid, "slots_evaluated": len(res.result["per_slot"]),
                 "join_slot": res.result["join_slot"], "total_seconds": elapsed, "stages": res.stages,
                 "trust_model": BACKENDS[args.backend].TRUST_MODEL}
        try:
            _party_path(args.stats, pid).write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            _bad(f"--stats {args.stats}: cannot write: {exc}")
    if args.json:
        path = _party_path(args.json, pid)
        try:
            path.write_text(json.dumps(res.result, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            _bad(f"--json {args.json}: cannot write {path}: {exc}")
        say(f"result written to {path}")
    else:
        print(json.dumps(res.result, indent=2), flush=True)


if __name__ == "__main__":
    main()
