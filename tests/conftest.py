"""Shared test helpers: free ports for real multi-process sessions."""
import random
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_base_port(m: int) -> int:
    """A base port b such that b..b+m−1 are free and below the kernel's ephemeral range
    (a clash with an outgoing connection's port can hang a session until its timeout)."""
    top = min(_ephemeral_low(), 65536) - m - 1
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(15000, top)
        try:
            socks = []
            for p in range(base, base + m):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return base
    raise RuntimeError("no free port range found")


@pytest.fixture
def base_port():
    return free_base_port
