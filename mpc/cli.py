"""What every command-line tool of the project shares: one way to refuse bad input, one
safe JSON loader, output paths checked before anything is written, and argument types
that bound numbers.

Exit status everywhere: 0 success, 1 a session aborted (a named check failed), 2 bad
usage or bad input. A user error is one line on stderr, `error: <what> ...`, naming the
option or field, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional

EXIT_OK, EXIT_ABORT, EXIT_USAGE = 0, 1, 2

MAX_JSON_BYTES = 256 << 20
MAX_JSON_DEPTH = 64
MAX_INT_DIGITS = 40  # well above 2^128; keeps a hostile file from costing quadratic parse time


class CliError(Exception):
    """A user-facing error: printed as `error: <message>`, exit status 2."""


def fail(exc: Exception | str) -> int:
    """Print a user-facing error and return the exit status for it."""
    print(f"error: {exc}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def die(message: str) -> NoReturn:
    """Print a user-facing error and exit with status 2."""
    sys.exit(fail(message))


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is the single line `error: ...` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        die(message)


# -- JSON -------------------------------------------------------------------------------
def nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings. Checked before parsing because the C JSON
    parser can overflow the C stack (a segfault, not a RecursionError) on deep input."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"integer with more than {MAX_INT_DIGITS} digits")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json_text(text: str, what: str) -> Any:
    """Parse JSON text from an untrusted source; CliError naming `what` on any problem
    (too deep, integers too long, NaN/Infinity, syntax)."""
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise CliError(f"{what}: nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{what}: not valid JSON ({exc})") from None


def read_json_file(path: str | os.PathLike, what: str) -> Any:
    """Read and parse a JSON file given by the user; CliError naming `what` on any failure
    (missing, unreadable, too large, not UTF-8, not JSON)."""
    p = Path(path)
    try:
        if p.is_dir():
            raise CliError(f"{what} {path}: is a directory")
        with open(p, "rb") as fh:
            raw = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise CliError(f"{what} {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_JSON_BYTES:
        raise CliError(f"{what} {path}: larger than {MAX_JSON_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{what} {path}: not UTF-8 text") from None
    return parse_json_text(text, f"{what} {path}")



def check_output_path(path: str | os.PathLike, what: str) -> Path:
    """CliError unless `path` can be written: its folder exists and is writable and it is
    not a folder itself. Call it before anything is recorded, so a bad path fails first."""
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise CliError(f"{what} {path}: is a directory")
    if not folder.is_dir():
        raise CliError(f"{what} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise CliError(f"{what} {path}: not writable")
    return p


def write_json_file(path: str | os.PathLike, what: str, payload: Any, indent: Optional[int] = 2) -> None:
    """Write JSON atomically (a temporary file renamed over the target)."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps(payload, indent=indent) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise CliError(f"{what} {path}: {exc.strerror or exc}") from None



# -- argument types ---------------------------------------------------------------------
def bounded_float(low: float, high: float, *, low_inclusive: bool = False,
                  what: str = "a number") -> Callable[[str], float]:
    """argparse type: a finite float in (low, high] (or [low, high] with low_inclusive)."""
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        ok = math.isfinite(x) and (x >= low if low_inclusive else x > low) and x <= high
        if not ok:
            lo = "[" if low_inclusive else "("
            raise argparse.ArgumentTypeError(f"expected {what} in {lo}{low:g}, {high:g}], got {text!r}")
        return x
    return parse


def bounded_int(low: int, high: int, what: str = "an integer") -> Callable[[str], int]:
    """argparse type: an integer in [low, high]."""
    def parse(text: str) -> int:
        try:
            if len(text.strip().lstrip("+-")) > MAX_INT_DIGITS:
                raise ValueError
            x = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= x <= high:
            raise argparse.ArgumentTypeError(f"expected {what} in [{low}, {high}], got {x}")
        return x
    return parse


#: seconds to wait for a peer: finite, positive, at most a day
seconds = bounded_float(0.0, 86400.0, what="a number of seconds")
