"""Compiling and deploying MultiTxLedger.vy (Vyper 0.4.3, EVM version prague).

The contract is compiled from its source on first use (about 5 s, offline: Vyper
is a pure-Python wheel), so no compiled artefact can drift from the source.
Every transaction the adapter sends carries an explicit gas limit from
:data:`GAS`, measured on py-evm and given headroom: estimating gas is about
ten times slower than running the call on py-evm, and an explicit limit also
bounds what a faulty submission can cost on a real chain.
"""

from __future__ import annotations

import functools
from pathlib import Path

SOURCE_PATH = Path(__file__).with_name("MultiTxLedger.vy")
VYPER_VERSION = "0.4.3"
EVM_VERSION = "prague"


def _per_transfer(base: int, each: int):
    return lambda n: base + each * n


#: explicit gas limits per call (n = transfers in the batch; nbytes = bytes of a variable argument).
GAS = {
    "deploy": 5_000_000,
    "registerOperator": 300_000,
    "publishRoot": lambda nbytes: 300_000 + 40 * nbytes,
    "openAccount": lambda nbytes: 350_000 + 40 * nbytes,      # nbytes: the opening's calldata
    "openAccountProved": 2_600_000,
    "proveSolvency": _per_transfer(2_300_000, 12_000),
    "execute": _per_transfer(150_000, 60_000),
    "executeRelayed": _per_transfer(120_000, 45_000),
    "recordDecision": lambda nbytes: 200_000 + 40 * nbytes,
}


def source() -> str:
    return SOURCE_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=8)
def compile_source(src: str) -> tuple[list, str]:
    """(abi, bytecode hex) of a contract source; ImportError without the evm extra."""
    import vyper
    from vyper.compiler import compile_code

    if vyper.__version__.split("+")[0] != VYPER_VERSION:
        raise ImportError(f"the EVM ledger is built with vyper=={VYPER_VERSION}, found {vyper.__version__}")
    out = compile_code(src, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


def compiled() -> tuple[list, str]:
    return compile_source(source())
