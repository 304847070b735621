"""Gas of the energy stage-4 payment on the EVM ledger, modes (a) on-chain and (b) attested, vs the paper.

The group-purchasing paper runs its payments as an Ethereum contract and reports gas growing
linearly from 0.0437 ETH with 3 users to 0.3445 ETH with 27 users at 54 gwei, i.e. about
0.81M to 6.38M gas.  For each N this script deploys MultiTxLedger.vy in each mode on an
in-process py-evm chain (Prague), opens N accounts (10 000 $ each, in n$), and settles one
stage-4 payment: N net compensations φ_i summing to zero, each committed as Cm(φ_i), with
the zero-sum proof, every holder's secp256k1 signature and every holder's 64-bit range proof
that its new balance is non-negative.  It reports the gas of the payment (every transaction
it takes, 21,000 base gas each included), per user, and in ETH at 54 gwei.

Proof content per user:
* (a) on-chain: Cm(φ_i) (64 B), nonce, a 65-byte signature (ecrecover) and the compact 64-bit
  range proof on chain: 64 bit commitments, 64·3 responses, challenge and link response
  (10,304 B of calldata), verified with 258 ecMul and about 320 ecAdd in its own transaction;
* (b) attested: Cm(φ_i), nonce and the signature only; the range proofs are checked off chain
  by the co-signers, and the batch carries one 32-byte hash of them.
Per batch: the 64-byte zero-sum proof (2 ecMul, N ecAdd), the context hash.

    python -m benchmarks.ledger_gas --users 3,6,9,12,15,18,21,24,27 --json OUT.json --plot OUT.png

Closing note — measured with the command above, every row a full run (fresh chain, N fresh
accounts, one payment), benchmarks/results/ledger_gas.{json,png}; py-evm 0.12.1b1 Prague,
web3 8.0.0, vyper 0.4.3; 2 cores, load average 22–27 at the start and 5–6 at the end (gas
does not depend on load; it is deterministic up to a few dozen gas from encodings):

    N   (b) attested   per user   (a) on-chain   per user   paper (54 gwei)   per user
    3        207,874     69,291      6,343,149  2,114,383           809,259    269,753
    6        347,500     57,917     12,657,663  2,109,610         1,505,556    250,926
    9        487,162     54,129     19,012,905  2,112,545         2,201,852    244,650
   12        626,872     52,239     25,406,943  2,117,245         2,898,148    241,512
   15        766,498     51,100     31,841,913  2,122,794         3,594,444    239,630
   18        906,112     50,340     38,316,279  2,128,682         4,290,741    238,374
   21      1,045,762     49,798     44,829,477  2,134,737         4,987,037    237,478
   24      1,185,340     49,389     51,382,779  2,140,949         5,683,333    236,806
   27      1,325,050     49,076     57,977,577  2,147,318         6,379,630    236,283

(b) is one ``execute`` transaction of about 68k + 46.5k·N gas: 3.9–4.8× below the paper at
every N.  (a) costs 2.11–2.15M gas per user — 7.8–9.1× the paper — almost all of it the 64-bit
range proof: 258 ecMul at 6,000 gas (1.55M), its 10 KB of calldata (~165k) and ~320 ecAdd;
each proof is its own ``proveSolvency`` transaction (2.044M gas at N=3, growing by about 2.2k
gas per extra user because each carries the batch's transfers to recompute its digest, so
2.097M at N=27; far below the 30M block limit), plus one ``execute`` of 68k + 47.5k·N.  Opening
an account costs about 450k gas in mode (b) (the issuer-signed opening with its 10 KB range
proof is calldata) and is not part of the payment.
"""

from __future__ import annotations

import json
import random
import sys
import time

GWEI = 54
PAPER = {3: 0.0437, 27: 0.3445}  # ETH at 54 gwei, as reported
BALANCE = 10_000 * 10**9


def paper_gas(n: int) -> float:
    """The paper's linear growth through its two reported end points, in gas."""
    (n0, e0), (n1, e1) = sorted(PAPER.items())
    eth = e0 + (e1 - e0) * (n - n0) / (n1 - n0)
    return eth * 1e18 / (GWEI * 1e9)


