"""Double auctions: plaintext references and their private versions side by side.

* :mod:`.market_file` — the DANTM market/result JSON model and validation (shared by every CLI);
* :mod:`.reference` — the plaintext mechanisms, the oracle of the private ones:
  :mod:`~.reference.dantm` (CLI), :mod:`~.reference.uniform_price` (uniform-price clearing on a
  price grid, CLI), :mod:`~.reference.winner_determination` (per-round steps),
  :mod:`~.reference.slot_literal` (the rule transcribed literally), :mod:`~.reference.order_book`,
  :mod:`~.reference.dadpm` (DADPM, exact enumeration and privacy leakage) and
  :mod:`~.reference.blockcom` (BlockCom's iterative double auction, CLI);
* :mod:`.private` — the same mechanisms computed by SPDZ servers with bidders as input-only
  clients: :mod:`~.private.dantm`, :mod:`~.private.uniform_price` (twins of the reference
  modules of the same name), :mod:`~.private.bidders` (the client side and a simulator CLI),
  :mod:`~.private.session` (one server's whole run), :mod:`~.private.local` (all in one process);
* :mod:`.run` — the private auction's command line (``python -m protocols.auction.run``).
"""
