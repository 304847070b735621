"""File input/output for the small command-line tools: one place that turns an unreadable
or malformed file into a one-line `error: ...` message and exit status 2."""
from __future__ import annotations

import json
import sys
from typing import Any


class CliError(Exception):
    """A user-facing error: printed as `error: <message>`, exit status 2."""


def read_json_arg(path: str, option: str) -> Any:
    """Parse the JSON file given to `option`; CliError names the option on any failure."""
    try:
        with open(path) as fh:
            return json.load(fh)
    except OSError as exc:
        raise CliError(f"{option} {path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{option} {path}: not valid JSON ({exc})") from None


def write_json_arg(path: str, option: str, payload: Any) -> None:
    try:
        with open(path, "w") as fh:
            json.dump(payload, fh, indent=2)
    except OSError as exc:
        raise CliError(f"{option} {path}: {exc.strerror or exc}") from None


def fail(exc: Exception) -> int:
    """Print a user-facing error and return the exit status for it."""
    print(f"error: {exc}", file=sys.stderr)
    return 2
