"""Command line: verify a ledger file and print its entries.

    python -m protocols.ledger.inspect PATH [--deep] [--json] [--head SEQ:HASH]

Exit status 0 when the chain and state verify, 1 when the ledger is corrupted
(the message names the first bad entry), 2 on bad arguments or a missing file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from protocols.ledger.api import Entry, LedgerCorrupted
from protocols.ledger.sqlite_ledger import SQLiteLedger


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.ledger.inspect",
        description="Open an existing SQLite ledger, verify its hash chain and the state it implies, "
                    "and print every entry (sequence number, kind, short hash, summary).",
        epilog="Exit status: 0 verified, 1 corrupted, 2 bad arguments or missing file.")
    p.add_argument("path", metavar="PATH", help="ledger file")
    p.add_argument("--deep", action="store_true", help="also re-verify every signature and zero-knowledge proof")
    p.add_argument("--json", action="store_true", help="print the entries as JSON lines (full payloads)")
    p.add_argument("--head", metavar="SEQ:HASH", default=None,
                   help="expected last entry (as printed by a previous run); detects a truncated ledger")
    return p


def summary(e: Entry) -> str:
    """One human-readable line about an entry."""
    p = e.payload
    if e.kind == "genesis":
        return f"group {p.get('group')}, format {p.get('format')}"
    if e.kind == "register_operator":
        return f"operator {p['operator_id']} key {p['public_key'][:16]}…"
    if e.kind == "publish_root":
        return f"operator {p['operator_id']} root {p['root'][:16]}… size {p['tree_size']} time {p['timestamp']}"
    if e.kind == "open_account":
        proof = "with" if p.get("balance_proof") else "without"
        return f"account {p['account_id']} balance Cm {p['balance_commitment'][:16]}… ({proof} range proof)"
    if e.kind == "multi_transaction":
        ids = [t["account_id"] for t in p["transfers"]]
        return f"{len(ids)} transfers: {', '.join(ids)}; context {bytes.fromhex(p['context'])!r}"
    if e.kind == "decision":
        return f"{p['kind']}: {json.dumps(p['payload'], sort_keys=True)[:120]}"
    return ""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = Path(args.path)
    if not path.is_file():
        print(f"error: PATH {args.path}: no such file", file=sys.stderr)
        return 2
    expected_head = None
    if args.head:
        try:
            s, h = args.head.split(":")
            expected_head = (int(s), bytes.fromhex(h))
        except ValueError:
            print(f"error: --head {args.head}: expected SEQ:HEXHASH", file=sys.stderr)
            return 2
    try:
        ledger = SQLiteLedger(path, deep_check=args.deep, create=False)
    except LedgerCorrupted as exc:
        print(f"CORRUPTED: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: PATH {args.path}: {exc}", file=sys.stderr)
        return 2
    with ledger:
        entries = ledger.entries()
        head = ledger.head()
    for e in entries:
        if args.json:
            print(json.dumps({"seq": e.seq, "kind": e.kind, "hash": e.hash.hex(), "payload": e.payload}, sort_keys=True))
        else:
            print(f"{e.seq:6d}  {e.kind:17s}  {e.hash.hex()[:16]}  {summary(e)}")
    if expected_head is not None and expected_head != head:
        print(f"CORRUPTED: head is {head[0]}:{head[1].hex()}, expected {args.head} (truncated or rewritten)",
              file=sys.stderr)
        return 1
    print(f"verified{' (deep)' if args.deep else ''}: {len(entries)} entries, head {head[0]}:{head[1].hex()}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
