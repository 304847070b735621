"""What every command-line tool of the project shares: one way to refuse bad input, one
safe JSON loader, output paths checked before anything is written, and argument types
that bound numbers.

Exit status everywhere: 0 success, 1 a session aborted (a named check failed), 2 bad
usage or bad input. A user error is one line on stderr, `error: <what> ...`, naming the
option or field, never a traceback.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional

EXIT_OK, EXIT_ABORT, EXIT_USAGE = 0, 1, 2

MAX_JSON_BYTES = 256 << 20
MAX_TEXT_BYTES = 64 << 20
MAX_JSON_DEPTH = 64
# Far above any amount the project handles (2^256 has 78 digits), far below the length at
# which int() becomes slow (quadratic) or Python refuses it (4,300 digits): longer numbers
# are refused by the loader, shorter out-of-range ones by the field checks that name them.
MAX_INT_DIGITS = 100

#: what an identifier that becomes part of a file name may look like (user ids, plan ids)
SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


class CliError(Exception):
    """A user-facing error: printed as `error: <message>`, exit status 2."""


def fail(exc: Exception | str) -> int:
    """Print a user-facing error and return the exit status for it."""
    print(f"error: {exc}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def die(message: str) -> NoReturn:
    """Print a user-facing error and exit with status 2."""
    sys.exit(fail(message))


def guarded(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a CLI's main(argv) so that a CliError raised anywhere inside becomes the one
    error line and exit status 2 (the plaintext CLIs raise CliError instead of printing),
    and a usage error or --help (SystemExit from the parser) becomes the returned status,
    so that main(argv) called in-process always returns the exit status."""
    @functools.wraps(main)
    def wrapper(*args, **kwargs) -> int:
        try:
            return main(*args, **kwargs)
        except CliError as exc:
            return fail(exc)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        except BrokenPipeError:
            # the reader of stdout went away (`... | head`): no traceback, and none at exit
            # when Python flushes stdout again (the recipe of Python's signal documentation)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_ABORT
    return wrapper


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is the single line `error: ...` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        die(message)


def safe_id(value: Any, where: str) -> str:
    """`value` if it can be part of a file name: 1 to 64 characters from [A-Za-z0-9_.-],
    not starting with a dot (no "..", no "/", no hidden files); CliError naming `where`."""
    if not isinstance(value, str) or not SAFE_ID.fullmatch(value):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise CliError(f"{where}: must be 1 to 64 characters from A-Z a-z 0-9 _ . - not starting with a dot "
                       f"(it names files), got {shown}")
    return value


# -- reading files ----------------------------------------------------------------------
def _regular_fd(path: str | os.PathLike, what: str) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its status; CliError naming `what` otherwise.
    The file is opened without blocking and checked after opening, so a FIFO or a device
    (which would block or never end) is refused, whatever the path looked like before."""
    if str(path) == "":
        raise CliError(f"{what}: no file name given")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise CliError(f"{what} {path}: {exc.strerror or exc}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise CliError(f"{what} {path}: {'is a directory' if stat.S_ISDIR(st.st_mode) else 'not a regular file'}")
    return fd, st


def _read_regular(path: str | os.PathLike, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; CliError naming `what` otherwise."""
    fd, st = _regular_fd(path, what)
    try:
        if st.st_size > limit:
            raise CliError(f"{what} {path}: larger than {limit >> 20} MiB")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise CliError(f"{what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise CliError(f"{what} {path}: larger than {limit >> 20} MiB")
    return raw


def check_input_file(path: str | os.PathLike, what: str) -> Path:
    """CliError unless `path` is an existing, readable regular file (not a folder, FIFO or
    device); for inputs that another library opens itself (SQLite)."""
    fd, _ = _regular_fd(path, what)
    os.close(fd)
    return Path(path)


def read_text_file(path: str | os.PathLike, what: str, limit: int = MAX_TEXT_BYTES) -> str:
    """A UTF-8 text file given by the user; CliError naming `what` on any problem."""
    raw = _read_regular(path, what, limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{what} {path}: not UTF-8 text") from None


# -- JSON -------------------------------------------------------------------------------
# Strings are skipped whole by the regex engine, so the scan costs little even on large files.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|-?[0-9]{%d,}' % (MAX_INT_DIGITS + 1))


def _scan(text: str) -> Optional[str]:
    """What makes `text` too costly to parse, found before parsing: nesting deeper than
    MAX_JSON_DEPTH (the C parser can overflow the C stack, a segfault rather than a
    RecursionError, when a library has raised the recursion limit) or a number with more
    than MAX_INT_DIGITS digits. None if neither."""
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return f"nested deeper than {MAX_JSON_DEPTH} levels (line {text.count(chr(10), 0, m.start()) + 1})"
        elif tok in "]}":
            depth -= 1
        elif tok[0] != '"':
            return (f"a number with more than {MAX_INT_DIGITS} digits "
                    f"(line {text.count(chr(10), 0, m.start()) + 1})")
    return None


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings."""
    depth = deepest = 0
    for m in _JSON_TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth -= 1
    return deepest


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"integer with more than {MAX_INT_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):
        raise ValueError(f"number {text[:20]} is out of the floating-point range")
    return x


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r} in one object")
        out[key] = value
    return out


def _check_strings(value: Any) -> None:
    """ValueError if a string (key or value) holds a lone surrogate ("\\ud800" is valid
    JSON but no Unicode text: it could be neither printed nor written as UTF-8)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"string {v[:30]!r} is not valid Unicode (a lone surrogate)") from None
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def parse_json_text(text: str, what: str) -> Any:
    """Parse JSON text from an untrusted source; CliError naming `what` on any problem
    (too deep, numbers too long or out of range, NaN/Infinity, duplicate keys, lone
    surrogates, syntax)."""
    problem = _scan(text)
    if problem:
        raise CliError(f"{what}: {problem}")
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant,
                           object_pairs_hook=_unique_keys)
        _check_strings(value)
        return value
    except (ValueError, RecursionError) as exc:
        raise CliError(f"{what}: not valid JSON ({exc})") from None


