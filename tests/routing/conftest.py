"""Fixtures for the routing tests: the routing benchmark folder vendored in the repository.

The data ships with the repository (``protocols/routing/data``), so a missing folder is a
broken checkout or installation and fails the tests instead of skipping them.
"""

from pathlib import Path

import pytest

from protocols.routing.benchmark_files import DATA_ENV_VAR, data_dir


@pytest.fixture(scope="session")
def routing_data() -> Path:
    folder = data_dir()
    if not (folder / "BKS.csv").is_file():
        pytest.fail(f"routing benchmark data not found at {folder} "
                    f"(expected the vendored protocols/routing/data, or a folder in ${DATA_ENV_VAR})")
    return folder
