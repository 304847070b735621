"""open_ledger(spec): one entry point for a CLI's ``--ledger`` option.

    PATH                          the SQLite ledger in that file (the default install)
    evm                           an in-process eth-tester chain (py-evm, Prague), mode "writer"
    evm:MODE                      the same with MODE = onchain | attested | writer
    evm:URL  /  evm:MODE:URL      a JSON-RPC node (e.g. a local dev chain at http://127.0.0.1:8545);
                                  ``#0xADDRESS`` after the URL attaches to a deployed contract,
                                  otherwise a new one is deployed from the node's first account

Today's energy stage 4 signs with Ed25519 and proves with SHAKE-256 transcripts, which only
mode "writer" accepts; modes "onchain" and "attested" take the secp256k1 / SHA-256 batches of
:mod:`protocols.ledger.evm.scheme`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from protocols.ledger.api import Ledger
from zkp.groups.base import Group

EVM_PREFIX = "evm"


def parse_spec(spec: str) -> tuple[str, str | None, str | None]:
    """(mode, url or None, contract address or None) of an ``evm…`` spec; ValueError otherwise."""
    from protocols.ledger.evm.encoding import MODES

    if spec != EVM_PREFIX and not spec.startswith(EVM_PREFIX + ":"):
        raise ValueError(f"not an EVM ledger spec: {spec!r}")
    rest = spec[len(EVM_PREFIX) + 1:]
    mode = "writer"
    head = rest.split(":", 1)[0]
    if head in MODES:
        mode, rest = head, rest[len(head) + 1:]
    elif rest and not rest.startswith(("http://", "https://")):
        raise ValueError(f"EVM ledger spec {spec!r}: expected a mode ({', '.join(MODES)}) or an http(s) URL")
    url, address = (rest or None), None
    if url is not None and "#" in url:
        url, address = url.split("#", 1)
    return mode, url, address


def open_ledger(spec: str | Path, group: Group | None = None, **kw: Any) -> Ledger:
    """The ledger a spec names (see the module docstring); extra keywords go to the ledger class."""
    text = str(spec)
    if text == EVM_PREFIX or text.startswith(EVM_PREFIX + ":"):
        mode, url, address = parse_spec(text)
        try:
            from protocols.ledger.evm.ledger import EvmLedger
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(f"--ledger {text} needs the evm extra: pip install -e '.[evm]' ({exc})") from None
        if url is None:
            return EvmLedger.in_process(mode=mode, group=group, **kw)
        from web3 import HTTPProvider, Web3

        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 120}))
        return EvmLedger(w3, address, mode=mode, group=group, **kw)
    from protocols.ledger.sqlite_ledger import SQLiteLedger

    return SQLiteLedger(text, group, **kw)
