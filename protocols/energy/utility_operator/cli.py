"""``python -m protocols.energy.utility_operator``: the utility operator's command line.

    python -m protocols.energy.utility_operator publish --scenario table2 --workdir RUN
    python -m protocols.energy.utility_operator verify --ledger RUN/ledger.sqlite RUN/households/u1/receipts.json

`publish` commits every household's bill data of an epoch, publishes the signed Merkle
root on the ledger, writes the public market file (no bill in it) and hands each
household only its own receipts, in its own home under the run folder (see
protocols.energy.run_folder). The operator sees every bill it issues; nobody else needs to.
On one machine it calls the ledger service directly (<workdir>/ledger/: created on first
use with fresh writer and issuer keys; the issuer registers the operator on first use).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from mpc.cli import ArgumentParser, CliError, bounded_int, fail
from protocols.energy.run_folder import RunFolder, private_dir
from protocols.energy.utility_operator.receipts import ReceiptInvalid, load_receipts, verify_receipt
from protocols.energy.utility_operator.utility import UtilityOperator
from protocols.ledger.api import Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.issuance import authorise_operator
from zkp.keys import load_or_create_key

TRUST = ("trust: the operator sees every bill it commits (it issued them); each household receives only its own "
         "receipts; the market file and the ledger hold no bill")


def build_parser() -> ArgumentParser:
    p = ArgumentParser(
        prog="python -m protocols.energy.utility_operator",
        description="Utility operator of the group-purchasing protocol.",
        epilog="Exit status: 0 success, 1 a receipt does not verify, 2 bad usage or input.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{publish,verify}")
    pub = sub.add_parser(
        "publish", help="commit an epoch, publish the signed root, hand each household its receipts",
        description="Commit to every household's bill data of an epoch (a, β per period; κ, μ, v in "
                    "nano-dollars), publish the signed Merkle root on the ledger, write the public market file "
                    "<workdir>/public/market.json and each household's receipts to "
                    "<workdir>/households/<id>/receipts.json (mode 0600).")
    pub.add_argument("--scenario", required=True, metavar="FILE",
                     help="scenario JSON (docs/specs/energy.md) or a built-in name such as table2")
    pub.add_argument("--scheme", choices=("egalitarian", "proportional"), default=None,
                     help="compensation scheme announced in the market file (default: the scenario's)")
    pub.add_argument("--workdir", required=True, metavar="DIR",
                     help="run folder (created if absent; its parent folder must exist)")
    pub.add_argument("--slots", metavar="T0:T1", default=None, help="epoch, 1-based inclusive (default: all slots)")
    pub.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    pub.add_argument("--timestamp", type=bounded_int(0, 2**63 - 1, "a Unix time"), default=None,
                     help="Unix time to sign (default: now, or one past the last root's)")
    ver = sub.add_parser("verify", help="check receipt files against the ledger",
                         description="Check receipt files (openings included) against the roots on the ledger.")
    ver.add_argument("--ledger", required=True, metavar="PATH", help="ledger file")
    ver.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    ver.add_argument("receipts", nargs="+", metavar="RECEIPTS", help="receipt files")
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


def _verify(ledger: Ledger, operator_id: str, files: list[str]) -> int:
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


def _open_ledger(path):
    from protocols.ledger.sqlite_ledger import SQLiteLedger

    try:
        return SQLiteLedger(path)
    except (LedgerCorrupted, ValueError, OSError) as exc:
        raise CliError(f"--ledger {path}: {exc}") from None


def _ledger_service(folder: RunFolder):
    """The ledger service of the run folder, as its writer and issuer (created on first use)."""
    try:
        folder.ledger_dir.mkdir(parents=True, exist_ok=True)
        return folder.ledger_service()   # the SQLite file, or the EVM chain the run folder announces
    except (LedgerCorrupted, ValueError, OSError) as exc:
        raise CliError(f"--workdir {folder.root}: ledger service: {exc}") from None


def publish(args) -> int:
    from protocols.energy.scenarios.loader import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    if args.scheme:
        scenario = dataclasses.replace(scenario, scheme=args.scheme)
    t0, t1 = _slots(args.slots, scenario.n_slots)
    parent = Path(args.workdir).parent
    try:
        parent_exists = parent.is_dir()
    except OSError as exc:   # e.g. a name longer than the file system allows
        raise CliError(f"--workdir {args.workdir}: {exc.strerror or exc}") from None
    if not parent_exists:   # the run folder itself is created, not a chain of folders above it
        raise CliError(f"--workdir {args.workdir}: folder {parent} does not exist")
    folder = RunFolder(args.workdir)
    try:
        for u in scenario.users:
            folder.home(u.id)
    except ValueError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    try:
        private_dir(folder.operator_dir)
        key = load_or_create_key(folder.operator_key)
    except (ValueError, OSError) as exc:
        raise CliError(f"--workdir {args.workdir}: operator key: {exc}") from None
    ledger, issuer = _ledger_service(folder)
    with ledger:
        op = UtilityOperator(ledger.group, args.operator_id, key)
        previous = ledger.roots(args.operator_id)
        timestamp = args.timestamp
        if timestamp is None:
            timestamp = max(int(time.time()), previous[-1].timestamp + 1 if previous else 0)
        print(f"operator: committing {len(scenario.users)} households × {t1 - t0 + 1} slots …",
              file=sys.stderr, flush=True)
        epoch = op.issue_epoch(scenario, t0, t1, timestamp, ledger_id=ledger.ledger_id,
                               epoch=previous[-1].epoch + 1 if previous else 1)
        try:
            seq = op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, args.operator_id,
                                                               op.public_key))
        except (LedgerRejected, ValueError) as exc:
            raise CliError(f"the ledger refused the root: {exc}") from None
        writer = ledger.writer_key
    try:
        op.deliver(epoch, folder, scenario, writer)
    except OSError as exc:
        raise CliError(f"--workdir {args.workdir}: cannot write: {exc.strerror or exc}") from None
    print(f"operator: signed root {epoch.signed_root.root.hex()[:16]}… ({epoch.tree.size} leaves, slots {t0}..{t1}) "
          f"published as ledger entry {seq}; market file {folder.market}; receipts in each household's home",
          file=sys.stderr, flush=True)
    print(f"operator: {TRUST}", file=sys.stderr, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "publish":
            return publish(args)
        with _open_ledger(args.ledger) as ledger:
            return _verify(ledger, args.operator_id, args.receipts)
    except CliError as exc:
        return fail(exc)