def read_json_file(path: str | os.PathLike, what: str) -> Any:
    """Read and parse a JSON file given by the user; CliError naming `what` on any failure
    (missing, a folder, FIFO or device, too large, not UTF-8, not JSON)."""
    raw = _read_regular(path, what, MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8-sig")  # a leading byte-order mark (Windows editors) is accepted
    except UnicodeDecodeError:
        raise CliError(f"{what} {path}: not UTF-8 text") from None
    return parse_json_text(text, f"{what} {path}")


# -- writing files ----------------------------------------------------------------------
#: what matplotlib's savefig writes (chosen by the file name's suffix)
PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff", ".webp")


def check_output_path(path: str | os.PathLike, what: str, suffixes: Optional[tuple[str, ...]] = None) -> Path:
    """CliError unless `path` can be written: its folder exists and is writable, it is not
    a folder, FIFO or device itself, and (if `suffixes` is given) its suffix is one of them.
    Call it before anything is computed or recorded, so a bad path fails first and leaves
    nothing behind."""
    if str(path) == "":
        raise CliError(f"{what}: no file name given")
    p = Path(path)
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise CliError(f"{what} {path}: the file name must end in one of {', '.join(suffixes)}")
    try:
        folder = p.parent if str(p.parent) else Path(".")
        if p.is_dir():
            raise CliError(f"{what} {path}: is a directory")
        if p.exists() and not p.is_file():
            raise CliError(f"{what} {path}: not a regular file")
        if not folder.is_dir():
            if folder.exists() or any(q.exists() and not q.is_dir() for q in folder.parents):
                raise CliError(f"{what} {path}: {folder} is not a folder")
            raise CliError(f"{what} {path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
            raise CliError(f"{what} {path}: not writable")
        # the temporary file write_text_file renames over the target must be creatable too
        if len(os.fsencode(f".{p.name}.tmp{os.getpid()}")) > os.pathconf(folder, "PC_NAME_MAX"):
            raise CliError(f"{what} {path}: file name too long")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise CliError(f"{what} {path}: {exc.strerror or exc}") from None
    return p


def check_not_input(output: str | os.PathLike, inputs: dict[str, Optional[str | os.PathLike]], what: str) -> None:
    """CliError if the output path names one of the input files (a careless `--json m.json`
    next to `--market m.json` would replace the input by the result)."""
    for option, path in inputs.items():
        try:
            if path is not None and os.path.exists(output) and os.path.samefile(output, path):
                raise CliError(f"{what} {output}: is the {option} file; write the result elsewhere")
        except OSError:
            continue


def write_json_file(path: str | os.PathLike, what: str, payload: Any, indent: Optional[int] = 2) -> None:
    """Write JSON atomically (a temporary file renamed over the target)."""
    write_text_file(path, what, json.dumps(payload, indent=indent) + "\n")


def write_text_file(path: str | os.PathLike, what: str, text: str) -> None:
    """Write text atomically (a temporary file renamed over the target), so that a reader
    never sees half a file and a failed write leaves nothing."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
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

#: a host name, IPv4 address or bracketed IPv6 address (what the launcher's -P accepts)
HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,252})|\[[0-9A-Fa-f:.]+\]")
MAX_SERVERS = 64


def host_port(text: str) -> tuple[str, int]:
    """`host:port` with a host name or address and a port in 1..65535; ValueError otherwise."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not HOST.fullmatch(host) or not port.isdigit() or len(port) > 5 or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port with a port in 1..65535, got {text[:60]!r}")
    return host.strip("[]"), int(port)


def server_list(text: str) -> list[tuple[str, int]]:
    """argparse type: comma-separated host:port, one per server in party order (at most MAX_SERVERS)."""
    parts = text.split(",")
    if len(parts) > MAX_SERVERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_SERVERS} servers, got {len(parts)}")
    try:
        return [host_port(part) for part in parts]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
