"""Per-stage cost accounting for one party: wall time, rounds, messages and bytes, with
the preprocessing (offline) part of each reported apart from the online part.

A protocol names its stages (`with session.stage("stage1_inputs"): ...`); everything the
party does meanwhile is charged to that stage. Preprocessing that a stage triggers (a
backend refilling its buffers) is charged to the same stage but counted separately under
"offline", so reports can give the offline/online split that a dealer-free backend makes
worth knowing.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator, Optional

from .transport import OFFLINE_PHASE, Transport

_COUNTS = ("rounds", "messages", "bytes")


def _empty() -> dict:
    return {"seconds": 0.0, "rounds": 0, "messages": 0, "bytes": 0,
            "offline": {"seconds": 0.0, "rounds": 0, "messages": 0, "bytes": 0}}


class StageMeter:
    """Accumulates the cost of named stages; a stage may be entered several times."""

    def __init__(self, transport: Transport, offline_clock):
        self._transport = transport
        self._offline_clock = offline_clock  # () -> seconds spent producing preprocessing so far
        self.stages: dict[str, dict] = {}
        self._current: Optional[str] = None

    @property
    def current(self) -> Optional[str]:
        return self._current

    def _totals(self) -> tuple[dict, dict, float]:
        snap = self._transport.stats.snapshot()
        offline = snap["by_phase"].get(OFFLINE_PHASE, {})
        return ({k: snap[k] for k in _COUNTS}, {k: offline.get(k, 0) for k in _COUNTS}, self._offline_clock())

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Charge everything inside the block to stage `name` (stages do not nest)."""
        if self._current is not None:
            raise RuntimeError(f"stage {name!r} started inside stage {self._current!r}")
        st = self.stages.setdefault(name, _empty())
        t0 = time.perf_counter()
        total0, offline0, clock0 = self._totals()
        saved = self._transport.phase
        self._transport.phase = name
        self._current = name
        try:
            yield
        finally:
            self._current = None
            self._transport.phase = saved
            total1, offline1, clock1 = self._totals()
            st["seconds"] += time.perf_counter() - t0
            st["offline"]["seconds"] += clock1 - clock0
            for k in _COUNTS:
                st[k] += total1[k] - total0[k]
                st["offline"][k] += offline1[k] - offline0[k]

    def report(self) -> dict[str, dict]:
        """Per stage: totals, the offline part, and the online part (totals minus offline)."""
        out = {}
        for name, st in self.stages.items():
            off = dict(st["offline"])
            online = {"seconds": max(0.0, st["seconds"] - off["seconds"]),
                      **{k: st[k] - off[k] for k in _COUNTS}}
            out[name] = {"seconds": st["seconds"], **{k: st[k] for k in _COUNTS},
                         "offline": off, "online": online}
        return out
