"""Double auctions: plaintext references (this package) and, later, private versions
(``private_*.py`` modules that reuse :mod:`.market_file` and mirror :mod:`.winner_determination`).

* :mod:`.market_file` — market/result JSON model and validation (shared by every CLI);
* :mod:`.winner_determination` — the per-round steps (breakeven index, valid prices, pricing);
* :mod:`.slot_literal` — the spec's loop transcribed literally (the oracle);
* :mod:`.order_book` — incremental sorted lists that make a slot O((n + m) log(n + m));
* :mod:`.dantm` — DANTM (CLI), :mod:`.dadpm` — DADPM, exact enumeration and privacy leakage;
* :mod:`.blockcom` — BlockCom's iterative double auction (CLI).
"""
