"""Command line: verify a ledger file and print its entries.

    python -m protocols.ledger.inspect PATH [--fast] [--json] [--head SEQ:HASH] [--pin FILE] [--writer KEY]

By default every entry's writer signature, every signature and every
zero-knowledge proof inside it, and every ledger rule are verified.
``--head SEQ:HASH`` (as printed by an earlier run) checks that entry SEQ still
has HASH — so the ledger was neither truncated before it nor rewritten — and
says whether it has grown since.  ``--pin FILE`` checks a party's pinned-head
file the same way (without moving it), ``--writer KEY`` that the genesis names
that writer key.

Exit status 0 when everything verifies, 1 when the ledger is corrupted or does
not extend the expected head (the message names the first bad entry), 2 on
bad arguments or a missing file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from mpc.cli import CliError, check_input_file
from protocols.ledger.api import Entry, LedgerCorrupted
from protocols.ledger.pins import load_pin
from protocols.ledger.sqlite_ledger import SQLiteLedger


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.ledger.inspect",
        description="Open an existing SQLite ledger, verify its schema, hash chain, writer signatures, every "
                    "signature and proof inside its entries and every ledger rule, and print every entry "
                    "(sequence number, kind, short hash, summary).",
        epilog="Exit status: 0 verified, 1 corrupted or not extending the expected head, 2 bad arguments or "
               "missing file.")
    p.add_argument("path", metavar="PATH", help="ledger file")
    p.add_argument("--fast", action="store_true",
                   help="trust the writer's signature for the signatures and proofs inside entries "
                        "(chain, writer signatures and state rules are still checked)")
    p.add_argument("--json", action="store_true", help="print the entries as JSON lines (full payloads)")
    p.add_argument("--head", metavar="SEQ:HASH", default=None,
                   help="an entry seen earlier (e.g. the head printed by a previous run): it must still be there "
                        "with this hash; reports whether the ledger has grown since")
    p.add_argument("--pin", metavar="FILE", default=None, help="a party's pinned-head file the ledger must extend")
    p.add_argument("--writer", metavar="KEY", default=None, help="the writer's public key (64 hex digits) the "
                                                                 "genesis must name")
    return p


def summary(e: Entry) -> str:
    """One human-readable line about an entry."""
    p = e.payload
    if e.kind == "genesis":
        return f"group {p['group']}, ledger id {p['ledger_id']}, writer {p['writer_key'][:16]}…"
    if e.kind == "register_operator":
        return f"operator {p['operator_id']} key {p['public_key'][:16]}…"
    if e.kind == "publish_root":
        return (f"operator {p['operator_id']} epoch {p['epoch']} root {p['root'][:16]}… size {p['tree_size']} "
                f"time {p['timestamp']}")
    if e.kind == "open_account":
        return f"account {p['account_id']} balance Cm {p['balance_commitment'][:16]}…"
    if e.kind == "multi_transaction":
        ids = [t["account_id"] for t in p["transfers"]]
        return f"{len(ids)} transfers: {', '.join(ids)}; context {bytes.fromhex(p['context'])!r}"
    if e.kind == "decision":
        return f"{p['kind']}: {json.dumps(p['payload'], sort_keys=True)[:120]}"
    return ""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = Path(args.path)
    try:
        if not path.exists():
            return _fail(f"PATH {args.path}: no such file")
        check_input_file(path, "PATH")  # a folder, FIFO or device (SQLite would block on a FIFO)
        if args.pin and os.path.exists(args.pin):
            check_input_file(args.pin, "--pin")  # reading a FIFO would block
    except CliError as exc:
        return _fail(str(exc))
    except OSError as exc:  # e.g. a name longer than the file system allows
        return _fail(f"PATH {args.path}: {exc.strerror}")
    expected_head = None
    if args.head:
        try:
            s, h = args.head.split(":")
            expected_head = (int(s), bytes.fromhex(h))
            if expected_head[0] < 0 or len(expected_head[1]) != 32:
                raise ValueError
        except ValueError:
            return _fail(f"--head {args.head}: expected SEQ:HASH with a 64-digit hex hash")
    writer = None
    if args.writer:
        try:
            writer = bytes.fromhex(args.writer)
            if len(writer) != 32:
                raise ValueError
        except ValueError:
            return _fail(f"--writer {args.writer}: expected a 64-digit hex Ed25519 public key")
    if args.pin:
        try:
            if load_pin(args.pin) is None:
                return _fail(f"--pin {args.pin}: no such file")
        except ValueError as exc:
            return _fail(f"--pin {exc}")
    try:
        ledger = SQLiteLedger(path, check_proofs=not args.fast, expect_writer=writer, pin=args.pin, advance_pin=False)
    except LedgerCorrupted as exc:
        print(f"CORRUPTED: {exc}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:
        return _fail(f"PATH {args.path}: {exc}")
    with ledger:
        entries = ledger.entries()
    head = (entries[-1].seq, entries[-1].hash)
    for e in entries:
        if args.json:
            print(json.dumps({"seq": e.seq, "kind": e.kind, "hash": e.hash.hex(), "signature": e.signature.hex(),
                              "payload": e.payload}, sort_keys=True))
        else:
            print(f"{e.seq:6d}  {e.kind:17s}  {e.hash.hex()[:16]}  {summary(e)}")
    if expected_head is not None:
        seq, h = expected_head
        if seq > head[0]:
            print(f"CORRUPTED: the ledger ends at entry {head[0]}, before the expected entry {seq} "
                  f"(truncated or rolled back)", file=sys.stderr)
            return 1
        if entries[seq].hash != h:
            print(f"CORRUPTED: entry {seq} has hash {entries[seq].hash.hex()}, not the expected {h.hex()} "
                  f"(rewritten, or another ledger)", file=sys.stderr)
            return 1
        grown = head[0] - seq
        print(f"entry {seq} is as expected; the ledger has " + (f"grown by {grown} entries since" if grown
                                                                else "not grown since"), file=sys.stderr)
    mode = "fast: writer signatures, chain and state rules" if args.fast else "every signature and proof"
    print(f"verified ({mode}): {len(entries)} entries, head {head[0]}:{head[1].hex()}, "
          f"ledger id {ledger.ledger_id.hex()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
