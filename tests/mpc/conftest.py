"""Fixtures shared by the MASCOT tests."""
import pytest

from mpc.mascot.backend import MascotPreprocessing


@pytest.fixture(scope="module")
def small_mascot_batches():
    """Tests ask for a handful of items: let MASCOT batches start small (same code paths;
    production starts at 64 and doubles)."""
    saved = MascotPreprocessing.MIN_BATCH
    MascotPreprocessing.MIN_BATCH = {"triple": 8, "bit": 8, "mask": 8}
    yield
    MascotPreprocessing.MIN_BATCH = saved
