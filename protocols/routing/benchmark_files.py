"""Readers for the public routing benchmark formats of ``protocols/routing/data``.

Three formats (see that folder's README.md; sources in its PROVENANCE.md):

* Solomon text (``VEHICLE`` / ``CUSTOMER`` blocks, node 0 = depot) -> :class:`SolomonInstance`;
* Lopez-Ibanez/Blum TSPTW matrix files (Dumas et al.) -> :class:`TSPTWInstance`;
* LKH-3 TSPTW files (explicit full matrix and windows, node 1 = depot) -> :class:`TSPTWInstance`.

:func:`read_instance` tells them apart from the file's content, not its name.  Every
reader raises :class:`BenchmarkFormatError` with the file and the offending line or field.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from .tsptw_model import TSPTWInstance, from_matrix

DATA_ENV_VAR = "ROUTING_DATA_DIR"


class BenchmarkFormatError(ValueError):
    """A benchmark file that does not follow the format it claims to be in."""


def data_dir() -> Path:
    """The routing benchmark folder: ``$ROUTING_DATA_DIR`` if set, else the vendored
    ``protocols/routing/data`` (shipped with the package as package data)."""
    override = os.environ.get(DATA_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon VRPTW instance: node 0 is the depot, nodes 1..n the customers.

    All fields are the integers of the file; ``due[0]`` is the latest return to the depot.
    """

    name: str
    vehicles: int
    capacity: int
    ids: tuple[int, ...]
    x: tuple[int, ...]
    y: tuple[int, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.x) - 1

    def coords(self) -> list[tuple[int, int]]:
        return list(zip(self.x, self.y))


#: Bounds on what a benchmark file may hold. Real instances are far inside them (Solomon:
#: values below 10^4 and 100 customers; Homberger: 1,000 customers; LKH-3 files scale by
#: 10^4). Numbers beyond them overflow floating point (math.hypot of a 400-digit
#: coordinate) or PyVRP's 64-bit integers, and node counts beyond them could not be solved.
MAX_VALUE = 10**9          # Solomon coordinates, demands, capacity, times
MAX_MATRIX_VALUE = 1e12    # entries and windows of the matrix formats (LKH-3 files are x 10^4)
MAX_NODES = 10_000
MAX_VEHICLES = 10_000


def _read_text(path: Path) -> str:
    """The file's text through the project's one safe reader (regular file, size bounded,
    UTF-8); BenchmarkFormatError naming the file otherwise."""
    from mpc.cli import CliError, read_text_file

    try:
        return read_text_file(path, "INSTANCE")
    except CliError as exc:
        raise BenchmarkFormatError(str(exc).removeprefix("INSTANCE ")) from None


def _numbers(path: Path, line_no: int, text: str, kind=int) -> list:
    """The numbers of one line; BenchmarkFormatError naming the line if one is not a finite
    number within the bounds above (integers of at most 20 digits)."""
    out = []
    for tok in text.split():
        if len(tok.lstrip("+-")) > 20:
            raise BenchmarkFormatError(f"{path}: line {line_no}: {tok[:12]}... has more than 20 digits")
        try:
            value = kind(tok)
        except ValueError:
            raise BenchmarkFormatError(f"{path}: line {line_no}: expected numbers, got {text.strip()[:80]!r}") from None
        if kind is float and not (math.isfinite(value) and abs(value) <= MAX_MATRIX_VALUE):
            raise BenchmarkFormatError(f"{path}: line {line_no}: {tok[:30]} is not a finite number of at most "
                                       f"{MAX_MATRIX_VALUE:g} in absolute value")
        out.append(value)
    return out


def read_solomon(path: str | Path) -> SolomonInstance:
    """Parse a Solomon-format file (name, VEHICLE block, CUSTOMER block)."""
    path = Path(path)
    return _parse_solomon(path, _read_text(path))


