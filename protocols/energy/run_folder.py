"""Where each role of a group purchase keeps its files, so that no household's process
needs to read another household's secrets.

    <root>/public/market.json          the public market description (operator writes, all read)
    <root>/ledger/                     the ledger service: its copy of the ledger (ledger.sqlite) and its
                                       writer and issuer keys (writer.key, issuer.key; mode 0600)
    <root>/public/ledger.json          only when the ledger is an EVM chain (--ledger evm): where the
                                       chain's node answers and which contract is the ledger
                                       (protocols.ledger.evm.node writes it; every role reads it)
    <root>/operator/operator.key       the operator's signing key (operator only)
    <root>/households/<id>/            one household's home (mode 0700):
        receipts.json                  its receipts from the operator (mode 0600)
        wallet.json                    its account key, balance opening, issuance (mode 0600)
        ledger.sqlite, ledger.pin      its own verified replica of the ledger and the head it pinned
    <root>/servers/<i>/                computing party i of the client mode (ledger replica and pin)

With an EVM ledger, the ledger service's keys are evm-writer.key (secp256k1: the writer's
Ethereum account) and issuer.key, in <root>/ledger/ as well; the chain is served by a node
process that party 0 starts (protocols.energy.run --ledger evm), and every household reads
the contract's storage and logs itself instead of keeping a replica file.

The ledger service is emulated on one machine by the processes that call it: the operator
(to publish its root), `protocols.energy.accounts open` (the token issuer opening a
household's account) and, during a session, party 0, which holds the writer key and sends
every new entry to the other households' replicas (protocols.ledger.replica).

On one machine all processes run as one OS user, so the modes keep other users out, not
other households; the separation that matters here is that a household's process is
given only its own home, and nothing it writes or reads holds another household's data
(tests/energy_private/test_roles_apart.py checks that by scanning the files).
"""
from __future__ import annotations

import os
from pathlib import Path

from protocols.energy.market import check_id


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with the last component readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class RunFolder:
    """Paths of one run folder (nothing is created until asked for)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def ledger(self) -> Path:
        """The ledger service's (the writer's) copy."""
        return self.ledger_dir / "ledger.sqlite"

    @property
    def writer_key(self) -> Path:
        return self.ledger_dir / "writer.key"

    @property
    def market(self) -> Path:
        return self.root / "public" / "market.json"

    @property
    def operator_dir(self) -> Path:
        return self.root / "operator"

    @property
    def operator_key(self) -> Path:
        return self.operator_dir / "operator.key"

    def home(self, household: str) -> Path:
        return self.root / "households" / check_id(household, "household id")

    def receipts(self, household: str) -> Path:
        return self.home(household) / "receipts.json"

    def wallet(self, household: str) -> Path:
        return self.home(household) / "wallet.json"

    def server_home(self, party: int) -> Path:
        """A computing party's folder in the client mode (its ledger replica and pin)."""
        return self.root / "servers" / str(int(party))

    def replica(self, household: str) -> Path:
        return self.home(household) / "ledger.sqlite"

    def pin(self, household: str) -> Path:
        return self.home(household) / "ledger.pin"

    # -- an EVM chain instead of the SQLite file ---------------------------------------------
    @property
    def evm_announcement(self) -> Path:
        return self.root / "public" / "ledger.json"

    @property
    def evm_writer_key(self) -> Path:
        return self.ledger_dir / "evm-writer.key"

    def evm_chain(self) -> dict | None:
        """The announced chain (url, contract, mode, ledger id, …), or None for the SQLite ledger."""
        if not self.evm_announcement.exists():
            return None
        from mpc.cli import CliError, read_json_file

        try:
            ann = read_json_file(self.evm_announcement, "ledger announcement")
        except CliError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(ann, dict) or not all(isinstance(ann.get(k), str) for k in ("url", "contract", "mode")):
            raise ValueError(f"{self.evm_announcement}: not a ledger announcement (url, contract, mode)")
        if not ann["url"].startswith("http://127.0.0.1:"):
            raise ValueError(f"{self.evm_announcement}: the chain's node must be on 127.0.0.1")
        return ann

    def has_ledger(self) -> bool:
        return self.evm_announcement.exists() or self.ledger.exists()

    def open_evm(self, *, writer: bool, expect_ledger_id: bytes | None = None, group=None):
        """The announced chain's ledger: as its writer (the ledger service, party 0) or as a reader."""
        from protocols.ledger.evm import open_ledger

        ann = self.evm_chain()
        if ann is None:
            raise ValueError(f"{self.evm_announcement}: no EVM chain announced in this run folder")
        key = None
        if writer:
            key = bytes.fromhex(self.evm_writer_key.read_text(encoding="ascii").strip())
        return open_ledger(f"evm:{ann['mode']}:{ann['url']}#{ann['contract']}", group, writer_key=key,
                           expect_ledger_id=expect_ledger_id)

    def ledger_service(self, group=None):
        """(ledger, issuer key) of the run folder's ledger service, as its writer: the announced EVM
        chain, else the SQLite file (created with fresh writer and issuer keys on first use)."""
        from protocols.ledger.keys import load_key, open_local_writer

        if self.evm_chain() is not None:
            return self.open_evm(writer=True, group=group), load_key(self.ledger_dir / "issuer.key")
        return open_local_writer(self.ledger, group, key_dir=self.ledger_dir)
