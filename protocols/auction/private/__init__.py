"""Private double auctions: SPDZ computing parties, bidders as input-only clients
(mpc.client_input). `dantm` and `uniform_price` are the private twins of the reference
modules of the same name; `session` is one server's whole run, `local` runs servers and
bidders in one process, `bidders` is the bidders' side."""