def _parse_solomon(path: Path, text: str) -> SolomonInstance:
    lines = text.splitlines()
    nonblank = [(k + 1, ln) for k, ln in enumerate(lines) if ln.strip()]
    if not nonblank:
        raise BenchmarkFormatError(f"{path}: empty file")
    name = nonblank[0][1].strip()
    upper = [ln.strip().upper() for _, ln in nonblank]
    try:
        v_at = upper.index("VEHICLE")
        c_at = upper.index("CUSTOMER")
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: missing VEHICLE or CUSTOMER section") from exc
    if v_at + 2 >= len(nonblank) or v_at + 2 >= c_at:
        raise BenchmarkFormatError(f"{path}: the VEHICLE section needs a header line and a line 'NUMBER CAPACITY'")
    fleet_line = nonblank[v_at + 2]
    fleet = _numbers(path, *fleet_line)
    if len(fleet) != 2:
        raise BenchmarkFormatError(f"{path}: line {fleet_line[0]}: expected 'NUMBER CAPACITY'")
    vehicles, capacity = fleet
    if not 1 <= vehicles <= MAX_VEHICLES:
        raise BenchmarkFormatError(f"{path}: line {fleet_line[0]}: the number of vehicles must be in "
                                   f"1..{MAX_VEHICLES}, got {vehicles}")
    if not 0 <= capacity <= MAX_VALUE:
        raise BenchmarkFormatError(f"{path}: line {fleet_line[0]}: CAPACITY must be in 0..{MAX_VALUE}, got {capacity}")
    rows = []
    for line_no, text_line in nonblank[c_at + 2 :]:
        vals = _numbers(path, line_no, text_line)
        if len(vals) != 7:
            raise BenchmarkFormatError(
                f"{path}: line {line_no}: expected 7 fields CUST-NO X Y DEMAND READY DUE SERVICE, got {len(vals)}"
            )
        rows.append(vals)
        if len(rows) > MAX_NODES + 1:
            raise BenchmarkFormatError(f"{path}: more than {MAX_NODES} customers")
    if len(rows) < 2:
        raise BenchmarkFormatError(f"{path}: need a depot and at least one customer")
    if rows[0][0] != 0:
        raise BenchmarkFormatError(f"{path}: the first customer line must be the depot (number 0)")
    seen: set[int] = set()
    for row in rows:
        if row[0] in seen:
            raise BenchmarkFormatError(f"{path}: duplicate customer number {row[0]}")
        seen.add(row[0])
        if row[0] < 0:
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: negative customer number")
        if any(abs(v) > MAX_VALUE for v in row[1:]):
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: values must be at most {MAX_VALUE} in absolute value")
        if row[4] > row[5]:
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: READY {row[4]} > DUE {row[5]}")
        if row[3] < 0 or row[6] < 0 or row[4] < 0:
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: negative DEMAND, READY or SERVICE")
    cols = list(zip(*rows))
    return SolomonInstance(name, vehicles, capacity, *(tuple(c) for c in cols))


def read_lopez_ibanez(path: str | Path) -> TSPTWInstance:
    """Parse a Lopez-Ibanez/Blum TSPTW file: n, the n x n matrix, n lines ``a_i b_i``; node 0 = depot."""
    path = Path(path)
    return _parse_lopez_ibanez(path, _read_text(path))


def _parse_lopez_ibanez(path: Path, text: str) -> TSPTWInstance:
    tokens = text.split()
    if tokens and tokens[0].isdigit() and len(tokens[0]) > 6:
        raise BenchmarkFormatError(f"{path}: n = {tokens[0][:12]}...: the number of nodes must be in 2..{MAX_NODES}")
    try:
        if any(len(tok) > 40 for tok in tokens):
            raise ValueError
        size = int(tokens[0])
        nums = [float(tok) for tok in tokens[1:]]
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: expected numbers (n, matrix, windows)") from exc
    if not 2 <= size <= MAX_NODES:
        raise BenchmarkFormatError(f"{path}: n = {size}: the number of nodes must be in 2..{MAX_NODES}")
    if len(nums) != size * size + 2 * size:
        raise BenchmarkFormatError(
            f"{path}: n = {size} needs {size * size} matrix entries and {2 * size} window bounds, found {len(nums)} numbers"
        )
    bad = next((v for v in nums if not (math.isfinite(v) and abs(v) <= MAX_MATRIX_VALUE)), None)
    if bad is not None:
        raise BenchmarkFormatError(f"{path}: {bad} is not a finite number of at most {MAX_MATRIX_VALUE:g} "
                                   "in absolute value")
    as_num = [int(v) if v.is_integer() else v for v in nums]
    matrix = [as_num[i * size : (i + 1) * size] for i in range(size)]
    win = as_num[size * size :]
    ready, due = win[0::2], win[1::2]
    try:
        return from_matrix(matrix, ready, due, depot=0, labels=list(range(size)), name=path.stem)
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: {exc}") from None


