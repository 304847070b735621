"""EvmLedger: the :class:`~protocols.ledger.api.Ledger` interface over MultiTxLedger.vy.

The adapter is thin on purpose: it converts requests into contract calls,
sends them with explicit gas limits from the writer's account, checks every
receipt's status (a reverted call raises :class:`LedgerRejected` with the
contract's reason, read back by replaying the call), and reads state and
history back from contract storage, event logs and transaction calldata.
What is checked where depends on the deployment mode; see :mod:`protocols.ledger.evm`.

What the EVM cannot check at a sane cost (Ed25519 has no precompile; SHAKE-256
neither) the writer checks before it sends, with the same rules as the SQLite
ledger, and every reader checks again in :meth:`EvmLedger.verify_chain`: the
issuer's signatures on operator registrations and account openings, the holder's
consent, the operator's root signatures, and in mode "writer" the batches'
Ed25519 signatures and SHAKE-256 proofs.

Sending: with ``writer_key`` (a secp256k1 private key) the adapter signs raw
transactions itself, which is how it talks to a node that holds no keys (the
run folder's node, :mod:`protocols.ledger.evm.node`); without it, it sends from
an account the node has unlocked (eth-tester in this process).  A handle with
neither is a reader: every write raises LedgerRejected ``writer``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Callable

from protocols.ledger import rules
from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import canonical_json, parse_canonical
from protocols.ledger.evm import encoding as enc
from protocols.ledger.evm import scheme
from protocols.ledger.evm.contract import GAS, compile_source, source
from protocols.ledger.evm.payment_scheme import EvmScheme, StandardScheme
from protocols.ledger.evm.scheme import consent_digest
from protocols.ledger.issuance import AccountOpening, OperatorRegistration, issuance_message, verify_ed25519
from protocols.ledger.transactions import SOLVENCY_BITS, MultiTransaction
from zkp import evm_proofs
from zkp.groups.base import Group
from zkp.signatures import SignedRoot

KIND_NAMES = {0: "genesis", 1: "register_operator", 2: "publish_root", 3: "open_account",
              4: "multi_transaction", 5: "decision"}
_EVENT_KIND = {"OperatorRegistered": 1, "RootPublished": 2, "AccountOpened": 3, "BatchExecuted": 4, "Decision": 5}


class EvmTransactionFailed(LedgerRejected):
    """A transaction reverted (or ran out of gas) without a reason the contract names."""


class _ChainView:
    """The acceptance rules' view (:class:`protocols.ledger.rules.StateView`) of the contract's state."""

    def __init__(self, ledger: "EvmLedger") -> None:
        self.ledger = ledger

    def operator_key(self, operator_id: str) -> bytes | None:
        return self.ledger._operator_pk(operator_id)

    def last_root(self, operator_id: str) -> SignedRoot | None:
        try:
            return self.ledger.latest_root(operator_id)
        except LedgerRejected:
            return None

    def account_state(self, account_id: str) -> AccountState | None:
        return self.ledger.account_state(account_id)


class EvmLedger(Ledger):
    """A verifying ledger whose state lives in a contract (see the package docstring for the modes)."""

    def __init__(self, w3: Any, address: str | None = None, *, mode: str = "writer", group: Group | None = None,
                 writer_key: bytes | None = None, sender: str | None = None, issuer_key: bytes | None = None,
                 expect_ledger_id: bytes | None = None, contract_source: str | None = None) -> None:
        """Attach to the contract at ``address``, or deploy one (then ``mode`` and ``issuer_key``, the
        issuer's raw Ed25519 public key, are fixed in it).  ``expect_ledger_id``: refuse any other
        deployment (LedgerCorrupted), as a replica's ``expect_writer`` does."""
        from protocols.ledger.sqlite_ledger import default_group

        self.w3 = w3
        self.group = group if group is not None else default_group()
        if self.group.name != "bn254":
            raise ValueError("the EVM ledger keeps BN254 commitments")
        abi, bytecode = compile_source(contract_source if contract_source is not None else source())
        self._account = None
        if writer_key is not None:
            from eth_account import Account

            self._account = Account.from_key(bytes(writer_key))
            sender = self._account.address
        self.sender = sender
        #: gas used by each transaction sent, in order: (function, gas used) — for benchmarks.
        self.gas_log: list[tuple[str, int]] = []
        #: mode "writer": the full off-chain payloads this process submitted, by payload hash.
        self.payloads: dict[bytes, bytes] = {}
        if address is None:
            if mode not in enc.MODES:
                raise ValueError(f"mode must be one of {sorted(enc.MODES)}")
            if sender is None or issuer_key is None or len(bytes(issuer_key)) != 32:
                raise ValueError("deploying needs the writer (writer_key or sender) and the issuer's 32-byte key")
            factory = w3.eth.contract(abi=abi, bytecode=bytecode)
            salt = secrets.token_bytes(32)   # the ledger id is random at creation, as the SQLite ledger's
            receipt = self._transact(factory.constructor(enc.MODES[mode], sender, bytes(issuer_key), salt), "deploy",
                                     GAS["deploy"], replay=None)
            address = receipt.contractAddress
            self.deploy_gas = receipt.gasUsed
        self.contract = w3.eth.contract(address=address, abi=abi)
        self.address = self.contract.address
        try:
            self.mode = int(self.contract.functions.MODE().call())
            self.writer = self.contract.functions.WRITER().call()
            self.issuer_key = bytes(self.contract.functions.ISSUER().call())
            self.tag = bytes(self.contract.functions.LEDGER_TAG().call())
            salt = bytes(self.contract.functions.SALT().call())
        except Exception as exc:  # no contract there, or another one
            raise LedgerCorrupted(f"no MultiTxLedger at {address}: {exc}") from None
        self.mode_name = enc.MODE_NAMES.get(self.mode, "?")
        self.chain_id = int(w3.eth.chain_id)
        expected = enc.ledger_tag(self.chain_id, bytes.fromhex(self.address[2:]), self.mode,
                                  bytes.fromhex(self.writer[2:]), self.issuer_key, salt)
        if self.tag != expected:
            raise LedgerCorrupted(f"contract {self.address}: its ledger tag is not this code's "
                                  "(another contract or another encoding)")
        if expect_ledger_id is not None and self.ledger_id != bytes(expect_ledger_id):
            raise LedgerCorrupted(f"contract {self.address} is ledger {self.ledger_id.hex()}, "
                                  f"not the expected {bytes(expect_ledger_id).hex()}")
        self._ctx = rules.LedgerContext(self.group, self.ledger_id, self.issuer_key)
        self._abi_events = {bytes(w3.keccak(text=_event_signature(e))): e["name"] for e in abi if e["type"] == "event"}

    @classmethod
    def in_process(cls, mode: str = "writer", group: Group | None = None, issuer_key: bytes | None = None,
                   **kw: Any) -> "EvmLedger":
        """A fresh eth-tester chain (py-evm, Prague) in this process, with the contract deployed
        from the chain's first (unlocked) account.  Without ``issuer_key`` a fresh issuer is drawn
        and its private key kept in ``dev_issuer`` (tests, benchmarks)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider, Web3

        from protocols.ledger.transactions import raw_public_key

        w3 = Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))
        dev_issuer = None
        if issuer_key is None:
            dev_issuer = Ed25519PrivateKey.generate()
            issuer_key = raw_public_key(dev_issuer)
        ledger = cls(w3, mode=mode, group=group, sender=kw.pop("sender", w3.eth.accounts[0]), issuer_key=issuer_key,
                     **kw)
        ledger.dev_issuer = dev_issuer
        return ledger

    # -- identity ------------------------------------------------------------------------------
    @property
    def ledger_id(self) -> bytes:
        """The first 16 bytes of the deployment's tag (chain id, contract, mode, writer, issuer, salt)."""
        return enc.ledger_id(self.tag)

    @property
    def writer_key(self) -> bytes:
        """The writer's 20-byte address, left-padded to 32 bytes (a market file's ``ledger_writer``)."""
        return bytes(12) + bytes.fromhex(self.writer[2:])

    def payment_scheme(self):
        """How holders sign and prove for this deployment (see :mod:`protocols.ledger.evm.payment_scheme`)."""
        return StandardScheme() if self.mode == enc.MODES["writer"] else EvmScheme(self.tag, self.mode)

    def close(self) -> None:
        """Nothing to release (the chain is the node's); for ``with`` like the SQLite ledger."""

    def __enter__(self) -> "EvmLedger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- sending -------------------------------------------------------------------------------
    def _transact(self, fn: Any, what: str, gas: int, replay: Callable[[int], Any] | None,
                  sender: str | None = None) -> Any:
        sender = sender or self.sender
        if sender is None:
            raise LedgerRejected("writer", f"{what}: this handle reads the ledger; only the writer sends")
        if self._account is not None and sender == self._account.address:
            tx = fn.build_transaction({"from": sender, "gas": gas, "chainId": self.w3.eth.chain_id,
                                       "nonce": self.w3.eth.get_transaction_count(sender, "pending")})
            tx_hash = self.w3.eth.send_raw_transaction(self._account.sign_transaction(tx).raw_transaction)
        else:
            tx_hash = fn.transact({"from": sender, "gas": gas})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=600)
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
        params = {"from": sender or self.sender, "gas": gas}
        receipt = self._transact(fn, fn_name, gas, lambda block: fn.call(params, block_identifier=block), sender)
        self.gas_log.append((fn_name, receipt.gasUsed))
        return receipt

    # -- state views ---------------------------------------------------------------------------
    def account_state(self, account_id: str) -> AccountState | None:
        """AccountState or None; ``public_key``: compressed secp256k1 (modes 1, 2) or Ed25519 (mode 3)."""
        try:
            key = enc.account_key(account_id)
        except ValueError:
            return None
        _owner, pk, cm, nonce, exists = self.contract.functions.accounts(key).call()
        return AccountState(account_id, bytes(pk), enc.point_bytes(cm), int(nonce)) if exists else None

    def account(self, account_id: str) -> AccountState:
        st = self.account_state(account_id)
        if st is None:
            raise LedgerRejected("unknown-account", f"account {account_id!r} does not exist")
        return st

    def _operator_pk(self, operator_id: str) -> bytes | None:
        try:
            key = enc.operator_key(operator_id)
        except ValueError:
            return None
        pk = bytes(self.contract.functions.operators(key).call())
        return None if pk == enc.ZERO32 else pk

    def operator_key(self, operator_id: str) -> bytes:
        pk = self._operator_pk(operator_id)
        if pk is None:
            raise LedgerRejected("unknown-operator", f"operator {operator_id!r} is not registered")
        return pk

    def roots(self, operator_id: str) -> list[SignedRoot]:
        return [SignedRoot.from_bytes(bytes.fromhex(e.payload["signed_root"])) for e in self.entries()
                if e.kind == "publish_root" and e.payload["operator_id"] == operator_id]

    def latest_root(self, operator_id: str) -> SignedRoot:
        """The newest root in the logs, which must be the one whose hash the contract stores."""
        try:
            key = enc.operator_key(operator_id)
        except ValueError:
            key = None
        if key is None or self.contract.functions.root_count(key).call() == 0:
            raise LedgerRejected("no-root", f"operator {operator_id!r} has published no root")
        stored = bytes(self.contract.functions.latest_root(key).call()[0])
        latest = self.roots(operator_id)[-1]
        if enc._sha(latest.to_bytes()) != stored:
            raise LedgerCorrupted(f"operator {operator_id!r}: the logs' latest root is not the stored one")
        return latest

    def head(self) -> tuple[int, bytes]:
        return int(self.contract.functions.seq().call()), bytes(self.contract.functions.head().call())

    # -- writes --------------------------------------------------------------------------------
    def _check(self, kind: str, payload: dict) -> dict:
        """The SQLite ledger's rules on the canonical bytes of ``payload`` (what the writer checks)."""
        try:
            parsed = parse_canonical(canonical_json(payload))
        except ValueError as exc:
            raise LedgerRejected("malformed", str(exc)) from None
        rules.check_entry(self._ctx, _ChainView(self), kind, parsed)
        return parsed

    def register_operator(self, registration: OperatorRegistration) -> int:
        self._check("register_operator", rules.encode_operator(registration))
        self._send("registerOperator", enc.operator_key(registration.operator_id), registration.operator_id,
                   registration.public_key, registration.issuer_signature, gas=GAS["registerOperator"])
        return self.head()[0]

    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        # operator id, ledger id, Ed25519 signature, epoch and timestamp, as the SQLite ledger checks
        self._check("publish_root", rules.encode_root(operator_id, signed_root))
        raw = signed_root.to_bytes()
        self._send("publishRoot", enc.operator_key(operator_id), signed_root.epoch, signed_root.timestamp, raw,
                   gas=GAS["publishRoot"](len(raw)))
        return self.head()[0]

    def open_account(self, opening: AccountOpening) -> int:
        """Mode "writer": the SQLite rules (Ed25519 key, SHAKE zkpNN).  Modes 1/2: a secp256k1 key,
        the compact range proof (checked on chain in mode 1, here in mode 2) and the consent
        signature; the issuer's Ed25519 signature in every mode (here and by every reader)."""
        if self.mode == enc.MODES["writer"]:
            self._check("open_account", rules.encode_account(opening))
            self._send("openAccount", enc.account_key(opening.account_id), opening.account_id, enc.ZERO_ADDRESS,
                       opening.public_key, list(enc.point_words(opening.balance_commitment)), opening.to_bytes(),
                       gas=GAS["openAccount"](len(opening.to_bytes())))
            return self.head()[0]
        if type(opening) is not AccountOpening:
            raise LedgerRejected("malformed", "open_account takes an issuance.AccountOpening")
        owner = self._check_evm_opening(opening, _ChainView(self), check_proof=self.mode != enc.MODES["onchain"])
        args = (enc.account_key(opening.account_id), opening.account_id, self.w3.to_checksum_address(owner),
                opening.public_key, list(enc.point_words(opening.balance_commitment)))
        if self.mode == enc.MODES["onchain"]:
            try:
                proof = _range_abi(opening.balance_proof)
            except ValueError as exc:
                raise LedgerRejected("balance-proof", f"{opening.account_id!r}: {exc}") from None
            blob = _without_proof(opening).to_bytes()   # the proof travels once, as the struct
            self._send("openAccountProved", *args, proof, blob, gas=GAS["openAccountProved"])
        else:
            blob = opening.to_bytes()
            self._send("openAccount", *args, blob, gas=GAS["openAccount"](len(blob)))
        return self.head()[0]

    def _check_evm_opening(self, o: AccountOpening, view: Any, check_proof: bool, check_sigs: bool = True) -> str:
        """Modes 1/2: shape, key, point, duplicates, issuer and consent signatures, (mode 2) the range
        proof; returns the owner address (0x…).  Also what a reader runs on a recorded opening."""
        try:
            enc.account_key(o.account_id)
            owner = "0x" + scheme.address_of(o.public_key).hex()
        except (ValueError, TypeError) as exc:
            raise LedgerRejected("malformed", f"account opening: {exc}") from None
        if len(o.public_key) != 33:
            raise LedgerRejected("malformed", "an EVM account key is a 33-byte compressed secp256k1 key")
        try:
            cm = self.group.decode(o.balance_commitment).to_bytes()
        except (ValueError, TypeError) as exc:
            raise LedgerRejected("bad-commitment", f"balance commitment: {exc}") from None
        if cm != o.balance_commitment:
            raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding")
        if view.account_state(o.account_id) is not None:
            raise LedgerRejected("duplicate-account", f"account {o.account_id!r} already exists")
        if check_sigs:
            if not verify_ed25519(self.issuer_key, o.issuer_signature,
                                  issuance_message(self.ledger_id, o.account_id, o.public_key, cm)):
                raise LedgerRejected("issuer-signature", f"the opening balance of {o.account_id!r} is not "
                                                         f"authorised by the ledger's issuer key")
            signer = scheme.recover(consent_digest(self.ledger_id, o.account_id, o.public_key, cm),
                                    o.account_signature)
            if signer is None or "0x" + signer.hex() != owner:
                raise LedgerRejected("account-signature", f"the opening of {o.account_id!r} is not signed by the "
                                                          f"account's key")
        if check_proof:
            ctx = enc.open_context(self.tag, o.account_id, bytes.fromhex(owner[2:]), cm)
            try:
                ok = evm_proofs.verify_range(self.group, self.group.decode(cm), o.balance_proof, SOLVENCY_BITS, ctx)
            except ValueError:
                ok = False
            if not ok:
                raise LedgerRejected("balance-proof", f"the range proof of {o.account_id!r}'s opening balance fails")
        return owner

    def _check_ledger_id(self, mtx: MultiTransaction) -> None:
        if bytes(getattr(mtx, "ledger_id", b"")) != self.ledger_id:
            raise LedgerRejected("ledger-id", f"the transaction was made for ledger "
                                              f"{bytes(getattr(mtx, 'ledger_id', b'')).hex()}, not this ledger "
                                              f"({self.ledger_id.hex()})")

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
        if type(mtx) is not MultiTransaction:
            raise LedgerRejected("malformed", "submit_multi_transaction takes a transactions.MultiTransaction")
        if not 1 <= len(mtx.transfers) <= enc.MAX_TRANSFERS:
            raise LedgerRejected("malformed", f"the contract takes 1..{enc.MAX_TRANSFERS} transfers per batch, "
                                              f"not {len(mtx.transfers)}")
        self._check_ledger_id(mtx)
        if self.mode == enc.MODES["writer"]:
            return self._submit_relayed(mtx)
        args = self.batch_args(mtx)
        for i in range(len(args["proofs"])):
            self.prove_solvency_on_chain(args, i)
        return self.execute(args)

    def _submit_relayed(self, mtx: MultiTransaction) -> int:
        parsed = self._check("multi_transaction", rules.encode_mtx(mtx))  # the writer's checks, as in SQLite
        payload = canonical_json(parsed)
        ph = enc.payload_hash(payload)
        transfers = [t.as_abi() for t in scheme.chain_transfers(mtx)]
        self._send("executeRelayed", transfers, enc.context_hash(mtx.context), ph,
                   gas=GAS["executeRelayed"](len(transfers)))
        self.payloads[ph] = payload
        return self.head()[0]

    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        body = canonical_json(self._check("decision", rules.encode_decision(kind, payload))["payload"])
        if len(body) > 8192:
            raise LedgerRejected("decision", "decision payload longer than 8192 bytes")
        self._send("recordDecision", kind, body, gas=GAS["recordDecision"](len(body)))
        return self.head()[0]

    # -- history -------------------------------------------------------------------------------
    def _logs(self) -> list[dict]:
        """Every event of the contract, decoded, in chain order."""
        raw = self.w3.eth.get_logs({"address": self.address, "fromBlock": 0, "toBlock": "latest"})
        out = []
        for log in raw:
            name = self._abi_events.get(bytes(log["topics"][0]))
            if name is not None:
                out.append(getattr(self.contract.events, name)().process_log(log))
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
                               "contract": self.address, "chain_id": self.chain_id, "ledger_id": self.ledger_id.hex(),
                               "writer": self.writer, "issuer_key": self.issuer_key.hex(), "tag": self.tag.hex()}
                    entries.append((Entry(0, "genesis", payload, bytes(32), h, b""), {}))
                    continue
                if seq != len(entries) or kind not in KIND_NAMES or pending is None or pending["kind"] != kind:
                    raise LedgerCorrupted("entry out of order or without its data", seq)
                if _digest_of(kind, pending["args"], self.tag) != digest:
                    raise LedgerCorrupted("the entry's digest does not match its data", seq)
                if enc.next_head(prev, seq, kind, digest) != h:
                    raise LedgerCorrupted("the hash chain is broken", seq)
                entries.append((Entry(seq, KIND_NAMES[kind], _payload_of(kind, pending["args"], op_ids), prev, h,
                                      b""), pending["args"]))
                prev, pending = h, None
            elif name in _EVENT_KIND:
                if name == "OperatorRegistered":
                    op_ids[bytes(a["operator"])] = a["operator_id"]
                if name == "AccountOpened":
                    acct_ids[bytes(a["account"])] = a["account_id"]
                a["_ids"] = acct_ids
                a["_tx"] = ev["transactionHash"]
                pending = {"kind": _EVENT_KIND[name], "args": a}
        if not entries:
            raise LedgerCorrupted("no genesis entry")
        return entries

    def entries(self) -> list[Entry]:
        """The history from the logs (an entry's ``signature`` is empty: on a chain, an entry is
        authentic by its inclusion in a block, sent by WRITER, which the contract checked)."""
        return [e for e, _ in self._history()]

    def verify_chain(self, check_proofs: bool = True) -> None:
        """Digests and hash chain from the logs up to the contract's head; a replay of the state
        under the acceptance rules compared with storage; with ``check_proofs`` every issuer,
        consent and root signature, and in modes 1/2 every batch signature and zero-sum proof
        (from the transactions' calldata), checked again.  Mode 2's range proofs are not on
        chain (the co-signers attested to them); mode 3's batch payloads are checked only when
        this handle submitted them (they live with the writer)."""
        from protocols.ledger.rules import MemoryState

        history = self._history()
        seq, h = self.head()
        if (history[-1][0].seq, history[-1][0].hash) != (seq, h):
            raise LedgerCorrupted(f"the logs end at entry {history[-1][0].seq}, the contract's head is {seq}")
        state = MemoryState()
        for e, args in history[1:]:
            try:
                self._replay(e, args, state, check_proofs)
            except LedgerRejected as exc:
                raise LedgerCorrupted(f"a recorded {e.kind} breaks a rule: {exc}", e.seq) from None
        for aid, st in state.accounts.items():
            if self.account(aid) != st:
                raise LedgerCorrupted(f"account {aid!r}: storage disagrees with the replayed history")
        for oid, pk in state.operators.items():
            if self._operator_pk(oid) != pk:
                raise LedgerCorrupted(f"operator {oid!r}: storage disagrees with the history")

    def _replay(self, e: Entry, args: dict, state: Any, check_proofs: bool) -> None:
        p = e.payload
        if e.kind == "register_operator":
            state.apply(rules.check_entry(self._ctx, state, e.kind, p, check_proofs))
        elif e.kind == "publish_root":
            state.apply(rules.check_entry(self._ctx, state, e.kind, p, check_proofs))
        elif e.kind == "open_account":
            o = self._recorded_opening(args)
            if (o.account_id, o.public_key.hex(), o.balance_commitment.hex()) != \
                    (p["account_id"], p["public_key"], p["balance_commitment"]):
                raise LedgerRejected("malformed", "the recorded opening differs from the opened account")
            if self.mode == enc.MODES["writer"]:
                state.apply(rules.check_entry(self._ctx, state, e.kind, rules.encode_account(o), check_proofs))
            else:
                # mode 1: the contract checked the range proof; it is re-checked here too
                self._check_evm_opening(o, state, check_proof=check_proofs, check_sigs=check_proofs)
                state.apply([rules.NewAccount(AccountState(o.account_id, o.public_key, o.balance_commitment, 0))])
        elif e.kind == "multi_transaction":
            ph = bytes.fromhex(p["attest"])
            if check_proofs and self.mode == enc.MODES["writer"] and ph in self.payloads:
                rules.check_entry(self._ctx, state, e.kind, parse_canonical(self.payloads[ph]), True)
            if check_proofs and self.mode != enc.MODES["writer"]:
                self._deep_check_batch(e, args, state)
            effects = []
            for t in p["transfers"]:
                st = state.account_state(t["account_id"])
                if st is None or st.nonce != p["nonces"][t["account_id"]]:
                    raise LedgerRejected("nonce", f"account {t['account_id']!r}")
                new = self.group.decode(st.balance_commitment) - self.group.decode(bytes.fromhex(t["amount_commitment"]))
                effects.append(rules.AccountUpdate(st.account_id, new.to_bytes(), st.nonce + 1))
            state.apply(effects)

    def _calldata(self, args: dict) -> dict:
        tx = self.w3.eth.get_transaction(args["_tx"])
        return self.contract.decode_function_input(tx["input"])[1]

    def _recorded_opening(self, args: dict) -> AccountOpening:
        """The full opening a recorded account was opened with, from its transaction's calldata."""
        inputs = self._calldata(args)
        blob = bytes(inputs["opening"])
        if enc._sha(blob) != bytes(args["opening"]):
            raise LedgerRejected("malformed", "the opening in the calldata is not the recorded one")
        try:
            o = AccountOpening.from_bytes(blob)
        except ValueError as exc:
            raise LedgerRejected("malformed", f"recorded opening: {exc}") from None
        if "proof" in inputs:  # mode 1: the proof went as the struct
            o = AccountOpening(o.account_id, o.public_key, o.balance_commitment, _range_bytes(inputs["proof"]),
                               o.account_signature, o.issuer_signature)
        return o

    def _deep_check_batch(self, e: Entry, args: dict, state: Any) -> None:
        inputs = self._calldata(args)
        digest = bytes(args["digest"])
        ts = [_transfer(t) for t in inputs["transfers"]]
        d = self.group.lincomb([self.group.decode(enc.point_bytes(t.cm)) for t in ts], [1] * len(ts))
        sp = b"".join(int(x).to_bytes(32, "big") for x in inputs["sum_proof"])
        if not evm_proofs.verify_zero_sum(self.group, d, sp, digest):
            raise LedgerRejected("sum-proof", "a recorded batch's zero-sum proof does not verify")
        for t, ref, sg in zip(ts, e.payload["transfers"], inputs["signatures"]):
            v, r, s = (sg["v"], sg["r"], sg["s"]) if hasattr(sg, "keys") else sg
            sig = int(r).to_bytes(32, "big") + int(s).to_bytes(32, "big") + bytes([int(v)])
            signer = scheme.recover(digest, sig)
            st = state.account_state(ref["account_id"])
            if signer is None or st is None or signer != scheme.address_of(st.public_key):
                raise LedgerRejected("signature", f"a recorded signature of {ref['account_id']!r} does not verify")


