"""A verifying, append-only ledger for the market protocols (seed paper §4.1, Appendix D.2).

* :mod:`protocols.ledger.api`           — the interface (:class:`Ledger`) and its exceptions
* :mod:`protocols.ledger.transactions`  — multi-transactions with committed amounts, their proofs and signatures
* :mod:`protocols.ledger.rules`         — the acceptance rules, shared by writes and by replay on open
* :mod:`protocols.ledger.chain`         — the hash chain and the canonical payload encoding
* :mod:`protocols.ledger.sqlite_ledger` — the embedded default on SQLite
* ``python -m protocols.ledger.inspect PATH`` — verify a ledger file and print its entries
"""

from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.sqlite_ledger import SQLiteLedger, default_group
from protocols.ledger.transactions import MultiTransaction, Transfer

__all__ = ["AccountState", "Entry", "Ledger", "LedgerCorrupted", "LedgerRejected", "SQLiteLedger", "default_group",
           "MultiTransaction", "Transfer"]
