"""Run all parties of a session as asyncio tasks in one process (for tests and examples)."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional

from .field import PrimeField
from .preprocessing import BACKENDS
from .session import Session
from .transport import DEFAULT_TIMEOUT, InMemoryNetwork

Program = Callable[[Session], Awaitable[Any]]


async def run_parties_async(m: int, program: Program, *, field: Optional[PrimeField] = None,
                            backend: str = "dealer", timeout: float = DEFAULT_TIMEOUT,
                            open_mode: str = "auto", session_factory=None,
                            network: Optional[InMemoryNetwork] = None) -> list[Any]:
    """Run `program(session)` for parties 0..m−1 concurrently; return each party's result,
    or the exception it raised (so tests can see that every honest party aborted)."""
    field = field or PrimeField()
    net = network or InMemoryNetwork(m)
    factory = session_factory or (lambda pid, t, prep: Session(t, prep, field, open_mode=open_mode))

    async def one(pid: int):
        t = net.transport(pid, timeout)
        prep = BACKENDS[backend](field, t)
        s = factory(pid, t, prep)
        await s.start()
        result = await program(s)
        await s.close()
        return result

    return await asyncio.gather(*(one(pid) for pid in range(m)), return_exceptions=True)


def run_parties(m: int, program: Program, **kwargs) -> list[Any]:
    """Synchronous wrapper around :func:`run_parties_async`."""
    return asyncio.run(run_parties_async(m, program, **kwargs))
