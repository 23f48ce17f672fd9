"""What the playbook-level hardening tests share: the collection copy, ansible-playbook, and the simulators.

The pipeline runs these tests on its temporary copy of the collection, laid out as
``<root>/ansible_collections/incident/ops``, and names ``<root>`` in
``INCIDENT_OPS_COLLECTIONS``. Each test runs real ``ansible-playbook`` processes
against simulators started in this process, so it can read and change their state.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from simulators.stack import start_stack  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
                   r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
                   re.MULTILINE)


@pytest.fixture(scope="session")
def collections_root():
    root = os.environ.get("INCIDENT_OPS_COLLECTIONS")
    if not root or not (Path(root) / "ansible_collections" / "incident" / "ops").is_dir():
        pytest.fail("INCIDENT_OPS_COLLECTIONS must name the folder that holds ansible_collections/incident/ops")
    return Path(root)


@pytest.fixture
def stack():
    """Every simulated service on free ports, fresh for each test."""
    running = start_stack(base_port=0)
    yield running
    running.stop()


class Run:
    """One finished ansible-playbook process: its whole output and the recap of each host."""

    def __init__(self, completed):
        self.returncode = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.recap = dict((match["host"], dict((key, int(value)) for key, value in match.groupdict().items() if key != "host"))
                          for match in RECAP.finditer(completed.stdout))


@pytest.fixture
def playbook(tmp_path, collections_root):
    """Run one of ./playbooks with extra variables (written to a file) on an inventory of local hosts."""

    def run(name, variables, hosts=("localhost",), verbosity=0, forks=5, timeout=600):
        inventory = tmp_path / "inventory.ini"
        inventory.write_text("".join("%s ansible_connection=local ansible_python_interpreter=%s\n" % (host, sys.executable)
                                     for host in hosts))
        extra = tmp_path / "variables.json"
        extra.write_text(json.dumps(variables))
        environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
                           ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_PIPELINING="true",
                           ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_FORKS=str(forks),
                           PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), "-e", "@" + str(extra),
                   str(PLAYBOOKS / name)] + (["-" + "v" * verbosity] if verbosity else [])
        completed = subprocess.run(command, cwd=str(tmp_path), env=environment, capture_output=True, text=True, timeout=timeout,
                                   check=False)
        return Run(completed)

    return run