def read_lkh_tsptw(path: str | Path) -> TSPTWInstance:
    """Parse an LKH-3 TSPTW file with an EXPLICIT FULL_MATRIX and a TIME_WINDOW_SECTION.

    Values are kept in the file's units (the Potvin-Bengio files are scaled by 10^4 with
    the tail's service time folded into each arc); labels are the file's 1-based node
    numbers.
    """
    path = Path(path)
    return _parse_lkh_tsptw(path, _read_text(path))


def _parse_lkh_tsptw(path: Path, content: str) -> TSPTWInstance:
    text = content.splitlines()
    header: dict[str, str] = {}
    k = 0
    matrix: list[float] = []
    windows: dict[int, tuple[float, float]] = {}
    depot = None

    def dimension() -> int:
        value = header.get("DIMENSION", "0")
        if not value.isdigit() or len(value) > 6 or not 2 <= int(value) <= MAX_NODES:
            raise BenchmarkFormatError(f"{path}: DIMENSION must be an integer in 2..{MAX_NODES}, got {value[:20]!r}")
        return int(value)

    while k < len(text):
        line = text[k].strip()
        k += 1
        if not line:
            continue
        if ":" in line and not line[0].isdigit():
            key, value = (s.strip() for s in line.split(":", 1))
            header[key.upper()] = value
            continue
        word = line.upper()
        if word == "EDGE_WEIGHT_SECTION":
            size = dimension()
            if header.get("EDGE_WEIGHT_FORMAT", "").upper() != "FULL_MATRIX":
                raise BenchmarkFormatError(f"{path}: only EDGE_WEIGHT_FORMAT FULL_MATRIX is supported")
            while len(matrix) < size * size and k < len(text):
                if text[k].strip()[:1].isalpha():  # the next section: the matrix ended early
                    break
                matrix.extend(_numbers(path, k + 1, text[k], float))
                k += 1
        elif word == "TIME_WINDOW_SECTION":
            size = dimension()
            for _ in range(size):
                if k >= len(text):
                    raise BenchmarkFormatError(f"{path}: TIME_WINDOW_SECTION ends after {len(windows)} of {size} nodes")
                vals = _numbers(path, k + 1, text[k], float)
                if len(vals) != 3 or not vals[0].is_integer():
                    raise BenchmarkFormatError(f"{path}: line {k + 1}: expected 'node ready due'")
                windows[int(vals[0])] = (vals[1], vals[2])
                k += 1
        elif word == "DEPOT_SECTION":
            first = text[k].split() if k < len(text) else []
            if not first or not first[0].isdigit() or len(first[0]) > 6:
                raise BenchmarkFormatError(f"{path}: DEPOT_SECTION must give the depot's node number")
            depot = int(first[0])
            k += 1
        elif word in ("EOF", "-1"):
            continue
    size = dimension()
    if len(matrix) != size * size:
        raise BenchmarkFormatError(f"{path}: DIMENSION {size} does not match {len(matrix)} matrix entries "
                                   "(EDGE_WEIGHT_SECTION)")
    if sorted(windows) != list(range(1, size + 1)):
        raise BenchmarkFormatError(f"{path}: TIME_WINDOW_SECTION must list nodes 1..{size}")
    depot = depot or 1
    if not 1 <= depot <= size:
        raise BenchmarkFormatError(f"{path}: DEPOT_SECTION: depot {depot} is not a node in 1..{size}")
    as_num = [int(v) if v.is_integer() else v for v in matrix]
    mat = [as_num[i * size : (i + 1) * size] for i in range(size)]
    ready = [windows[i + 1][0] for i in range(size)]
    due = [windows[i + 1][1] for i in range(size)]
    ready = [int(v) if float(v).is_integer() else v for v in ready]
    due = [int(v) if float(v).is_integer() else v for v in due]
    try:
        return from_matrix(
            mat, ready, due, depot=depot - 1, labels=list(range(1, size + 1)), name=header.get("NAME", path.stem)
        )
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: {exc}") from None


