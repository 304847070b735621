"""Best-known values of ``BKS.csv`` (in :func:`~protocols.routing.benchmark_files.data_dir`) and the gap of a result to them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .benchmark_files import data_dir


@dataclass(frozen=True)
class BestKnown:
    set: str
    instance: str
    n_customers: int
    vehicles: int
    objective: float
    decimals: int = 0


def load_best_known(folder: Path | None = None) -> dict[tuple[str, str], BestKnown]:
    """All rows of BKS.csv keyed by (set, instance); empty if the file is absent."""
    path = (folder or data_dir()) / "BKS.csv"
    if not path.is_file():
        return {}
    rows = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            rows[(row["set"], row["instance"])] = BestKnown(
                row["set"], row["instance"], int(row["n_customers"]), int(row["vehicles"]), float(row["objective"]),
                len(row["objective"].split(".")[1]) if "." in row["objective"] else 0,
            )
    return rows


def benchmark_set(kind: str, n_customers: int, convention: str) -> str:
    """The BKS.csv ``set`` whose convention matches a result.

    ``kind``: "solomon_vrptw", "solomon_tsptw", "lopez_ibanez" or "lkh_tsptw".
    """
    if kind == "solomon_vrptw":
        if convention == "hierarchical":
            return f"solomon{n_customers}_hierarchical"
        return f"solomon{n_customers}_{convention}"
    if kind == "solomon_tsptw":
        return "tsptw_potvin_bengio_travel" if convention == "euclid" else f"tsptw_solomon_{convention}"
    if kind == "lopez_ibanez":
        return "tsptw_dumas"
    if kind == "lkh_tsptw":
        return "tsptw_potvin_bengio"
    raise ValueError(f"kind: unknown instance kind {kind!r}")


def gap_percent(value: float, best: float, decimals: int | None = None) -> float:
    """100 (value - best) / best, with ``value`` first rounded to the ``decimals`` the
    best-known value is published with (119.6388 vs 119.64 is a 0 % gap, not -0.001 %)."""
    if decimals is not None:
        value = round(value, decimals)
    return 100.0 * (value - best) / best
