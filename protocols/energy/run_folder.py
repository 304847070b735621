"""Where each role of a group purchase keeps its files, so that no household's process
needs to read another household's secrets.

    <root>/public/market.json          the public market description (operator writes, all read)
    <root>/ledger/                     the ledger service: its copy of the ledger (ledger.sqlite) and its
                                       writer and issuer keys (writer.key, issuer.key; mode 0600)
    <root>/operator/operator.key       the operator's signing key (operator only)
    <root>/households/<id>/            one household's home (mode 0700):
        receipts.json                  its receipts from the operator (mode 0600)
        wallet.json                    its account key, balance opening, issuance (mode 0600)
        ledger.sqlite, ledger.pin      its own verified replica of the ledger and the head it pinned
    <root>/servers/<i>/                computing party i of the client mode (ledger replica and pin)

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