#: what each user's part of the payment carries (the JSON states it beside the numbers)
PROOF_CONTENT = {
    "onchain": "Cm(phi_i) 64 B, nonce, 65-byte secp256k1 signature (ecrecover), 64-bit compact range proof "
               "(10,304 B calldata: 64 bit commitments, 192 responses, challenge, link response) verified on "
               "chain in its own proveSolvency transaction (258 ecMul, ~320 ecAdd, ~130 SHA-256)",
    "attested": "Cm(phi_i) 64 B, nonce, 65-byte secp256k1 signature (ecrecover) over a digest that includes "
                "the hash of every range proof; range proofs checked off chain by the co-signers",
}


def random_phis(n: int, rng: random.Random) -> list[int]:
    """Net compensations in n$ that sum to zero (payers and receivers), |φ| up to 50 $."""
    phis = [rng.randint(-50 * 10**9, 50 * 10**9) for _ in range(n - 1)]
    return phis + [-sum(phis)]


def measure(mode: str, n: int, rng: random.Random) -> dict:
    from protocols.ledger.evm import scheme
    from protocols.ledger.evm.ledger import EvmLedger

    from protocols.ledger import authorise_issuance

    ledger = EvmLedger.in_process(mode=mode)
    g = ledger.group
    holders = {}
    for i in range(n):
        h = scheme.EvmAccountHolder.fresh(g, f"user{i}", BALANCE)
        issued = authorise_issuance(ledger.dev_issuer, g, ledger.ledger_id, h.account_id, h.public_key, h.balance,
                                    h.r_balance)
        ledger.open_account(h.account_opening(g, ledger.tag, issued))
        holders[h.account_id] = h
    open_gas = sum(gas for _, gas in ledger.gas_log)
    phis = dict(zip(holders, random_phis(n, rng)))
    mtx, _ = scheme.build_evm_multi_transaction(g, ledger.tag, ledger.mode, holders, phis, {a: 0 for a in holders},
                                                {a: ledger.account(a).balance_commitment for a in holders},
                                                b"energy/stage4")
    ledger.gas_log.clear()
    t = time.perf_counter()
    ledger.submit_multi_transaction(mtx)
    seconds = time.perf_counter() - t
    txs = list(ledger.gas_log)
    total = sum(gas for _, gas in txs)
    prove = [gas for name, gas in txs if name == "proveSolvency"]
    return {"mode": mode, "users": n, "payment_gas": total, "gas_per_user": total / n,
            "solvency_proof_gas_each": prove, "proof_content_per_user": PROOF_CONTENT[mode],
            "payment_eth_at_54gwei": total * GWEI * 1e-9, "transactions": len(txs),
            "largest_transaction_gas": max(gas for _, gas in txs),
            "execute_gas": [gas for name, gas in txs if name == "execute"][0],
            "account_opening_gas_per_user": open_gas / n, "py_evm_seconds": round(seconds, 2),
            "paper_gas": round(paper_gas(n)), "paper_gas_per_user": round(paper_gas(n) / n)}


def plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5.6))
    ns = sorted({r["users"] for r in rows})
    labels = {"onchain": "(a) on-chain: per user a signature and a 64-bit range proof verified by the contract",
              "attested": "(b) attested: per user a signature; range proofs checked by the co-signers"}
    for mode, style in (("onchain", "o-"), ("attested", "s-")):
        rs = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["users"])
        if rs:
            ax1.plot([r["users"] for r in rs], [r["payment_gas"] / 1e6 for r in rs], style, label=labels[mode])
            ax2.plot([r["users"] for r in rs], [r["gas_per_user"] / 1e3 for r in rs], style, label=labels[mode])
    paper = "paper's contract (0.0437 ETH at N=3 → 0.3445 ETH at N=27, 54 gwei)"
    ax1.plot(ns, [paper_gas(n) / 1e6 for n in ns], "k--", label=paper)
    ax2.plot(ns, [paper_gas(n) / n / 1e3 for n in ns], "k--", label=paper)
    ax1.set(xlabel="users N in the group purchase", ylabel="gas of one stage-4 payment (millions, log)",
            yscale="log", title="Gas per payment (all its transactions)")
    ax2.set(xlabel="users N in the group purchase", ylabel="gas per user (thousands, log)", yscale="log",
            title="Gas per user")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")
    some = FuncFormatter(lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "235" else "")   # minor ticks 2, 3, 5 only
    for ax in (ax1, ax2):
        ax.set_xticks(ns)
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(some)
        ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.grid(True, which="both", alpha=0.3)
    handles, names = ax1.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=1, fontsize=8.5, frameon=False)
    fig.suptitle("MultiTxLedger.vy (Vyper 0.4.3, py-evm Prague, BN254 precompiles) vs the paper: one confidential "
                 "multi-transaction of N net compensations", fontsize=10)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    import os

    from mpc.cli import ArgumentParser, CliError, check_output_path, fail

    ap = ArgumentParser(prog="python -m benchmarks.ledger_gas", description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", default="3,6,9,12,15,18,21,24,27", help="comma-separated N values")
    ap.add_argument("--modes", default="attested,onchain", help="attested, onchain or both")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the rows here")
    ap.add_argument("--plot", help="write the figure here (PNG)")
    ap.add_argument("--from-json", metavar="FILE", help="plot (and print) the rows of an earlier --json run")
    args = ap.parse_args(argv)
    try:
        users = [int(x) for x in args.users.split(",") if x.strip()]
        modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    except ValueError:
        return fail("--users takes comma-separated integers")
    if not users or min(users) < 2 or max(users) > 128 or not modes or set(modes) - {"attested", "onchain"}:
        return fail("--users needs integers in 2..128; --modes is attested and/or onchain")
    try:
        for opt, path in (("--json", args.json), ("--plot", args.plot)):
            if path:
                check_output_path(path, opt)
    except CliError as exc:
        return fail(exc)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as f:
            rows = json.load(f)["rows"]
        for r in rows:
            _print_row(r)
        if args.plot:
            plot(rows, args.plot)
        return 0
    try:
        import web3  # noqa: F401
        import vyper  # noqa: F401
    except ImportError:
        return fail("this benchmark needs the evm extra: pip install -e '.[evm]'")
    rng = random.Random(args.seed)
    rows = []
    load_before = os.getloadavg()
    print(f"{'mode':9} {'N':>3} {'payment gas':>12} {'per user':>10} {'ETH@54gwei':>11} {'paper gas':>10} "
          f"{'txs':>4} {'largest tx':>11}")
    for mode in modes:
        for n in users:
            r = measure(mode, n, rng)
            rows.append(r)
            _print_row(r)
            if args.json:   # after every row: a long run that is stopped keeps what it measured
                _write(args.json, rows, load_before)
    if args.plot:
        plot(rows, args.plot)
    return 0


def _write(path: str, rows: list[dict], load_before: tuple) -> None:
    import os
    import platform
    from importlib.metadata import version

    meta = {"gwei": GWEI, "paper_eth": PAPER, "paper_note": "the paper's two reported end points (N=3, N=27), "
            "linear in between", "versions": {p: version(p) for p in ("web3", "vyper", "py-evm")},
            "evm": "prague (py-evm), BN254 precompiles 0x06/0x07 (EIP-1108 prices)",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "load_average_at_start": load_before, "load_average_at_end": os.getloadavg()},
            "note": "gas is deterministic up to a few dozen gas (signature and point encodings); the "
                    "py_evm_seconds are wall time on this machine under the load shown"}
    with open(path, "w", encoding="utf-8") as f:
        json.dump({**meta, "rows": rows}, f, indent=1)


def _print_row(r: dict) -> None:
    print(f"{r['mode']:9} {r['users']:3d} {r['payment_gas']:12,d} {r['gas_per_user']:10,.0f} "
          f"{r['payment_eth_at_54gwei']:11.4f} {r['paper_gas']:10,d} {r['transactions']:4d} "
          f"{r['largest_transaction_gas']:11,d}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
