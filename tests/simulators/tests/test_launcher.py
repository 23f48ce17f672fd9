"""The launcher as users run it: ``python -m simulators serve`` in a real subprocess."""

import json
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulators.stack import PORT_OFFSETS, start_stack

TESTS_DIR = Path(__file__).resolve().parents[2]


def free_base_port():
    """A base port whose service ports are all free right now."""
    for _attempt in range(100):
        base = random.randrange(20000, 60000)
        sockets = []
        try:
            for offset in PORT_OFFSETS.values():
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free block of ports")


class Launched:
    """A running ``python -m simulators serve`` and the JSON line it printed."""

    def __init__(self, *args):
        self.process = subprocess.Popen([sys.executable, "-m", "simulators", "serve", *args], cwd=TESTS_DIR,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _writable, _errors = select.select([self.process.stdout], [], [], 20)
        if not ready:
            self.process.kill()
            raise AssertionError("the launcher printed nothing within 20 seconds")
        self.line = self.process.stdout.readline()

    def config(self):
        return json.loads(self.line)

    def stop(self, signum=signal.SIGTERM):
        """Send a signal; returns (exit code, the rest of stdout, stderr)."""
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=15)
        return self.process.returncode, out, err

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def launch():
    started = []

    def run(*args):
        launched = Launched(*args)
        started.append(launched)
        return launched

    yield run
    for launched in started:
        launched.kill()


def test_serve_prints_one_json_line_serves_all_and_exits_cleanly(launch):
    base = free_base_port()
    launched = launch("--base-port", str(base))
    config = launched.config()
    expected = {"pagerduty", "pagerduty_events", "itsm", "tickets", "oncall", "oncall_seed"}
    assert set(config) == expected
    assert set(config["itsm"]) == {"url", "client_id", "client_secret", "username", "password"}
    assert set(config["tickets"]) == {"url", "api_token"}
    assert set(config["oncall"]) == {"query_url", "command_url", "auth_url", "customer_url", "api_token", "email", "password"}
    assert set(config["oncall_seed"]) == {"customer_id", "team_id", "team_member_ids"} and len(config["oncall_seed"]["team_member_ids"]) == 3
    assert config["itsm"]["url"] == "http://127.0.0.1:%d" % (base + 2)
    assert config["tickets"]["url"] == "http://127.0.0.1:%d/api" % (base + 3)
    assert [config["oncall"][key] for key in ("query_url", "command_url", "auth_url", "customer_url")] == \
        ["http://127.0.0.1:%d" % (base + offset) for offset in (4, 5, 6, 8)]
    assert config["pagerduty_events"] == {"events_url": "http://127.0.0.1:%d" % (base + 7)}

    itsm = config["itsm"]
    token = requests.post(itsm["url"] + "/api/oauth/token", auth=(itsm["client_id"], itsm["client_secret"]),
                          data={"grant_type": "password", "username": itsm["username"], "password": itsm["password"]}, timeout=5)
    assert token.status_code == 200
    form = requests.get(itsm["url"] + "/api/ususer/form/request", headers={"Authorization": "Bearer " + token.json()["access_token"]}, timeout=5)
    assert form.status_code == 200
    tickets = requests.get(config["tickets"]["url"] + "/users", headers={"Authorization": "Bearer " + config["tickets"]["api_token"]}, timeout=5)
    assert tickets.json()["data"]["humanId"] == "USR-12345"
    oncall = config["oncall"]
    signed_in = requests.post(oncall["auth_url"] + "/v1/auth", json={"email": oncall["email"], "password": oncall["password"]}, timeout=5)
    schedule = requests.get(oncall["query_url"] + "/v1/customer/%s/schedule" % config["oncall_seed"]["customer_id"],
                            headers={"Authorization": "Bearer " + signed_in.json()["token"]}, timeout=5)
    assert schedule.json()["schedules"] == []
    for name, offset in PORT_OFFSETS.items():
        if name != "pagerduty" or "pagerduty" in config:
            assert requests.get("http://127.0.0.1:%d/_sim/settings" % (base + offset), timeout=5).status_code == 200

    code, rest, _stderr = launched.stop()
    assert code == 0
    assert rest == ""


