"""``python -m protocols.energy.accounts``: a household buys tokens and opens its ledger account.

    python -m protocols.energy.accounts open --workdir RUN --household u1 --dollars 10000

The household's part: a fresh Ed25519 account key and the opening (balance, r) of its
committed balance, kept in its own home (wallet.json, mode 0600); nobody else sees the key.
The token issuer's part (the ledger service of the run folder): it sees the amount bought,
checks the commitment opens to it, signs the issuance, and the writer appends the opening
(account key's signature, range proof, issuer's signature) to the ledger. A household
that already has a wallet and an account is left as it is.
"""
from __future__ import annotations

import sys

from mpc.cli import ArgumentParser, CliError, bounded_float, fail
from protocols.energy.market import check_id
from protocols.energy.run_folder import RunFolder, private_dir

#: 2^64 n$ is the range the balance proofs cover
MAX_DOLLARS = 1.8e10


def open_account(folder: RunFolder, household: str, balance: int) -> str:
    """Create the household's wallet (if absent) and its account on the ledger (if absent);
    returns what was done."""
    from protocols.energy.private.wallet import Wallet
    from protocols.ledger import LedgerRejected, authorise_issuance
    from protocols.ledger.evm.payment_scheme import payment_scheme

    path = folder.wallet(household)
    if not folder.has_ledger():
        raise CliError(f"--workdir {folder.root}: no ledger yet (the operator publishes first)")
    ledger, issuer = folder.ledger_service()
    scheme = payment_scheme(ledger)   # the account key the ledger checks (Ed25519, or secp256k1 on an EVM)
    with ledger:
        try:
            existing = ledger.account(household)
        except LedgerRejected:
            existing = None
        if path.exists():
            wallet = Wallet.load(path)
            if existing is not None:
                if existing.public_key != scheme.public_key(wallet.signing_key):
                    raise CliError(f"account {household!r} exists on the ledger with another key than its wallet's")
                return "wallet and account exist"
        else:
            if existing is not None:
                raise CliError(f"account {household!r} exists on the ledger but its wallet {path} is missing")
            private_dir(path.parent)
            wallet = Wallet.fresh(ledger.group, household, balance)
        wallet.issuance = authorise_issuance(issuer, ledger.group, ledger.ledger_id, household,
                                             scheme.public_key(wallet.signing_key), wallet.balance, wallet.r_balance)
        wallet.save(path)
        ledger.open_account(scheme.open_account_request(ledger.group, ledger.ledger_id, household,
                                                        wallet.signing_key, wallet.balance, wallet.r_balance,
                                                        wallet.issuance))
    return f"opened with {wallet.balance / 1e9:.2f} $"


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="python -m protocols.energy.accounts",
                       description="Open a household's token account on the run folder's ledger.",
                       epilog="Exit status: 0 success, 2 bad usage or input.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{open}")
    o = sub.add_parser("open", help="create the household's wallet and open its account",
                       description=__doc__.split("\n\n")[1])
    o.add_argument("--workdir", required=True, metavar="DIR", help="run folder (the operator has published)")
    o.add_argument("--household", required=True, help="household id (as in the market file)")
    o.add_argument("--dollars", type=bounded_float(0.0, MAX_DOLLARS, what="dollars"), default=10_000.0,
                   help=f"tokens bought, in dollars (at most {MAX_DOLLARS:g}; default 10000)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_id(args.household, "--household")
        done = open_account(RunFolder(args.workdir), args.household, int(args.dollars * 10**9))
    except (CliError, ValueError) as exc:
        return fail(exc)
    print(f"account {args.household}: {done}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