def _detect(path: Path, text: str) -> str:
    upper = text.upper()
    if "TIME_WINDOW_SECTION" in upper and "EDGE_WEIGHT_SECTION" in upper:
        return "lkh_tsptw"
    if "VEHICLE" in upper and "CUSTOMER" in upper:
        return "solomon"
    first = text.split(maxsplit=1)
    if first and first[0].isdigit():
        return "lopez_ibanez"
    raise BenchmarkFormatError(f"{path}: not a Solomon, LKH-3 TSPTW or Lopez-Ibanez TSPTW file")


def detect_format(path: str | Path) -> str:
    """Return ``"solomon"``, ``"lkh_tsptw"`` or ``"lopez_ibanez"`` from the file's content."""
    path = Path(path)
    return _detect(path, _read_text(path))


def read_instance(path: str | Path) -> SolomonInstance | TSPTWInstance:
    """Read any supported benchmark file, detecting its format from the content (the file
    is read once)."""
    path = Path(path)
    text = _read_text(path)
    kind = _detect(path, text)
    if kind == "solomon":
        return _parse_solomon(path, text)
    if kind == "lkh_tsptw":
        return _parse_lkh_tsptw(path, text)
    return _parse_lopez_ibanez(path, text)


# --- distances under the README's conventions -------------------------------------------


def truncated_tenths(dx: int, dy: int) -> int:
    """floor(10 * euclid) for integer coordinate differences, exactly (no float rounding)."""
    return math.isqrt(100 * (dx * dx + dy * dy))


def distance_matrix(inst: SolomonInstance, convention: str) -> list[list[float]]:
    """Travel times between all nodes of a Solomon instance.

    ``"dimacs"``: floor(10*euclid)/10, returned in tenths as integers (scale 10);
    ``"euclid"``: Euclidean distance in double precision (scale 1).
    """
    n1 = len(inst.x)
    if convention == "dimacs":
        return [
            [truncated_tenths(inst.x[i] - inst.x[j], inst.y[i] - inst.y[j]) for j in range(n1)] for i in range(n1)
        ]
    if convention == "euclid":
        return [[math.hypot(inst.x[i] - inst.x[j], inst.y[i] - inst.y[j]) for j in range(n1)] for i in range(n1)]
    raise ValueError(f"convention: unknown distance convention {convention!r} (use 'dimacs' or 'euclid')")


def solomon_as_tsptw(inst: SolomonInstance, convention: str = "euclid") -> TSPTWInstance:
    """A single-vehicle Solomon file as the seed's TSPTW (start = center = end = depot).

    With ``"dimacs"`` every time is in tenths (integers); with ``"euclid"`` in file units.
    Capacity is not part of the TSPTW (the seed checks it beforehand); it is checked here.
    """
    if sum(inst.demand) > inst.capacity:
        raise ValueError(f"{inst.name}: total demand {sum(inst.demand)} exceeds the capacity {inst.capacity}")
    scale = 10 if convention == "dimacs" else 1
    mat = distance_matrix(inst, convention)
    return from_matrix(
        mat,
        [scale * a for a in inst.ready],
        [scale * b for b in inst.due],
        [scale * s for s in inst.service],
        depot=0,
        labels=list(inst.ids),
        coords=inst.coords(),
        name=inst.name,
    )


def read_lkh_tour(path: str | Path, n_customers: int) -> list[list[int]]:
    """Routes of an LKH-3 VRP TOUR file as Solomon customer numbers.

    Tour nodes 1..n+1 are Solomon nodes 0..n; numbers above n+1 are copies of the depot
    that separate routes.
    """
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    try:
        at = lines.index("TOUR_SECTION")
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: no TOUR_SECTION") from exc
    routes: list[list[int]] = [[]]
    for k, text in enumerate(lines[at + 1 :], start=at + 2):
        if text in ("-1", "EOF", ""):
            break
        try:
            node = int(text)
        except ValueError as exc:
            raise BenchmarkFormatError(f"{path}: line {k}: expected a node number, got {text!r}") from exc
        if node < 1:
            raise BenchmarkFormatError(f"{path}: line {k}: node numbers start at 1")
        if node == 1 or node > n_customers + 1:
            routes.append([])
        else:
            routes[-1].append(node - 1)
    return [r for r in routes if r]
