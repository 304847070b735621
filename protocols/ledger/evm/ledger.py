"""EvmLedger: the :class:`~protocols.ledger.api.Ledger` interface over MultiTxLedger.vy.

The adapter is thin on purpose: it converts requests into contract calls,
sends them with explicit gas limits from the writer's account, checks every
receipt's status (a reverted call raises :class:`LedgerRejected` with the
contract's reason, read back by replaying the call), and reads state and
history back from contract storage and event logs.  What is checked where
depends on the deployment mode; see :mod:`protocols.ledger.evm`.

Only in mode 3 ("writer") does the adapter verify anything itself: the
acceptance rules of :mod:`protocols.ledger.rules` (Ed25519 signatures,
SHAKE-256 proofs), exactly as the SQLite ledger does, because the EVM can
check neither at a sane cost.  In every mode it checks the operator's
Ed25519 root signature before publishing (no Ed25519 precompile) and, in
mode 2, the opening balance's range proof (the issuer's off-chain check).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from protocols.ledger import rules
from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import canonical_json
from protocols.ledger.evm import encoding as enc
from protocols.ledger.evm import scheme
from protocols.ledger.evm.contract import GAS, compile_source, source
from protocols.ledger.transactions import MultiTransaction, SOLVENCY_BITS
from zkp import evm_proofs
from zkp.groups.base import Group
from zkp.signatures import SignedRoot, verify_signed_root

KIND_NAMES = {0: "genesis", 1: "register_operator", 2: "publish_root", 3: "open_account",
              4: "multi_transaction", 5: "decision"}


class EvmTransactionFailed(LedgerRejected):
    """A transaction reverted (or ran out of gas) without a reason the contract names."""


class _ChainView:
    """The acceptance rules' view (:class:`protocols.ledger.rules.StateView`) of the contract's storage."""

    def __init__(self, ledger: "EvmLedger") -> None:
        self.ledger = ledger

    def operator_key(self, operator_id: str) -> bytes | None:
        return self.ledger._operator_pk(operator_id)

    def last_root_timestamp(self, operator_id: str) -> int | None:
        return self.ledger.last_root_timestamp(operator_id)

    def account_state(self, account_id: str) -> AccountState | None:
        return self.ledger.account_state(account_id)


class EvmLedger(Ledger):
    """A verifying ledger whose state lives in a contract (see the package docstring for the modes)."""

    def __init__(self, w3: Any, address: str | None = None, *, mode: str = "writer", group: Group | None = None,
                 writer: str | None = None, contract_source: str | None = None) -> None:
        from protocols.ledger.sqlite_ledger import default_group

        self.w3 = w3
        self.group = group if group is not None else default_group()
        if self.group.name != "bn254":
            raise ValueError("the EVM ledger keeps BN254 commitments")
        abi, bytecode = compile_source(contract_source if contract_source is not None else source())
        self.writer = writer if writer is not None else w3.eth.accounts[0]
        if address is None:
            if mode not in enc.MODES:
                raise ValueError(f"mode must be one of {sorted(enc.MODES)}")
            factory = w3.eth.contract(abi=abi, bytecode=bytecode)
            receipt = self._wait(factory.constructor(enc.MODES[mode], self.writer).transact(
                {"from": self.writer, "gas": GAS["deploy"]}), "deploy", GAS["deploy"], None)
            address = receipt.contractAddress
            self.deploy_gas = receipt.gasUsed
        self.contract = w3.eth.contract(address=address, abi=abi)
        self.address = self.contract.address
        self.mode = int(self.contract.functions.MODE().call())
        self.mode_name = enc.MODE_NAMES[self.mode]
        self.tag = bytes(self.contract.functions.LEDGER_TAG().call())
        expected = enc.ledger_tag(w3.eth.chain_id, bytes.fromhex(self.address[2:]), self.mode)
        if self.tag != expected:
            raise LedgerCorrupted(f"contract {self.address}: its ledger tag is not this code's "
                                  "(another contract or another encoding)")
        #: gas used by each transaction sent, in order: (function, gas used) — for benchmarks.
        self.gas_log: list[tuple[str, int]] = []
        #: mode 3: the full off-chain payloads this process submitted, by payload hash.
        self.payloads: dict[bytes, bytes] = {}

    @classmethod
    def in_process(cls, mode: str = "writer", group: Group | None = None, **kw: Any) -> "EvmLedger":
        """A fresh eth-tester chain (py-evm, Prague) in this process, with the contract deployed."""
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider, Web3

        w3 = Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))
        return cls(w3, mode=mode, group=group, **kw)

    # -- sending -------------------------------------------------------------------------------
    def _wait(self, tx_hash: bytes, what: str, gas: int, replay: Callable[[int], Any] | None) -> Any:
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        self.last_receipt = receipt
        if receipt.status == 1:
            return receipt
        reason, detail = "evm-revert", f"{what} reverted (gas used {receipt.gasUsed} of {gas})"
        if receipt.gasUsed >= gas:
            reason, detail = "out-of-gas", f"{what} ran out of its {gas} gas"
        elif replay is not None:
            # the receipt carries no reason: run the same call on the state before its block
            try:
                replay(receipt.blockNumber - 1)
            except Exception as exc:  # web3's ContractLogicError and friends
                msg = str(getattr(exc, "message", None) or exc)
                named = msg.split("execution reverted:", 1)[-1].strip() if "execution reverted:" in msg else ""
                if named:
                    raise LedgerRejected(named, f"the contract refused {what}") from None
        raise EvmTransactionFailed(reason, detail)

    def _send(self, fn_name: str, *args: Any, gas: int, sender: str | None = None) -> Any:
        fn = getattr(self.contract.functions, fn_name)(*args)
        params = {"from": sender or self.writer, "gas": gas}
        receipt = self._wait(fn.transact(params), fn_name, gas, lambda block: fn.call(params, block_identifier=block))
        self.gas_log.append((fn_name, receipt.gasUsed))
        return receipt

    # -- state views ---------------------------------------------------------------------------
    def _account_row(self, account_id: str) -> tuple | None:
        owner, ed, cm, nonce, exists = self.contract.functions.accounts(enc.account_key(account_id)).call()
        return (owner, bytes(ed), enc.point_bytes(cm), int(nonce)) if exists else None

    def account_state(self, account_id: str) -> AccountState | None:
        """AccountState or None; ``public_key`` is the Ed25519 key (mode 3) or the 20-byte address."""
        try:
            row = self._account_row(account_id)
        except ValueError:
            return None
        if row is None:
            return None
        owner, ed, cm, nonce = row
        key = ed if self.mode == enc.MODES["writer"] else bytes.fromhex(owner[2:])
        return AccountState(account_id, key, cm, nonce)

    def _operator_pk(self, operator_id: str) -> bytes | None:
        try:
            enc.operator_key(operator_id)
        except ValueError:
            return None
        pk = bytes(self.contract.functions.operators(enc.operator_key(operator_id)).call())
        return None if pk == enc.ZERO32 else pk

    def last_root_timestamp(self, operator_id: str) -> int | None:
        key = enc.operator_key(operator_id)
        if self.contract.functions.root_count(key).call() == 0:
            return None
        return int(self.contract.functions.latest_root(key).call()[2])

    def operator_key(self, operator_id: str) -> bytes:
        pk = self._operator_pk(operator_id)
        if pk is None:
            raise LedgerRejected("unknown-operator", f"operator {operator_id!r} is not registered")
        return pk

    def account(self, account_id: str) -> AccountState:
        st = self.account_state(account_id)
        if st is None:
            raise LedgerRejected("unknown-account", f"account {account_id!r} does not exist")
        return st

    def head(self) -> tuple[int, bytes]:
        return int(self.contract.functions.seq().call()), bytes(self.contract.functions.head().call())

    # -- writes --------------------------------------------------------------------------------
    def register_operator(self, operator_id: str, public_key: bytes) -> int:
        rules.check_register_operator(_ChainView(self), operator_id, public_key)
        self._send("registerOperator", enc.operator_key(operator_id), operator_id, bytes(public_key),
                   gas=GAS["registerOperator"])
        return self.head()[0]

    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        # the writer checks the Ed25519 signature (no precompile); readers re-check it (verify_chain deep)
        rules.check_publish_root(_ChainView(self), operator_id, signed_root)
        self._send("publishRoot", enc.operator_key(operator_id), signed_root.root, signed_root.tree_size,
                   signed_root.timestamp, signed_root.signature, gas=GAS["publishRoot"])
        return self.head()[0]

    def open_account(self, account_id: str, public_key: bytes, balance_commitment: bytes,
                     balance_proof: bytes | None = None) -> int:
        """Mode 3: Ed25519 key and an optional SHAKE zkpNN (as the SQLite ledger).  Modes 1/2: a
        secp256k1 public key and the compact range proof of :meth:`EvmAccountHolder.opening_proof`
        (mandatory; checked on chain in mode 1, by the issuer here in mode 2)."""
        try:
            key = enc.account_key(account_id)
        except ValueError as exc:
            raise LedgerRejected("malformed", str(exc)) from None
        if not isinstance(balance_commitment, (bytes, bytearray)) or len(balance_commitment) != 64:
            raise LedgerRejected("bad-commitment", "the balance commitment must be a 64-byte BN254 point")
        cm = list(enc.point_words(bytes(balance_commitment)))
        if self.mode == enc.MODES["writer"]:
            rules.check_open_account(_ChainView(self), self.group, account_id, public_key, balance_commitment, balance_proof)
            self._send("openAccount", key, account_id, "0x" + "00" * 20, bytes(public_key), cm,
                       gas=GAS["openAccount"])
            return self.head()[0]
        try:
            owner = scheme.address_of(public_key)
        except ValueError as exc:
            raise LedgerRejected("malformed", f"account public key: {exc}") from None
        if balance_proof is None:
            raise LedgerRejected("balance-proof", "an EVM account needs the range proof of its opening balance")
        owner_hex = "0x" + owner.hex()
        if self.mode == enc.MODES["onchain"]:
            self._send("openAccountProved", key, account_id, self.w3.to_checksum_address(owner_hex), cm,
                       _range_abi(balance_proof), gas=GAS["openAccountProved"])
        else:
            ctx = enc.open_context(self.tag, account_id, owner, bytes(balance_commitment))
            try:
                ok = evm_proofs.verify_range(self.group, self.group.decode(bytes(balance_commitment)),
                                             bytes(balance_proof), SOLVENCY_BITS, ctx)
            except ValueError:
                ok = False
            if not ok:
                raise LedgerRejected("balance-proof", f"the range proof of {account_id!r}'s opening balance fails")
            self._send("openAccount", key, account_id, self.w3.to_checksum_address(owner_hex), enc.ZERO32, cm,
                       gas=GAS["openAccount"])
        return self.head()[0]

    def batch_args(self, mtx: MultiTransaction) -> dict[str, Any]:
        """The contract arguments of a mode-1/2 batch (LedgerRejected ``malformed`` if it is not one)."""
        try:
            transfers = scheme.chain_transfers(mtx)
            sigs = [list(scheme.split_signature(mtx.signatures[t.account_id])) for t in mtx.transfers]
            if len(mtx.sum_proof) != evm_proofs.SUM_PROOF_SIZE:
                raise ValueError("the zero-sum proof is 64 bytes (c ‖ z)")
            onchain = self.mode == enc.MODES["onchain"]
            return {
                "transfers": [t.as_abi() for t in transfers],
                "context": enc.context_hash(mtx.context),
                "attest": enc.ZERO32 if onchain else scheme.attest_of(mtx),
                "sum_proof": [int.from_bytes(mtx.sum_proof[:32], "big"), int.from_bytes(mtx.sum_proof[32:], "big")],
                "signatures": sigs,
                "proofs": [_range_abi(mtx.solvency_proofs[t.account_id]) for t in mtx.transfers] if onchain else [],
            }
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise LedgerRejected("malformed", f"not an EVM multi-transaction: {exc}") from None

    def prove_solvency_on_chain(self, args: dict[str, Any], index: int) -> None:
        """Mode 1: one transaction verifying one account's range proof (block gas limit: one each)."""
        n = len(args["transfers"])
        self._send("proveSolvency", args["transfers"], args["context"], index, args["proofs"][index],
                   gas=GAS["proveSolvency"](n))

    def execute(self, args: dict[str, Any]) -> int:
        self._send("execute", args["transfers"], args["context"], args["attest"], args["sum_proof"],
                   args["signatures"], gas=GAS["execute"](len(args["transfers"])))
        return self.head()[0]

    def submit_multi_transaction(self, mtx: MultiTransaction) -> int:
        if self.mode == enc.MODES["writer"]:
            return self._submit_relayed(mtx)
        args = self.batch_args(mtx)
        for i in range(len(args["proofs"])):
            self.prove_solvency_on_chain(args, i)
        return self.execute(args)

    def _submit_relayed(self, mtx: MultiTransaction) -> int:
        rules.check_multi_transaction(_ChainView(self), self.group, mtx)  # the writer's checks, as in SQLite
        payload = canonical_json(rules.mtx_payload(mtx))
        ph = enc.payload_hash(payload)
        transfers = [t.as_abi() for t in scheme.chain_transfers(mtx)]
        self._send("executeRelayed", transfers, enc.context_hash(mtx.context), ph,
                   gas=GAS["executeRelayed"](len(transfers)))
        self.payloads[ph] = payload
        return self.head()[0]

    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        rules.check_decision(kind, payload)
        body = canonical_json(payload)
        if len(body) > 8192:
            raise LedgerRejected("decision", "decision payload longer than 8192 bytes")
        self._send("recordDecision", kind, body, gas=GAS["recordDecision"](len(body)))
        return self.head()[0]

    # -- history -------------------------------------------------------------------------------
    def _logs(self) -> list:
        """Every event of the contract, decoded, in chain order."""
        raw = self.w3.eth.get_logs({"address": self.address, "fromBlock": 0, "toBlock": "latest"})
        by_topic = {}
        for ev in self.contract.events:
            by_topic[bytes(self.w3.keccak(text=ev.abi_signature if hasattr(ev, "abi_signature") else
                                          _event_signature(ev.abi)))] = ev
        out = []
        for log in raw:
            ev = by_topic.get(bytes(log["topics"][0]))
            if ev is not None:
                out.append(ev.process_log(log))
        return out

    def _history(self) -> list[tuple[Entry, dict]]:
        """(Entry, raw event args of its kind) per entry; checks digests and the hash chain."""
        entries: list[tuple[Entry, dict]] = []
        op_ids: dict[bytes, str] = {}
        acct_ids: dict[bytes, str] = {}
        pending: dict | None = None
        prev = enc.genesis_head(self.tag)
        for ev in self._logs():
            name, a = ev["event"], dict(ev["args"])
            if name == "Entry":
                seq, kind, digest, h = int(a["seq"]), int(a["kind"]), bytes(a["digest"]), bytes(a["head"])
                if seq == 0:
                    if h != prev or digest != self.tag or entries:
                        raise LedgerCorrupted("the genesis entry does not match this contract", 0)
                    payload = {"ledger": "mpc-markets-evm", "group": "bn254", "mode": self.mode_name,
                               "contract": self.address, "chain_id": self.w3.eth.chain_id, "tag": self.tag.hex()}
                    entries.append((Entry(0, "genesis", payload, bytes(32), h), {}))
                    continue
                if seq != len(entries) or kind not in KIND_NAMES or pending is None or pending["kind"] != kind:
                    raise LedgerCorrupted("entry out of order or without its data", seq)
                if _digest_of(kind, pending["args"], self.tag) != digest:
                    raise LedgerCorrupted("the entry's digest does not match its data", seq)
                if enc.next_head(prev, seq, kind, digest) != h:
                    raise LedgerCorrupted("the hash chain is broken", seq)
                entries.append((Entry(seq, KIND_NAMES[kind], _payload_of(kind, pending["args"], op_ids), prev, h),
                                pending["args"]))
                prev, pending = h, None
            elif name == "Solvent":
                continue
            else:
                kind = {"OperatorRegistered": 1, "RootPublished": 2, "AccountOpened": 3, "BatchExecuted": 4,
                        "Decision": 5}[name]
                if name == "OperatorRegistered":
                    op_ids[bytes(a["operator"])] = a["operator_id"]
                if name == "AccountOpened":
                    acct_ids[bytes(a["account"])] = a["account_id"]
                a["_ids"] = acct_ids
                a["_tx"] = ev["transactionHash"]
                pending = {"kind": kind, "args": a}
        if not entries:
            raise LedgerCorrupted("no genesis entry")
        return entries

    def entries(self) -> list[Entry]:
        return [e for e, _ in self._history()]

    def roots(self, operator_id: str) -> list[SignedRoot]:
        return [SignedRoot.from_bytes(bytes.fromhex(e.payload["signed_root"])) for e in self.entries()
                if e.kind == "publish_root" and e.payload["operator_id"] == operator_id]

    def latest_root(self, operator_id: str) -> SignedRoot:
        key = enc.operator_key(operator_id)
        if self.contract.functions.root_count(key).call() == 0:
            raise LedgerRejected("no-root", f"operator {operator_id!r} has published no root")
        root, size, ts, r, s = self.contract.functions.latest_root(key).call()
        return SignedRoot(bytes(root), int(size), int(ts), bytes(r) + bytes(s))

    def verify_chain(self, deep: bool = False) -> None:
        """Digests and hash chain from the logs up to the contract's head; a replay of the state
        compared with storage; with ``deep`` every Ed25519 root signature, and in modes 1/2 every
        account signature and zero-sum proof (from the transactions' calldata), checked again."""
        history = self._history()
        seq, h = self.head()
        if (history[-1][0].seq, history[-1][0].hash) != (seq, h):
            raise LedgerCorrupted(f"the logs end at entry {history[-1][0].seq}, the contract's head is {seq}")
        operators: dict[str, bytes] = {}
        accounts: dict[str, tuple[bytes, int]] = {}
        last_ts: dict[str, int] = {}
        for e, args in history[1:]:
            p = e.payload
            if e.kind == "register_operator":
                operators[p["operator_id"]] = bytes.fromhex(p["public_key"])
            elif e.kind == "publish_root":
                sr = SignedRoot.from_bytes(bytes.fromhex(p["signed_root"]))
                if deep and not verify_signed_root(operators[p["operator_id"]], sr):
                    raise LedgerCorrupted("an operator root's Ed25519 signature does not verify", e.seq)
                if sr.timestamp <= last_ts.get(p["operator_id"], -1):
                    raise LedgerCorrupted("root timestamps do not increase", e.seq)
                last_ts[p["operator_id"]] = sr.timestamp
            elif e.kind == "open_account":
                accounts[p["account_id"]] = (bytes.fromhex(p["balance_commitment"]), 0)
            elif e.kind == "multi_transaction":
                if deep and self.mode != enc.MODES["writer"]:
                    self._deep_check_batch(e, args, accounts)
                for t in p["transfers"]:
                    cm, nonce = accounts[t["account_id"]]
                    new = self.group.decode(cm) - self.group.decode(bytes.fromhex(t["amount_commitment"]))
                    accounts[t["account_id"]] = (new.to_bytes(), nonce + 1)
        for aid, (cm, nonce) in accounts.items():
            st = self.account(aid)
            if (st.balance_commitment, st.nonce) != (cm, nonce):
                raise LedgerCorrupted(f"account {aid!r}: storage disagrees with the replayed history")
        for oid, pk in operators.items():
            if self._operator_pk(oid) != pk:
                raise LedgerCorrupted(f"operator {oid!r}: storage disagrees with the history")

    def _deep_check_batch(self, e: Entry, args: dict, accounts: dict) -> None:
        tx = self.w3.eth.get_transaction(args["_tx"])
        fn, inputs = self.contract.decode_function_input(tx["input"])
        digest = bytes(args["digest"])
        ts = [_transfer(t) for t in inputs["transfers"]]
        owners = {enc.account_key(t["account_id"]): t["account_id"] for t in e.payload["transfers"]}
        d = self.group.lincomb([self.group.decode(enc.point_bytes(t.cm)) for t in ts], [1] * len(ts))
        sp = b"".join(int(x).to_bytes(32, "big") for x in inputs["sum_proof"])
        if not evm_proofs.verify_zero_sum(self.group, d, sp, digest):
            raise LedgerCorrupted("a recorded batch's zero-sum proof does not verify", e.seq)
        for t, sg in zip(ts, inputs["signatures"]):
            v, r, s = (sg["v"], sg["r"], sg["s"]) if hasattr(sg, "keys") else sg
            sig = int(r).to_bytes(32, "big") + int(s).to_bytes(32, "big") + bytes([int(v)])
            signer = scheme.recover(digest, sig)
            if signer is None or "0x" + signer.hex() != self.contract.functions.accounts(t.account).call()[0].lower():
                raise LedgerCorrupted(f"a recorded signature of {owners.get(t.account)!r} does not verify", e.seq)


