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


def _numbers(path: Path, line_no: int, text: str, kind=int) -> list:
    try:
        return [kind(tok) for tok in text.split()]
    except ValueError as exc:
        raise BenchmarkFormatError(f"{path}: line {line_no}: expected numbers, got {text.strip()!r}") from exc


def read_solomon(path: str | Path) -> SolomonInstance:
    """Parse a Solomon-format file (name, VEHICLE block, CUSTOMER block)."""
    path = Path(path)
    lines = path.read_text().splitlines()
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
    fleet_line = nonblank[v_at + 2]
    fleet = _numbers(path, *fleet_line)
    if len(fleet) != 2:
        raise BenchmarkFormatError(f"{path}: line {fleet_line[0]}: expected 'NUMBER CAPACITY'")
    rows = []
    for line_no, text in nonblank[c_at + 2 :]:
        vals = _numbers(path, line_no, text)
        if len(vals) != 7:
            raise BenchmarkFormatError(
                f"{path}: line {line_no}: expected 7 fields CUST-NO X Y DEMAND READY DUE SERVICE, got {len(vals)}"
            )
        rows.append(vals)
    if len(rows) < 2:
        raise BenchmarkFormatError(f"{path}: need a depot and at least one customer")
    if rows[0][0] != 0:
        raise BenchmarkFormatError(f"{path}: the first customer line must be the depot (number 0)")
    cols = list(zip(*rows))
    for k, row in enumerate(rows):
        if row[4] > row[5]:
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: READY {row[4]} > DUE {row[5]}")
        if row[3] < 0 or row[6] < 0:
            raise BenchmarkFormatError(f"{path}: customer {row[0]}: negative DEMAND or SERVICE")
    return SolomonInstance(name, fleet[0], fleet[1], *(tuple(c) for c in cols))


def read_lopez_ibanez(path: str | Path) -> TSPTWInstance:
    """Parse a Lopez-Ibanez/Blum TSPTW file: n, the n x n matrix, n lines ``a_i b_i``; node 0 = depot."""
    path = Path(path)
    tokens = path.read_text().split()
    try:
        size = int(tokens[0])
        nums = [float(tok) for tok in tokens[1:]]
    except (ValueError, IndexError) as exc:
        raise BenchmarkFormatError(f"{path}: expected integers (n, matrix, windows)") from exc
    if len(nums) != size * size + 2 * size:
        raise BenchmarkFormatError(
            f"{path}: n = {size} needs {size * size} matrix entries and {2 * size} window bounds, found {len(nums)} numbers"
        )
    as_num = [int(v) if v.is_integer() else v for v in nums]
    matrix = [as_num[i * size : (i + 1) * size] for i in range(size)]
    win = as_num[size * size :]
    ready, due = win[0::2], win[1::2]
    return from_matrix(matrix, ready, due, depot=0, labels=list(range(size)), name=path.stem)


def read_lkh_tsptw(path: str | Path) -> TSPTWInstance:
    """Parse an LKH-3 TSPTW file with an EXPLICIT FULL_MATRIX and a TIME_WINDOW_SECTION.

    Values are kept in the file's units (the Potvin-Bengio files are scaled by 10^4 with
    the tail's service time folded into each arc); labels are the file's 1-based node
    numbers.
    """
    path = Path(path)
    text = path.read_text().splitlines()
    header: dict[str, str] = {}
    k = 0
    matrix: list[float] = []
    windows: dict[int, tuple[float, float]] = {}
    depot = None
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
            size = int(header.get("DIMENSION", "0"))
            if header.get("EDGE_WEIGHT_FORMAT", "").upper() != "FULL_MATRIX":
                raise BenchmarkFormatError(f"{path}: only EDGE_WEIGHT_FORMAT FULL_MATRIX is supported")
            while len(matrix) < size * size and k < len(text):
                matrix.extend(_numbers(path, k + 1, text[k], float))
                k += 1
        elif word == "TIME_WINDOW_SECTION":
            size = int(header.get("DIMENSION", "0"))
            for _ in range(size):
                vals = _numbers(path, k + 1, text[k], float)
                if len(vals) != 3:
                    raise BenchmarkFormatError(f"{path}: line {k + 1}: expected 'node ready due'")
                windows[int(vals[0])] = (vals[1], vals[2])
                k += 1
        elif word == "DEPOT_SECTION":
            depot = int(text[k].split()[0])
            k += 1
        elif word in ("EOF", "-1"):
            continue
    size = int(header.get("DIMENSION", "0"))
    if size < 2 or len(matrix) != size * size:
        raise BenchmarkFormatError(f"{path}: DIMENSION {size} does not match {len(matrix)} matrix entries")
    if sorted(windows) != list(range(1, size + 1)):
        raise BenchmarkFormatError(f"{path}: TIME_WINDOW_SECTION must list nodes 1..{size}")
    depot = depot or 1
    as_num = [int(v) if v.is_integer() else v for v in matrix]
    mat = [as_num[i * size : (i + 1) * size] for i in range(size)]
    ready = [windows[i + 1][0] for i in range(size)]
    due = [windows[i + 1][1] for i in range(size)]
    ready = [int(v) if float(v).is_integer() else v for v in ready]
    due = [int(v) if float(v).is_integer() else v for v in due]
    return from_matrix(
        mat, ready, due, depot=depot - 1, labels=list(range(1, size + 1)), name=header.get("NAME", path.stem)
    )


def detect_format(path: str | Path) -> str:
    """Return ``"solomon"``, ``"lkh_tsptw"`` or ``"lopez_ibanez"`` from the file's content."""
    path = Path(path)
    if not path.is_file():
        raise BenchmarkFormatError(f"{path}: no such file")
    text = path.read_text()
    upper = text.upper()
    if "TIME_WINDOW_SECTION" in upper and "EDGE_WEIGHT_SECTION" in upper:
        return "lkh_tsptw"
    if "VEHICLE" in upper and "CUSTOMER" in upper:
        return "solomon"
    first = text.split(maxsplit=1)
    if first and first[0].isdigit():
        return "lopez_ibanez"
    raise BenchmarkFormatError(f"{path}: not a Solomon, LKH-3 TSPTW or Lopez-Ibanez TSPTW file")


def read_instance(path: str | Path) -> SolomonInstance | TSPTWInstance:
    """Read any supported benchmark file, detecting its format from the content."""
    kind = detect_format(path)
    if kind == "solomon":
        return read_solomon(path)
    if kind == "lkh_tsptw":
        return read_lkh_tsptw(path)
    return read_lopez_ibanez(path)


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
