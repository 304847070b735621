"""The wide floor division of proportional sharing, on shares, against Python's //."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpc.local import run_parties
from mpc.comparison import divide_fits, floor_mul_div

C_BITS = 66


def _floor_mul_div(cs, num, den):
    async def prog(s):
        x = await s.input(0, cs if s.pid == 0 else None, len(cs))
        return await s.output_signed(await floor_mul_div(s, x, num, den, C_BITS))
    out = run_parties(2, prog)
    for r in out:
        if isinstance(r, BaseException):
            raise r
    return out[0]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(-(2**65) + 1, 2**65 - 1), min_size=1, max_size=3),
       st.integers(-(2**64) + 1, 2**64 - 1), st.integers(1, 2**64 - 1))
def test_floor_mul_div_is_exact_up_to_the_spec_bounds(cs, num, den):
    assert _floor_mul_div(cs, num, den) == [c * num // den for c in cs]


def test_split_path_is_needed_and_exact_at_the_extremes():
    den = 2**64 - 59
    assert not divide_fits_for(C_BITS + den.bit_length() + 1, den)
    cs = [2**65 - 1, -(2**65) + 1, -1, 0, 2**32 - 1]
    num = 2**64 - 3
    assert _floor_mul_div(cs, num, den) == [c * num // den for c in cs]


def divide_fits_for(k, d):
    class _S:  # the two attributes divide_fits reads
        security = 40

        class field:
            bits = 254
    return divide_fits(_S, k, d)


def test_too_wide_a_product_is_refused_before_any_message():
    with pytest.raises(ValueError, match="does not fit"):
        async def prog(s):
            x = await s.input(0, [1] if s.pid == 0 else None, 1)
            return await floor_mul_div(s, x, 3, 2**200 + 1, 200)
        out = run_parties(2, prog)
        for r in out:
            if isinstance(r, BaseException):
                raise r
