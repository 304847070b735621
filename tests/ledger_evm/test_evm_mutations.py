"""Each rejection test depends on its check: delete the contract line tagged ``# check: NAME``
and the matching attack goes through (or, for the curve check, still fails but only by
burning the transaction's whole gas limit in a failing precompile)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from evm_attacks import ATTACKS  # noqa: E402

from protocols.ledger.api import LedgerRejected  # noqa: E402
from protocols.ledger.evm.contract import source  # noqa: E402
from protocols.ledger.evm.ledger import EvmLedger  # noqa: E402

#: tag in MultiTxLedger.vy → (mode to deploy, attacks that must now succeed)
MUTATIONS = {
    "nonce": ("attested", ["replay"]),
    "signature": ("attested", ["wrong_signature"]),
    "sum": ("attested", ["bad_sum_proof"]),
    "range": ("onchain", ["bad_range_proof", "overdraft"]),
    "solvent-flag": ("onchain", ["unproven_batch"]),
    "duplicate": ("attested", ["duplicate_transfer"]),
    "open-point": ("attested", ["invalid_opening_point"]),
    "writer": ("attested", ["not_the_writer"]),
    "root-epoch": ("attested", ["stale_root"]),
}


def without_check(tag: str) -> str:
    """The contract source with the one assert tagged ``# check: tag`` replaced by ``pass``."""
    pattern = re.compile(rf"^(\s*)assert .*# check: {re.escape(tag)}$", re.M)
    src, count = pattern.subn(r"\1pass", source())
    assert count == 1, f"{count} lines tagged {tag!r}"
    return src


def test_every_tagged_check_has_a_mutation_test():
    tags = set(re.findall(r"# check: ([\w-]+)$", source(), re.M))
    assert tags == set(MUTATIONS) | {"point"}


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("tag", sorted(MUTATIONS))
def test_attack_succeeds_without_its_check(tag):
    mode, attacks = MUTATIONS[tag]
    ledger = EvmLedger.in_process(mode=mode, contract_source=without_check(tag))
    for name in attacks:
        ATTACKS[name][0](ledger)  # no LedgerRejected: the removed check was the one refusing it


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_without_the_curve_check_an_invalid_point_burns_the_gas_limit():
    ledger = EvmLedger.in_process(mode="attested", contract_source=without_check("point"))
    with pytest.raises(LedgerRejected) as info:
        ATTACKS["invalid_point"][0](ledger)
    assert info.value.reason != "bad-commitment"
    limit = ledger.w3.eth.get_transaction(ledger.last_receipt.transactionHash)["gas"]
    assert ledger.last_receipt.gasUsed >= limit * 63 // 64 - 50_000, (ledger.last_receipt.gasUsed, limit)
