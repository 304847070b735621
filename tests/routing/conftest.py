"""Fixtures for the routing tests: the public benchmark folder (skip cleanly when absent)."""

from pathlib import Path

import pytest

from protocols.routing.benchmark_files import DATA_ENV_VAR, data_dir


@pytest.fixture(scope="session")
def routing_data() -> Path:
    folder = data_dir()
    if not (folder / "BKS.csv").is_file():
        pytest.skip(f"routing benchmark data not found at {folder} (set ${DATA_ENV_VAR})")
    return folder
