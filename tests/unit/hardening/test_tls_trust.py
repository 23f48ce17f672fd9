"""TLS: every module meets simulators that serve a self-signed certificate made for this test run.

By default every module refuses the certificate with a message that says
what to do (``ca_path``, or ``validate_certs: false`` for a test server);
with ``ca_path`` naming the certificate, or with ``validate_certs: false``,
the same task succeeds.
"""

import datetime
import ipaddress
import sys
from pathlib import Path

import pytest
import requests
import yaml
from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.incident.ops.plugins.doc_fragments.pagerduty import ModuleDocFragment as PagerDutyDocs
from ansible_collections.incident.ops.plugins.lookup import oncall as oncall_lookup
from ansible_collections.incident.ops.plugins.modules import (
    itsm_incident, itsm_incident_info, oncall_schedule, oncall_schedule_info, pd_event, pd_team, pd_team_info, ticket_info,
    ticket_user)

from fault_harness import Exited, Failed, run_main
from fault_modules import TARGETS

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulators import oncall as oncall_sim  # noqa: E402  pylint: disable=wrong-import-position
from simulators.core import RunningServer  # noqa: E402  pylint: disable=wrong-import-position
from simulators.itsm import ItsmSimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty import PagerDutySimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty.events import PagerDutyEventsSimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.tickets import TicketsSimulator  # noqa: E402  pylint: disable=wrong-import-position

# Not the current date: a fixed validity period around any day this test runs keeps it the same every day.
NOT_BEFORE = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc)
REFUSED = "The TLS handshake with 127.0.0.1:%d failed: the certificate is not trusted"
ROUTING_KEY = "R" * 32


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1 and localhost: (cert path, key path)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "incident-ops test simulators")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


