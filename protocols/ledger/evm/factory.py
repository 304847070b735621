"""open_ledger(spec): one entry point for a CLI's ``--ledger`` option.

    PATH                          the SQLite ledger in that file (the default install)
    evm                           an in-process eth-tester chain (py-evm, Prague), mode "attested"
    evm:MODE                      the same with MODE = onchain | attested | writer
    evm:URL#0xADDRESS             the contract at ADDRESS on a node of protocols.ledger.evm.node
                                  (the run folder's chain); a reader unless ``writer_key``
                                  is given (then it signs its own transactions)
    evm:MODE:URL                  deploy a new contract there (needs ``writer_key`` or ``sender``,
                                  and ``issuer_key``)

Which keys and proofs a holder uses is the ledger's business: ``ledger.payment_scheme()``
(:mod:`protocols.ledger.evm.payment_scheme`) — Ed25519 / SHAKE-256 in mode "writer",
secp256k1 / SHA-256 in modes "onchain" and "attested".
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
    mode = "attested"   # the practical mode (see the package docstring), as --ledger evm
    head = rest.split(":", 1)[0]
    if head in MODES:
        mode, rest = head, rest[len(head) + 1:]
    elif rest and not rest.startswith(("http://", "https://")):
        raise ValueError(f"EVM ledger spec {spec!r}: expected a mode ({', '.join(MODES)}) or an http(s) URL")
    url, address = (rest or None), None
    if url is not None and "#" in url:
        url, address = url.split("#", 1)
    return mode, url, address


def require_extra(what: str = "the EVM ledger") -> None:
    """ImportError with the install command unless the evm extra (web3 with eth-tester, vyper) is there."""
    try:
        import eth_tester  # noqa: F401
        import vyper  # noqa: F401
        import web3  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{what} needs the evm extra: pip install -e '.[evm]' ({exc})") from None


def open_ledger(spec: str | Path, group: Group | None = None, **kw: Any) -> Ledger:
    """The ledger a spec names (see the module docstring); extra keywords go to the ledger class."""
    text = str(spec)
    if text == EVM_PREFIX or text.startswith(EVM_PREFIX + ":"):
        mode, url, address = parse_spec(text)
        require_extra(text)
        from protocols.ledger.evm.ledger import EvmLedger

        if url is None:
            return EvmLedger.in_process(mode=mode, group=group, **kw)
        from web3 import Web3

        from protocols.ledger.evm.node import NodeProvider

        return EvmLedger(Web3(NodeProvider(url)), address, mode=mode, group=group, **kw)
    from protocols.ledger.sqlite_ledger import SQLiteLedger

    return SQLiteLedger(text, group, **kw)
