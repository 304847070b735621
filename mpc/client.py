"""One input-only client from the command line (see mpc.client_input for the protocol).

    python -m mpc.client --servers 127.0.0.1:12365,127.0.0.1:12366,127.0.0.1:12367 \\
        --id alice --values 5,-7,0 [--json OUT]

Connects to every computing party (in party order), secret-shares the values, waits for
the servers' result and prints the public part and this client's private outputs. The
servers must have registered the id with the same number of values.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys

from .client_input import ClientInputError, connect_servers, receive_output, submit_input
from .field import PrimeField


def _servers(text: str) -> list[tuple[str, int]]:
    out = []
    for part in text.split(","):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(f"expected host:port, got {part!r}")
        out.append((host, int(port)))
    return out


def _values(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


async def _run(args) -> dict:
    field = PrimeField()
    chans = await connect_servers(args.servers, args.timeout)
    try:
        keys = await submit_input(chans, args.id, args.values, field, args.timeout)
        print(f"input accepted by {len(chans)} servers; waiting for the result", file=sys.stderr, flush=True)
        public, private = await receive_output(chans, field, args.result_timeout, keys)
    finally:
        for ch in chans:
            ch.close()
    return {"public": public.decode("utf-8", errors="replace"), "private": [field.signed(v) for v in private]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mpc.client", description=__doc__.split("\n\n")[0])
    p.add_argument("--servers", required=True, type=_servers, help="host:port of every server, comma-separated, in party order")
    p.add_argument("--id", required=True, help="this client's registered id")
    p.add_argument("--values", required=True, type=_values, help="comma-separated integers to secret-share")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a server during input (default 60)")
    p.add_argument("--result-timeout", type=float, default=3600.0, help="seconds to wait for the result (default 3600)")
    p.add_argument("--json", help="also write the outcome to this file")
    args = p.parse_args(argv)
    if not args.values:
        p.error("--values: give at least one integer")
    try:
        outcome = asyncio.run(_run(args))
    except ClientInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outcome))
    if args.json:
        try:
            with open(args.json, "w") as fh:
                json.dump(outcome, fh)
        except OSError as exc:
            print(f"error: --json {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