def _without_proof(o: AccountOpening) -> AccountOpening:
    return AccountOpening(o.account_id, o.public_key, o.balance_commitment, b"", o.account_signature,
                          o.issuer_signature)


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


def _range_bytes(struct: Any) -> bytes:
    """Inverse of :func:`_range_abi` (a decoded RangeProof struct back to the compact bytes)."""
    if hasattr(struct, "keys"):
        struct = (struct["c"], struct["bits"], struct["c0"], struct["z0"], struct["z1"], struct["zl"])
    c, pts, c0, z0, z1, zl = struct
    words = [c, *[x for pt in pts for x in pt], *c0, *z0, *z1, zl]
    return b"".join(int(x).to_bytes(32, "big") for x in words)


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
    sha = enc._sha
    if kind == 1:
        return sha(bytes(a["operator"]), bytes(a["public_key"]), bytes(a["issuer_signature"]))
    if kind == 2:
        return sha(bytes(a["operator"]), _w(a["epoch"]), _w(a["timestamp"]), sha(bytes(a["signed_root"])))
    if kind == 3:
        owner = bytes(12) + bytes.fromhex(a["owner"][2:])
        return sha(bytes(a["account"]), owner, sha(bytes(a["public_key"])), _w(a["cm"][0]), _w(a["cm"][1]),
                   bytes(a["opening"]))
    if kind == 4:
        ts = [_transfer(t) for t in a["transfers"]]
        return enc.body_digest(tag, ts, bytes(a["context"]), bytes(a["attest"]))
    return sha(sha(a["kind"].encode("utf-8")), sha(bytes(a["payload"])))


