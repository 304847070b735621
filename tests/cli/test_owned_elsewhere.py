"""Findings of issue 13 in code owned by another engineer that an in-process test shows
(the subprocess ones are in cli_cases.py and test_sessions.py). Each is xfail(strict=True)
with what must change, so it flips when the owner fixes it."""
import pytest

from mpc.cli import CliError, safe_id
from tests.cli.cli_cases import LEAD


@pytest.mark.xfail(strict=True, reason=f"{LEAD}: protocols/energy/market.py check_id matches with re.match and a "
                                       "pattern ending in '$', which also matches before a trailing newline; use "
                                       "ID_PATTERN.fullmatch (as mpc.cli.safe_id does)")
def test_market_ids_refuse_a_trailing_newline():
    from protocols.energy.market import check_id

    with pytest.raises(ValueError):
        check_id("u1\n", "household id")


def test_safe_id_refuses_what_could_escape_a_folder():
    for bad in ("../../pwned", "a/b", "/tmp/x", ".", "..", ".hidden", "u1\n", "u\x00", "x" * 65, "", "a b", 7, None):
        with pytest.raises(CliError):
            safe_id(bad, "users[0].id")
    for good in ("u1", "household_7", "a.b-c", "_x", "9" * 64):
        assert safe_id(good, "id") == good
