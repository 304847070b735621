"""A local chain for multi-process runs: eth-tester (py-evm, Prague) behind a small JSON-RPC server.

    python -m protocols.ledger.evm.node --key-dir DIR --announce FILE [--mode attested] [--port 0]

It starts a fresh in-memory chain, creates (or loads) the ledger service's keys in ``DIR`` —
``evm-writer.key`` (secp256k1, the writer's Ethereum account) and ``issuer.key`` (Ed25519, the
token issuer) — funds the writer, has the writer deploy MultiTxLedger.vy in ``MODE``, serves
JSON-RPC on 127.0.0.1, and writes ``FILE`` (JSON: url, contract, mode, chain id, ledger id,
writer) once it answers.  It runs until it is terminated; the chain lives as long as it does.

The server is this project's own, minimal one (http.server), not a standard Ethereum node:

* it speaks eth-tester's JSON-RPC dialect (what ``EthereumTesterProvider.make_request`` takes
  and returns, bytes tagged as ``{"$b": hex}``); clients connect with :class:`NodeProvider`,
  which applies web3's eth-tester formatters on its side, so every web3 call works as on an
  in-process chain;
* it answers only reads and ``eth_sendRawTransaction``: the chain's unlocked test accounts,
  ``eth_sendTransaction``, and eth-tester's ``evm_*`` controls (snapshot, revert, time travel)
  are refused, so a client can neither send as someone else nor rewrite history — every
  write is a transaction signed by its sender's own key;
* it binds to the loopback address only, and serialises requests (py-evm is not thread-safe).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from web3 import EthereumTesterProvider
from web3.providers.base import BaseProvider

FORMAT = "mpc-markets/evm-ledger-node/v1"
MAX_REQUEST = 16 << 20
#: methods a client may call: reads, and transactions it signed itself
ALLOWED = frozenset({
    "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBlockByNumber",
    "eth_getBlockByHash", "eth_call", "eth_estimateGas", "eth_getLogs", "eth_getTransactionByHash",
    "eth_getTransactionReceipt", "eth_getTransactionCount", "eth_getBalance", "eth_getCode",
    "eth_getStorageAt", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_accounts",
    "eth_sendRawTransaction",
})
WRITER_FUNDS = 10**23   # wei (a tenth of a test account): the writer pays gas for every entry


def _enc(o: Any) -> Any:
    if isinstance(o, (bytes, bytearray)):
        return {"$b": bytes(o).hex()}
    if isinstance(o, dict):
        return {k: _enc(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_enc(v) for v in o]
    return o


def _dec(o: Any) -> Any:
    if isinstance(o, dict):
        if set(o) == {"$b"} and isinstance(o["$b"], str):
            return bytes.fromhex(o["$b"])
        return {k: _dec(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_dec(v) for v in o]
    return o


class NodeProvider(EthereumTesterProvider):
    """web3's eth-tester provider whose chain is at ``url`` (a :func:`serve` server), not in-process."""

    def __init__(self, url: str, timeout: float = 300.0) -> None:
        BaseProvider.__init__(self)   # no local chain: only the eth-tester formatters are reused
        import requests

        self.url, self.timeout, self._http = url, timeout, requests.Session()

    def make_request(self, method: str, params: Any) -> dict:
        body = json.dumps({"jsonrpc": "2.0", "id": self._current_request_id, "method": method, "params": _enc(params)})
        self._current_request_id += 1
        r = self._http.post(self.url, data=body, headers={"Content-Type": "application/json"}, timeout=self.timeout)
        r.raise_for_status()
        return _dec(r.json())

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return "result" in self.make_request("eth_chainId", [])
        except Exception:  # noqa: BLE001 - any transport error means "not connected"
            if show_traceback:
                raise
            return False


def serve(provider: EthereumTesterProvider, port: int = 0) -> ThreadingHTTPServer:
    """Serve ``provider`` on 127.0.0.1:``port`` (0: any free port) in a daemon thread."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            n = int(self.headers.get("Content-Length", "0"))
            if not 0 < n <= MAX_REQUEST:
                self.send_error(413 if n > MAX_REQUEST else 400)
                return
            try:
                req = json.loads(self.rfile.read(n))
                method, params, rid = req["method"], _dec(req.get("params", [])), req.get("id")
            except (ValueError, KeyError, TypeError):
                self.send_error(400)
                return
            if method not in ALLOWED:
                out = {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": f"{method} is not served "
                                                                                         "by this node"}}
            else:
                with lock:
                    out = provider.make_request(method, params)
                out = dict(out, id=rid)
            data = json.dumps(_enc(out)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # quiet: one line per request is noise
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def load_or_create_secp256k1(path: Path) -> bytes:
    """The 32-byte secp256k1 key in ``path`` (hex), or a fresh one written there (mode 0600)."""
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) != 32:
            raise ValueError(f"{path}: not a 32-byte secp256k1 key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


def start(key_dir: Path, mode: str, port: int = 0) -> tuple[ThreadingHTTPServer, dict]:
    """A fresh chain with the ledger deployed by the writer, served; returns (server, announcement)."""
    from eth_account import Account
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import Web3

    from protocols.ledger.evm.ledger import EvmLedger
    from protocols.ledger.keys import load_or_create_key
    from protocols.ledger.transactions import raw_public_key

    writer_key = load_or_create_secp256k1(key_dir / "evm-writer.key")
    issuer = load_or_create_key(key_dir / "issuer.key")
    provider = EthereumTesterProvider(EthereumTester(PyEVMBackend()))
    w3 = Web3(provider)
    writer = Account.from_key(writer_key).address
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": writer, "value": WRITER_FUNDS, "gas": 21_000}))
    if receipt.status != 1:
        raise RuntimeError("funding the writer failed")
    ledger = EvmLedger(w3, mode=mode, writer_key=writer_key, issuer_key=raw_public_key(issuer))
    server = serve(provider, port)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    return server, {"format": FORMAT, "url": url, "contract": ledger.address, "mode": ledger.mode_name,
                    "chain_id": ledger.chain_id, "ledger_id": ledger.ledger_id.hex(), "writer": ledger.writer}


def main(argv: list[str] | None = None) -> int:
    from mpc.cli import ArgumentParser
    from protocols.ledger.evm.encoding import MODES

    p = ArgumentParser(prog="python -m protocols.ledger.evm.node",
                                description="A local eth-tester chain with the ledger contract, served on 127.0.0.1.")
    p.add_argument("--key-dir", required=True, type=Path, help="the ledger service's keys (created if absent)")
    p.add_argument("--announce", required=True, type=Path, help="write the node's URL and contract here (JSON)")
    p.add_argument("--mode", choices=sorted(MODES), default="attested", help="deployment mode (default attested)")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: any free one)")
    args = p.parse_args(argv)
    if not 0 <= args.port < 65536:
        print("error: --port must be in 0..65535", file=sys.stderr)
        return 2
    try:
        server, ann = start(args.key_dir, args.mode, args.port)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tmp = args.announce.with_name(f".{args.announce.name}.tmp{os.getpid()}")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(ann, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, args.announce)   # readers never see half a file
    print(f"node: {ann['url']} contract {ann['contract']} mode {ann['mode']} ledger {ann['ledger_id']}",
          file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
