"""Where each role of a group purchase keeps its files, so that no household's process
needs to read another household's secrets.

    <root>/public/market.json          the public market description (operator writes, all read)
    <root>/ledger.sqlite               the ledger (public; every entry verified on open)
    <root>/operator/operator.key       the operator's signing key (operator only)
    <root>/households/<id>/            one household's home (mode 0700):
        receipts.json                  its receipts from the operator (mode 0600)
        wallet.json                    its account key and balance opening (mode 0600)

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

    def __init__(self, root: str | os.PathLike, ledger: str | os.PathLike | None = None):
        self.root = Path(root)
        self.ledger = Path(ledger) if ledger is not None else self.root / "ledger.sqlite"

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
