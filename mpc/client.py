"""One input-only client from the command line (see mpc.client_input for the protocol).

    python -m mpc.client --servers 127.0.0.1:12365,127.0.0.1:12366,127.0.0.1:12367 \\
        --id alice --values 5,-7,0 [--json OUT]

Connects to every computing party (in party order), secret-shares the values, waits for
the servers' result and prints the public part and this client's private outputs. The
servers must have registered the id with the same number of values.
"""
from __future__ import annotations

import asyncio
import json
import sys

from .cli import (EXIT_ABORT, ArgumentParser, CliError, check_output_path, guarded, seconds, server_list,
                  write_json_file)
from .client_input import ClientInputError, connect_servers, receive_output, submit_input
from .client_input.wire import MAX_ID_BYTES
from .field import PrimeField

#: values one client may send (the servers register how many they expect)
MAX_VALUES = 1_000_000


def parse_values(text: str, field: PrimeField) -> list[int]:
    """--values: comma-separated integers, each a signed field element (|v| < q/2)."""
    parts = [v.strip() for v in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise CliError(f"--values {text[:40]!r}: expected comma-separated integers, e.g. 5,-7,0")
    if len(parts) > MAX_VALUES:
        raise CliError(f"--values: at most {MAX_VALUES:,} values, got {len(parts):,}")
    out = []
    for p in parts:
        digits = p.lstrip("+-")
        if not digits.isdigit() or len(digits) > 80:
            raise CliError(f"--values: {p[:40]!r} is not an integer of at most 80 digits")
        v = int(p)
        if not -field.half <= v <= field.half:
            raise CliError(f"--values: {p[:40]} does not fit the field (|v| must be below q/2, about 2^{field.bits - 1})")
        out.append(v)
    return out


async def _run(args, values: list[int], field: PrimeField) -> dict:
    chans = await connect_servers(args.servers, args.timeout)
    try:
        keys = await submit_input(chans, args.id, values, field, args.timeout)
        print(f"input accepted by {len(chans)} servers; waiting for the result", file=sys.stderr, flush=True)
        public, private = await receive_output(chans, field, args.result_timeout, keys)
    finally:
        for ch in chans:
            ch.close()
    return {"public": public.decode("utf-8", errors="replace"), "private": [field.signed(v) for v in private]}


@guarded
def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m mpc.client", description=__doc__.split("\n\n")[0],
                       epilog="Exit status: 0 the result arrived, 1 the servers could not be reached or refused "
                              "the input (the message says which), 2 bad usage.")
    p.add_argument("--servers", required=True, type=server_list,
                   help="host:port of every server, comma-separated, in party order")
    p.add_argument("--id", required=True, help=f"this client's registered id (at most {MAX_ID_BYTES} bytes of UTF-8)")
    p.add_argument("--values", required=True, help="comma-separated integers to secret-share")
    p.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS",
                   help="seconds to wait for a server during input, at most a day (default 60)")
    p.add_argument("--result-timeout", type=seconds, default=3600.0, metavar="SECONDS",
                   help="seconds to wait for the result, at most a day (default 3600)")
    p.add_argument("--json", metavar="OUT", help="also write the outcome to this file")
    args = p.parse_args(argv)
    field = PrimeField()
    values = parse_values(args.values, field)
    if not args.id or len(args.id.encode("utf-8", "surrogateescape")) > MAX_ID_BYTES:
        raise CliError(f"--id: give a non-empty id of at most {MAX_ID_BYTES} bytes")
    try:
        args.id.encode("utf-8")
    except UnicodeEncodeError:
        raise CliError("--id: not valid UTF-8 text") from None
    if args.json is not None:
        check_output_path(args.json, "--json")
    try:
        outcome = asyncio.run(_run(args, values, field))
    except ClientInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ABORT
    print(json.dumps(outcome))
    if args.json is not None:
        write_json_file(args.json, "--json", outcome, indent=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
