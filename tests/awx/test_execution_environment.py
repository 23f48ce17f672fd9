"""ansible-builder reads what an execution environment needs for this collection, and writes a build context for it.

No container engine is needed: ``introspect`` and ``create`` stop before any image is built.
"""

import subprocess

import yaml

from conftest import COLLECTION


def run(command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_introspection_finds_the_python_requirements_of_the_collection(collections_root, tool):
    found = yaml.safe_load(run([tool("ansible-builder"), "introspect", "--sanitize", str(collections_root)]))
    runtime = [line.strip() for line in (COLLECTION / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    # requirements.txt lists what the modules need beyond ansible-core: today nothing, and an image gets exactly that
    assert found["python"] == ["%s  # from collection incident.ops" % requirement for requirement in runtime]
    assert found["system"] == []


def test_create_writes_a_build_context_that_installs_the_collection(tmp_path, tool):
    definition = COLLECTION / "extensions" / "awx" / "execution-environment.yml"
    context = tmp_path / "context"
    run([tool("ansible-builder"), "create", "--file", str(definition), "--context", str(context),
         "--output-filename", "Containerfile"])
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect" in containerfile, "the image build reads each collection's meta/execution-environment.yml"
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core' in containerfile and "ansible-runner" in containerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [entry["name"] for entry in galaxy["collections"]] == [
        yaml.safe_load((COLLECTION / "galaxy.yml").read_text())["repository"] + ".git"]
