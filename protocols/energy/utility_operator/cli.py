"""``python -m protocols.energy.utility_operator``: the utility operator's command line."""

from __future__ import annotations

import sys
from pathlib import Path

from mpc.cli import ArgumentParser, CliError, bounded_int, fail
from protocols.energy.utility_operator.receipts import ReceiptInvalid, load_receipts, verify_receipt
from protocols.energy.utility_operator.utility import UtilityOperator
from protocols.ledger.api import Ledger, LedgerCorrupted, LedgerRejected
from zkp.keys import load_or_create_key


def build_parser() -> ArgumentParser:
    p = ArgumentParser(
        prog="python -m protocols.energy.utility_operator",
        description="Utility operator of the group-purchasing protocol: commit to every user's bill data of an "
                    "epoch (a, β per period; κ, μ, v in nano-dollars), publish the signed Merkle root on a "
                    "ledger, and write each user's receipts (openings and inclusion proofs) as JSON.  With "
                    "--verify, check receipt files against the ledger instead.",
        epilog="Exit status: 0 success, 1 a receipt does not verify, 2 bad usage or input.")
    p.add_argument("--ledger", required=True, metavar="PATH", help="SQLite ledger file (created if absent)")
    p.add_argument("--scenario", metavar="FILE", help="scenario JSON (docs/specs/energy.md) or a built-in name")
    p.add_argument("--out", metavar="DIR", help="directory for <user>.json receipt files")
    p.add_argument("--slots", metavar="T0:T1", default=None, help="epoch, 1-based inclusive (default: all slots)")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    p.add_argument("--key", metavar="FILE", help="operator Ed25519 private key (raw, hex); created if absent. "
                                                 "Without it a fresh key is used and not saved")
    p.add_argument("--timestamp", type=bounded_int(0, 2**63 - 1, "a Unix time"), default=None,
                   help="Unix time to sign (default: now)")
    p.add_argument("--verify", nargs="+", metavar="RECEIPTS", default=None,
                   help="receipt files to verify (openings included) instead of issuing")
    return p


def _slots(text: str | None, n: int) -> tuple[int, int]:
    if text is None:
        return 1, n
    try:
        a, b = (int(x) for x in text.split(":"))
    except ValueError:
        raise CliError(f"--slots {text}: expected T0:T1, e.g. 1:7") from None
    if not 1 <= a <= b <= n:
        raise CliError(f"--slots {text}: must satisfy 1 ≤ T0 ≤ T1 ≤ {n}")
    return a, b


def _verify_files(ledger: Ledger, operator_id: str, files: list[str]) -> int:
    bad = 0
    for f in files:
        try:
            _, _, receipts = load_receipts(f)
        except ValueError as exc:
            return fail(exc)
        for r in receipts:
            try:
                verify_receipt(ledger, operator_id, r)
                print(f"ok      {f}: {r.user_id} slot {r.slot}")
            except ReceiptInvalid as exc:
                bad += 1
                print(f"INVALID {f}: {r.user_id} slot {r.slot}: {exc}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    from protocols.energy.scenarios.loader import ScenarioError, load_scenario
    from protocols.ledger.sqlite_ledger import SQLiteLedger

    args = build_parser().parse_args(argv)
    try:
        ledger = SQLiteLedger(args.ledger)
    except (LedgerCorrupted, ValueError, OSError) as exc:
        return fail(f"--ledger {args.ledger}: {exc}")
    with ledger:
        if args.verify is not None:
            return _verify_files(ledger, args.operator_id, args.verify)
        try:
            if not args.scenario or not args.out:
                raise CliError("--scenario and --out are required to issue receipts")
            try:
                scenario = load_scenario(args.scenario)
            except ScenarioError as exc:
                raise CliError(f"--scenario {args.scenario}: {exc}") from None
            t0, t1 = _slots(args.slots, scenario.n_slots)
            try:
                key = load_or_create_key(args.key) if args.key else None
            except (ValueError, OSError) as exc:
                raise CliError(f"--key {args.key}: {exc}") from None
            out = Path(args.out)
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CliError(f"--out {args.out}: {exc.strerror or exc}") from None
        except CliError as exc:
            return fail(exc)
        op = UtilityOperator(ledger.group, args.operator_id, key)
        print(f"committing {len(scenario.users)} users × {t1 - t0 + 1} slots …", file=sys.stderr)
        epoch = op.issue_epoch(scenario, t0, t1, args.timestamp)
        try:
            seq = op.publish(ledger, epoch)
        except (LedgerRejected, ValueError) as exc:
            return fail(f"the ledger refused the root: {exc}")
        try:
            op.write_receipts(epoch, out)
        except OSError as exc:
            return fail(f"--out {args.out}: cannot write: {exc.strerror or exc}")
        print(f"published root {epoch.signed_root.root.hex()} ({epoch.tree.size} leaves, slots {t0}..{t1}) "
              f"as ledger entry {seq}; receipts in {out}/")
    return 0
