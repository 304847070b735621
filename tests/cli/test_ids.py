"""Ids that name files and folders (issue 13, class 1), checked in-process: the project's
two checks refuse everything that could escape a folder or span two lines."""
import pytest

from mpc.cli import CliError, safe_id


def test_market_ids_refuse_a_trailing_newline():
    """protocols/energy/market.py check_id matched with re.match and a pattern ending in '$',
    which also matches before a trailing newline: 'u1\\n' passed and named a folder."""
    from protocols.energy.market import check_id

    for bad in ("u1\n", "u1\n\n", "../u1", ".u1", "u" * 65, ""):
        with pytest.raises(ValueError):
            check_id(bad, "household id")
    assert check_id("u1", "household id") == "u1"


def test_safe_id_refuses_what_could_escape_a_folder():
    for bad in ("../../pwned", "a/b", "/tmp/x", ".", "..", ".hidden", "u1\n", "u\x00", "x" * 65, "", "a b", 7, None):
        with pytest.raises(CliError):
            safe_id(bad, "users[0].id")
    for good in ("u1", "household_7", "a.b-c", "_x", "9" * 64):
        assert safe_id(good, "id") == good
