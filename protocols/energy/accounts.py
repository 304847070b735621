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
#: --all: households whose openings the ledger checks in one batch
BATCH = 500


def ledger_service(folder: RunFolder):
    """The run folder's ledger as its writer and issuer (the operator has created it): the SQLite
    file, or the EVM chain the run folder announces."""
    if not folder.has_ledger():
        raise CliError(f"--workdir {folder.root}: no ledger yet (the operator publishes first)")
    return folder.ledger_service()


def open_account(folder: RunFolder, household: str, balance: int, ledger, issuer) -> str:
    """Create the household's wallet (if absent) and its account on the ledger (if absent);
    returns what was done."""
    done, request = prepare_account(folder, household, balance, ledger, issuer)
    if request is not None:
        ledger.open_account(request)
    return done


def open_accounts(folder: RunFolder, households: list[str], balance: int, ledger, issuer) -> list[str]:
    """open_account for several households (a simulation's --all), the ledger checking their
    range proofs in one batch where it can (SQLiteLedger.open_accounts)."""
    prepared = [prepare_account(folder, uid, balance, ledger, issuer) for uid in households]
    requests = [r for _, r in prepared if r is not None]
    if hasattr(ledger, "open_accounts"):
        ledger.open_accounts(requests)
    else:
        for r in requests:
            ledger.open_account(r)
    return [done for done, _ in prepared]


def prepare_account(folder: RunFolder, household: str, balance: int, ledger, issuer):
    """The household's wallet (created if absent, with the issuer's authorisation) and its
    account-opening request, or None when wallet and account exist; with what was done."""
    from protocols.energy.private.wallet import Wallet
    from protocols.ledger import LedgerRejected, authorise_issuance
    from protocols.ledger.evm.payment_scheme import payment_scheme

    scheme = payment_scheme(ledger)   # the account key the ledger checks (Ed25519, or secp256k1 on an EVM)
    path = folder.wallet(household)
    try:
        existing = ledger.account(household)
    except LedgerRejected:
        existing = None
    if path.exists():
        wallet = Wallet.load(path)
        if existing is not None:
            if existing.public_key != scheme.public_key(wallet.signing_key):
                raise CliError(f"account {household!r} exists on the ledger with another key than its wallet's")
            return "wallet and account exist", None
    else:
        if existing is not None:
            raise CliError(f"account {household!r} exists on the ledger but its wallet {path} is missing")
        private_dir(path.parent)
        wallet = Wallet.fresh(ledger.group, household, balance)
    wallet.issuance = authorise_issuance(issuer, ledger.group, ledger.ledger_id, household,
                                         scheme.public_key(wallet.signing_key), wallet.balance, wallet.r_balance)
    wallet.save(path)
    return f"opened with {wallet.balance / 1e9:.2f} $", scheme.open_account_request(
        ledger.group, ledger.ledger_id, household, wallet.signing_key, wallet.balance, wallet.r_balance,
        wallet.issuance)


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="python -m protocols.energy.accounts",
                       description="Open a household's token account on the run folder's ledger.",
                       epilog="Exit status: 0 success, 2 bad usage or input.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{open}")
    o = sub.add_parser("open", help="create the household's wallet and open its account",
                       description=__doc__.split("\n\n")[1])
    o.add_argument("--workdir", required=True, metavar="DIR", help="run folder (the operator has published)")
    who = o.add_mutually_exclusive_group(required=True)
    who.add_argument("--household", help="household id (as in the market file)")
    who.add_argument("--all", action="store_true",
                     help="simulations only: every household of the market file in this one process (a real "
                          "household opens its own account, so that no process holds another's key)")
    o.add_argument("--dollars", type=bounded_float(0.0, MAX_DOLLARS, what="dollars"), default=10_000.0,
                   help=f"tokens bought, in dollars (at most {MAX_DOLLARS:g}; default 10000)")
    return p


def households_to_open(folder: RunFolder, args) -> list[str]:
    """Every household of the market file (--all), or the one given, which must be one of them."""
    from protocols.energy.market import MarketFile

    uid = None if args.all else check_id(args.household, "--household")
    try:
        published = folder.market.is_file()
    except OSError as exc:   # e.g. a --workdir name longer than the file system allows
        raise CliError(f"--workdir {args.workdir}: {exc.strerror or exc}") from None
    if not published:
        raise CliError(f"--workdir {args.workdir}: no market file {folder.market} (the operator publishes first)")
    households = list(MarketFile.load(folder.market).info.user_ids)
    if uid is None:
        return households
    if uid not in households:
        raise CliError(f"--household {uid}: not a household of the market file {folder.market}")
    return [uid]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    folder = RunFolder(args.workdir)
    try:
        households = households_to_open(folder, args)
        ledger, issuer = ledger_service(folder)
        with ledger:
            if not args.all:
                done = open_account(folder, households[0], int(args.dollars * 10**9), ledger, issuer)
                print(f"account {households[0]}: {done}", file=sys.stderr)
            step = max(1, min(BATCH, len(households) // 10))
            for at in range(0, len(households) if args.all else 0, step):
                open_accounts(folder, households[at:at + step], int(args.dollars * 10**9), ledger, issuer)
                print(f"accounts: {min(at + step, len(households))}/{len(households)}", file=sys.stderr, flush=True)
    except (CliError, ValueError) as exc:
        return fail(exc)
    except OSError as exc:   # every file written is under --workdir
        return fail(f"--workdir {args.workdir}: {exc.strerror or exc}")
    if args.all:
        print(f"accounts of {len(households)} households ready", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