def _range_abi(proof: bytes) -> tuple:
    """A compact range proof as the contract's RangeProof struct (ValueError if malformed)."""
    p = bytes(proof)
    bits = SOLVENCY_BITS
    if len(p) != evm_proofs.range_proof_size(bits):
        raise ValueError(f"a range proof is {evm_proofs.range_proof_size(bits)} bytes")
    w = [int.from_bytes(p[i:i + 32], "big") for i in range(0, len(p), 32)]
    pts = [[w[1 + 2 * i], w[2 + 2 * i]] for i in range(bits)]
    k = 1 + 2 * bits
    return (w[0], pts, w[k:k + bits], w[k + bits:k + 2 * bits], w[k + 2 * bits:k + 3 * bits], w[k + 3 * bits])


def _transfer(t: Any) -> enc.ChainTransfer:
    """A Transfer struct as web3 decodes it (a mapping or a tuple)."""
    if hasattr(t, "keys"):
        t = (t["account"], t["cm"], t["nonce"])
    return enc.ChainTransfer(bytes(t[0]), (int(t[1][0]), int(t[1][1])), int(t[2]))


def _event_signature(abi: dict) -> str:
    def typ(i: dict) -> str:
        if i["type"].startswith("tuple"):
            return "(" + ",".join(typ(c) for c in i["components"]) + ")" + i["type"][5:]
        return i["type"]
    return f"{abi['name']}({','.join(typ(i) for i in abi['inputs'])})"