class TlsSims:
    """Every simulator over TLS with the throwaway certificate, and each service's connection options."""

    def __init__(self, cert, key):
        self.cert = cert
        pagerduty = PagerDutySimulator()
        store = oncall_sim.OncallStore()
        simulators = {"pagerduty": pagerduty, "events": PagerDutyEventsSimulator(pagerduty), "itsm": ItsmSimulator(),
                      "tickets": TicketsSimulator(), "query_url": oncall_sim.OncallQuerySimulator(store),
                      "command_url": oncall_sim.OncallCommandSimulator(store),
                      "customer_url": oncall_sim.OncallCustomerSimulator(store), "auth_url": oncall_sim.OncallAuthSimulator(store)}
        self.servers = {key_: RunningServer(simulator, tls_cert=cert, tls_key=key).start() for key_, simulator in simulators.items()}
        url = {key_: server.url for key_, server in self.servers.items()}
        self.options = {
            "pagerduty": pagerduty.connection_options(url["pagerduty"]),
            "itsm": ItsmSimulator.connection_options(url["itsm"]),
            "tickets": self.servers["tickets"].simulator.connection_options(url["tickets"]),
            "oncall": dict({key_: url[key_] for key_ in ("query_url", "command_url", "customer_url", "auth_url")},
                           email=oncall_sim.DEFAULT_EMAIL, password=oncall_sim.DEFAULT_PASSWORD),
        }
        self.options["events"] = dict(self.options["pagerduty"], events_url=url["events"], routing_key=ROUTING_KEY, api_token=None)

    def reset(self):
        for server in self.servers.values():
            requests.post(server.url + "/_sim/reset", verify=self.cert, timeout=5).raise_for_status()

    def port(self, service):
        return self.servers[{"pagerduty": "pagerduty", "events": "events", "itsm": "itsm", "tickets": "tickets",
                             "oncall": "auth_url"}[service]].port

    def routing_key(self):
        """The key of an Events API integration on a new service: the trusted pd_event task needs a real one."""
        api = self.options["pagerduty"]
        headers = {"Authorization": "Token token=" + api["api_token"], "Accept": "application/vnd.pagerduty+json;version=2"}

        def seed(**data):
            reply = requests.post(api["api_url"] + "/_sim/seed", json=data, verify=self.cert, timeout=10)
            reply.raise_for_status()
            return reply.json()

        ada = seed(users=[{"type": "user", "name": "Ada Lovelace", "email": "ada@example.com"}])["users"][0]
        policy = seed(escalation_policies=[{"type": "escalation_policy", "name": "EP", "escalation_rules": [
            {"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]}])["escalation_policies"][0]
        service = seed(services=[{"type": "service", "name": "Checkout", "escalation_policy": {
            "id": policy, "type": "escalation_policy_reference"}}])["services"][0]
        reply = requests.post(api["api_url"] + "/services/%s/integrations" % service, verify=self.cert, timeout=10, headers=headers,
                              json={"integration": {"type": "events_api_v2_inbound_integration", "name": "Events"}})
        reply.raise_for_status()
        return reply.json()["integration"]["integration_key"]

    def stop(self):
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="module")
def tls(certificate):
    sims = TlsSims(*certificate)
    yield sims
    sims.stop()


@pytest.fixture
def fresh(tls):
    tls.reset()
    return tls


def service_of(target):
    return "events" if target.name == "pd_event" else target.service


def task(tls, target, **trust):
    """The target's task against the TLS simulators; oncall signs in, so the auth host is the first one met."""
    params = dict(target.params, **tls.options[service_of(target)])
    params.update(trust)
    return params


@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_every_module_refuses_a_self_signed_certificate_by_default(fresh, target, monkeypatch):
    ending = run_main(target.module, task(fresh, target), monkeypatch)
    assert isinstance(ending, Failed), "the untrusted certificate was accepted"
    assert ending.msg.startswith(REFUSED % fresh.port(service_of(target))), ending.msg
    assert "set ca_path, or validate_certs=false only for a test server" in ending.msg
    assert all(not server.simulator.requests for server in fresh.servers.values()), "no request got through"


# One write and one read per service, trusted both ways.
TRUSTED = [pd_team, pd_team_info, pd_event, itsm_incident, itsm_incident_info, ticket_user, ticket_info, oncall_schedule,
           oncall_schedule_info]


@pytest.mark.parametrize("how", ["ca_path", "validate_certs"])
@pytest.mark.parametrize("target", [target for target in TARGETS if target.module in TRUSTED],
                         ids=[target.name for target in TARGETS if target.module in TRUSTED])
def test_a_trusted_certificate_or_no_check_lets_the_task_run(fresh, target, how, monkeypatch):
    trust = {"ca_path": fresh.cert} if how == "ca_path" else {"validate_certs": False}
    if target.name == "pd_event":
        trust["routing_key"] = fresh.routing_key()
    ending = run_main(target.module, task(fresh, target, **trust), monkeypatch)
    assert isinstance(ending, Exited), getattr(ending, "msg", "")
    assert ending.result["changed"] is (target.count is not None)


def test_the_targets_cover_every_service():
    assert set(service_of(target) for target in TARGETS if target.module in TRUSTED) == {
        "pagerduty", "events", "itsm", "tickets", "oncall"}


@pytest.fixture
def lookup():
    """The oncall lookup as the plugin loader builds it, its documented options its config."""
    documented = yaml.safe_load(oncall_lookup.DOCUMENTATION)
    definitions = dict(yaml.safe_load(PagerDutyDocs.PLUGIN)["options"], **documented["options"])
    C.config.initialize_plugin_configuration_definitions("lookup", "incident.ops.oncall", definitions)
    plugin = oncall_lookup.LookupModule(loader=DataLoader(), templar=Templar(loader=DataLoader()))
    plugin._load_name = "incident.ops.oncall"  # pylint: disable=protected-access
    return plugin


def test_the_oncall_lookup_refuses_then_trusts(fresh, lookup):
    variables = {"pagerduty_" + key: value for key, value in fresh.options["pagerduty"].items()}
    with pytest.raises(AnsibleError, match="The TLS handshake with 127.0.0.1:%d failed" % fresh.port("pagerduty")):
        lookup.run([], variables=variables)
    assert lookup.run([], variables=dict(variables, pagerduty_ca_path=fresh.cert)) == []
    assert lookup.run([], variables=dict(variables, pagerduty_validate_certs=False)) == []
