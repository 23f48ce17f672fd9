"""What the AWX readiness tests share: where the collection copy is, its tools, and the simulators.

The pipeline runs these tests on its temporary copy of the collection, laid out as
``<root>/ansible_collections/incident/ops``, and names ``<root>`` in
``INCIDENT_OPS_COLLECTIONS``.
"""

import os
import sys
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from simulators.stack import start_stack  # noqa: E402  pylint: disable=wrong-import-position

COLLECTION = TESTS.parent
CREDENTIAL_TYPES = COLLECTION / "extensions" / "awx" / "credential_types"


@pytest.fixture(scope="session")
def collections_root():
    root = os.environ.get("INCIDENT_OPS_COLLECTIONS")
    if not root or not (Path(root) / "ansible_collections" / "incident" / "ops").is_dir():
        pytest.fail("INCIDENT_OPS_COLLECTIONS must name the folder that holds ansible_collections/incident/ops")
    return Path(root)


@pytest.fixture(scope="session")
def tool():
    """The path of a command installed beside this Python (the test environment's bin folder)."""
    def find(name):
        path = Path(sys.executable).parent / name
        if not path.exists():
            pytest.fail("%s is not installed beside %s: see tests/requirements.txt" % (name, sys.executable))
        return str(path)
    return find


@pytest.fixture(scope="session")
def credential_types():
    """Each shipped credential type, keyed by the service it is for."""
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(CREDENTIAL_TYPES.glob("*.yml"))}


@pytest.fixture
def stack():
    """Every simulated service on free ports, fresh for each test."""
    running = start_stack(base_port=0)
    yield running
    running.stop()
