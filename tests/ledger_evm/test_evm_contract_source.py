"""The contract's constants are the project's BN254 parameters (runs without the evm extra)."""

from __future__ import annotations

import re

import py_ecc.optimized_bn128 as bn

from protocols.ledger.evm.contract import source
from zkp.groups import get_group


def _const(name: str) -> int:
    m = re.search(rf"^{name}: constant\(uint256\) = (\d+)$", source(), re.M)
    assert m, name
    return int(m.group(1))


def test_curve_constants_match_the_python_group():
    g = get_group("bn254")
    h = g.H.to_bytes()
    assert _const("P") == bn.field_modulus
    assert _const("Q") == bn.curve_order == g.order
    assert _const("TWO256_MOD_Q") == pow(2, 256, g.order)
    assert (_const("HX"), _const("HY")) == (int.from_bytes(h[:32], "big"), int.from_bytes(h[32:], "big"))
    assert g.G.to_bytes() == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    assert _const("SECP256K1_N_HALF") == 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141 // 2


def test_batch_bound_matches_the_adapter():
    from protocols.ledger.evm.encoding import MAX_TRANSFERS

    assert _const("MAX_TRANSFERS") == MAX_TRANSFERS


def test_pinned_compiler_and_evm_version():
    src = source()
    assert "#pragma version ~=0.4.3" in src and "#pragma evm-version prague" in src