def _w(n: int) -> bytes:
    return int(n).to_bytes(32, "big")


def _digest_of(kind: int, a: dict, tag: bytes) -> bytes:
    """The digest the contract appended for an entry, recomputed from its event."""
    import hashlib

    sha = lambda *ps: hashlib.sha256(b"".join(ps)).digest()  # noqa: E731
    if kind == 1:
        return sha(bytes(a["operator"]), bytes(a["public_key"]))
    if kind == 2:
        return sha(bytes(a["operator"]), bytes(a["root"]), _w(a["size"]), _w(a["timestamp"]), bytes(a["signature"]))
    if kind == 3:
        owner = bytes(12) + bytes.fromhex(a["owner"][2:])
        return sha(bytes(a["account"]), owner, bytes(a["ed25519"]), _w(a["cm"][0]), _w(a["cm"][1]))
    if kind == 4:
        ts = [_transfer(t) for t in a["transfers"]]
        return enc.body_digest(tag, ts, bytes(a["context"]), bytes(a["attest"]))
    return sha(sha(a["kind"].encode("utf-8")), sha(bytes(a["payload"])))


def _payload_of(kind: int, a: dict, op_ids: dict[bytes, str]) -> dict:
    if kind == 1:
        return {"operator_id": a["operator_id"], "public_key": bytes(a["public_key"]).hex()}
    if kind == 2:
        sr = SignedRoot(bytes(a["root"]), int(a["size"]), int(a["timestamp"]), bytes(a["signature"]))
        return {"operator_id": op_ids[bytes(a["operator"])], "signed_root": sr.to_bytes().hex(),
                "root": sr.root.hex(), "tree_size": sr.tree_size, "timestamp": sr.timestamp}
    if kind == 3:
        return {"account_id": a["account_id"], "owner": a["owner"], "public_key": bytes(a["ed25519"]).hex(),
                "balance_commitment": enc.point_bytes(a["cm"]).hex()}
    if kind == 4:
        ids = a.get("_ids", {})
        ts = [_transfer(t) for t in a["transfers"]]
        return {"digest": bytes(a["digest"]).hex(), "context_hash": bytes(a["context"]).hex(),
                "attest": bytes(a["attest"]).hex(),
                "transfers": [{"account": t.account.hex(), "account_id": ids.get(t.account, t.account.hex()),
                               "amount_commitment": enc.point_bytes(t.cm).hex()} for t in ts],
                "nonces": {ids.get(t.account, t.account.hex()): t.nonce for t in ts}}
    return {"kind": a["kind"], "payload": json.loads(bytes(a["payload"]).decode("ascii"))}