def _payload_of(kind: int, a: dict, op_ids: dict[bytes, str]) -> dict:
    """An entry's payload; for operators and roots exactly the SQLite ledger's (rules.encode_*)."""
    if kind == 1:
        return {"operator_id": a["operator_id"], "public_key": bytes(a["public_key"]).hex(),
                "issuer_signature": bytes(a["issuer_signature"]).hex()}
    if kind == 2:
        sr = SignedRoot.from_bytes(bytes(a["signed_root"]))
        return rules.encode_root(op_ids[bytes(a["operator"])], sr)
    if kind == 3:
        return {"account_id": a["account_id"], "owner": a["owner"], "public_key": bytes(a["public_key"]).hex(),
                "balance_commitment": enc.point_bytes(a["cm"]).hex(), "opening_hash": bytes(a["opening"]).hex()}
    if kind == 4:
        ids = a.get("_ids", {})
        ts = [_transfer(t) for t in a["transfers"]]
        return {"digest": bytes(a["digest"]).hex(), "context_hash": bytes(a["context"]).hex(),
                "attest": bytes(a["attest"]).hex(),
                "transfers": [{"account": t.account.hex(), "account_id": ids.get(t.account, t.account.hex()),
                               "amount_commitment": enc.point_bytes(t.cm).hex()} for t in ts],
                "nonces": {ids.get(t.account, t.account.hex()): t.nonce for t in ts}}
    return {"kind": a["kind"], "payload": json.loads(bytes(a["payload"]).decode("ascii"))}
