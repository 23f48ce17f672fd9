"""What the schedule and on-call module tests share: seeding the simulator and one client per module run."""

import requests

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty


def seed(pagerduty, **data):
    """Load objects into the simulator (``POST /_sim/seed``); returns the ids it gave, by collection."""
    reply = requests.post(pagerduty.url + "/_sim/seed", json=data, timeout=30)
    reply.raise_for_status()
    return reply.json()


def users(*people):
    """User bodies for ``seed`` from (name, email) pairs."""
    return [{"type": "user", "name": name, "email": email} for name, email in people]


def runner(pagerduty, pd_module, module):
    """Call ``module.run()`` as a task would: its own client, so nothing is cached from an earlier run."""
    def call(check_mode=False, **params):
        options = pagerduty.options
        api = PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"], check_mode=check_mode)
        return module.run(pd_module(module.ARGUMENT_SPEC, check_mode=check_mode, **params), api)
    return call