def test_serve_includes_pagerduty(launch):
    base = free_base_port()
    launched = launch("--base-port", str(base))
    options = launched.config()["pagerduty"]
    assert set(options) >= {"api_url", "api_token", "from_email"}
    assert options["api_url"] == "http://127.0.0.1:%d" % (base + 1)
    reply = requests.get(options["api_url"] + "/users", headers={"Authorization": "Token token=%s" % options["api_token"],
                                                                 "Accept": "application/vnd.pagerduty+json;version=2",
                                                                 "Content-Type": "application/json"}, timeout=5)
    assert reply.status_code == 200 and "users" in reply.json()
    assert launched.stop()[0] == 0


def test_sigint_also_exits_cleanly(launch):
    launched = launch("--base-port", "0")
    assert launched.config()["itsm"]["url"].startswith("http://127.0.0.1:")
    assert launched.stop(signal.SIGINT)[0] == 0


def test_rate_limit_and_latency_flags(launch):
    launched = launch("--base-port", "0", "--rate-limit", "2", "--latency-ms", "50")
    tickets = launched.config()["tickets"]
    headers = {"Authorization": "Bearer " + tickets["api_token"]}
    replies = [requests.get(tickets["url"] + "/groups", headers=headers, timeout=5) for _attempt in range(3)]
    assert [reply.status_code for reply in replies] == [200, 200, 429]
    assert replies[0].elapsed.total_seconds() >= 0.05
    assert launched.stop()[0] == 0


def test_port_in_use_fails_with_a_message(launch):
    base = free_base_port()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", base + PORT_OFFSETS["tickets"]))
    blocker.listen()
    try:
        process = subprocess.run([sys.executable, "-m", "simulators", "serve", "--base-port", str(base)], cwd=TESTS_DIR,
                                 capture_output=True, text=True, timeout=20, check=False)
    finally:
        blocker.close()
    assert process.returncode == 1
    assert process.stdout == ""
    assert "cannot start the simulators" in process.stderr
    assert "the tickets simulator cannot listen on 127.0.0.1:%d" % (base + PORT_OFFSETS["tickets"]) in process.stderr
    assert "Address already in use" in process.stderr


def test_tls_needs_both_cert_and_key():
    process = subprocess.run([sys.executable, "-m", "simulators", "serve", "--tls-cert", "cert.pem"], cwd=TESTS_DIR,
                             capture_output=True, text=True, timeout=20, check=False)
    assert process.returncode == 2 and "go together" in process.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is needed to make a test certificate")
def test_serve_over_tls(launch, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    launched = launch("--base-port", "0", "--tls-cert", str(cert), "--tls-key", str(key))
    tickets = launched.config()["tickets"]
    assert tickets["url"].startswith("https://")
    reply = requests.get(tickets["url"] + "/groups", headers={"Authorization": "Bearer " + tickets["api_token"]}, verify=str(cert), timeout=5)
    assert reply.status_code == 200
    assert launched.stop()[0] == 0


def test_start_stack_in_process_as_a_context_manager():
    base = free_base_port()
    with start_stack(base_port=base) as stack:
        for name, offset in PORT_OFFSETS.items():
            if name in stack.servers:
                assert stack.servers[name].port == base + offset
        assert stack.connection()["oncall"]["command_url"] == "http://127.0.0.1:%d" % (base + 5)
        store = stack.simulators["oncall_query"].store
        assert stack.simulators["oncall_command"].store is store and stack.simulators["oncall_auth"].store is store
        assert stack.simulators["oncall_customer"].store is store
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:%d/_sim/settings" % (base + 2), timeout=2)
