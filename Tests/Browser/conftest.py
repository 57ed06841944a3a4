import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lsc_harness  # noqa: E402


@pytest.fixture
def cluster(request):
    """Nodes and publishers for one test, all stopped (by PID) afterwards."""
    c = lsc_harness.Cluster(request.node.name[:40])
    yield c
    c.close()


@pytest.fixture(scope="session")
def chrome():
    """One headless Chromium for the whole run."""
    driver = lsc_harness.chromium()
    yield driver
    driver.quit()
