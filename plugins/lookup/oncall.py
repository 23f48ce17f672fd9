# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: oncall
short_description: Who is on call in PagerDuty, for templates, debug and set_fact
version_added: 0.1.0
description:
  - Return who is on call (name, email, escalation level, from, until) on a PagerDuty schedule or escalation
    policy, now or at a given time, so a template or a task can name the person to page.
  - One dict per on-call, in PagerDuty's order (by escalation policy, then level). Use C(query()) or
    C(wantlist=true) to always get a list.
  - The connection options are read from the lookup's own keywords, then from variables, then from C(ansible.cfg),
    then from the environment, so a play can set them once.
author:
  - incident.ops maintainers (@incident-ops)
options:
  schedule:
    description:
      - Only the on-calls that come from the schedule with this exact name.
      - An unknown name fails with an error that names it.
    type: str
  escalation_policy:
    description:
      - Only the on-calls of the escalation policy with this exact name.
      - An unknown name fails with an error that names it.
    type: str
  at:
    description:
      - The instant to look at, an ISO 8601 date-time with a UTC offset such as V(2026-12-24T20:00:00+01:00).
        Now when unset.
    type: str
  level:
    description:
      - Only the on-calls of this escalation level (1 is the first).
    type: int
  time_zone:
    description:
      - The IANA time zone to express C(from) and C(until) in, such as V(Europe/Paris). PagerDuty's default is the
        account's time zone.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty.plugin
notes:
  - A user who is a direct target of an escalation rule is on call permanently; such an on-call has no schedule,
    and its C(from) and C(until) are null.
  - The lookup makes one request per name it is given and one per page of C(GET /oncalls), and never writes.
seealso:
  - module: incident.ops.pd_oncall_info
"""

EXAMPLES = r"""
- name: Say who holds the primary schedule right now
  ansible.builtin.debug:
    msg: "{{ lookup('incident.ops.oncall', schedule='Platform primary') }}"
  vars:
    pagerduty_api_token: "{{ vault_pagerduty_token }}"

- name: Keep the email of the first-level on-call of a policy on Christmas Eve
  ansible.builtin.set_fact:
    christmas_oncall: >-
      {{ query('incident.ops.oncall', escalation_policy='Platform escalation', level=1,
               at='2026-12-24T20:00:00+01:00') | map(attribute='email') | first }}

- name: Write the on-call into a runbook page
  ansible.builtin.copy:
    dest: /srv/runbooks/oncall.md
    content: |
      {% for oncall in query('incident.ops.oncall', schedule='Platform primary') %}
      * {{ oncall.name }} <{{ oncall.email }}>, level {{ oncall.escalation_level }}, until {{ oncall.until }}
      {% endfor %}
    mode: "0644"
"""

RETURN = r"""
_raw:
  description:
    - The on-calls at that instant, one dict each.
  type: list
  elements: dict
  contains:
    name:
      description: The on-call user's name.
      type: str
      sample: Ada Lovelace
    email:
      description: The on-call user's login email.
      type: str
      sample: ada@example.com
    user_id:
      description: The on-call user's id.
      type: str
      sample: PXPGF42
    escalation_level:
      description: The level of the escalation policy's rules (1 is the first).
      type: int
      sample: 1
    escalation_policy:
      description: The name of the escalation policy the on-call belongs to.
      type: str
      sample: Platform escalation
    schedule:
      description: The name of the schedule the on-call comes from; null for a direct target of a rule.
      type: str
      sample: Platform primary
    from:
      description: When the shift starts; null for a permanent on-call.
      type: str
      sample: "2026-12-21T09:00:00+01:00"
    until:
      description: When the shift ends; null for a permanent on-call.
      type: str
      sample: "2026-12-28T09:00:00+01:00"
"""

from types import SimpleNamespace

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.options import PAGERDUTY
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.oncalls import read_oncalls
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


def flat(oncall):
    """An on-call as the lookup returns it: the user's fields at the top, references by name."""
    return {
        "name": oncall["user"]["name"],
        "email": oncall["user"]["email"],
        "user_id": oncall["user"]["id"],
        "escalation_level": oncall["escalation_level"],
        "escalation_policy": (oncall["escalation_policy"] or {}).get("name"),
        "schedule": (oncall["schedule"] or {}).get("name"),
        "from": oncall["start"],
        "until": oncall["end"],
    }


def level_number(value):
    """The ``level`` keyword as an int of at least 1; a template may hand it over as text."""
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level < 1:
        raise InvalidInput("level %r is not an escalation level (1, 2, ...)" % (value,))
    return level


class LookupModule(LookupBase):

    def option_variables(self, variables):
        """The variables the options are read from, templated: a lookup is handed the play's variables untemplated."""
        definitions = C.config.get_configuration_definitions("lookup", self._load_name)
        names = set(entry["name"] for definition in definitions.values() for entry in definition.get("vars") or [])
        return dict((name, self._templar.template(value)) for name, value in (variables or {}).items() if name in names)

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleError("incident.ops.oncall takes keywords only (schedule=, escalation_policy=, at=, level=), "
                               "not the terms %r" % (terms,))
        self.set_options(var_options=self.option_variables(variables), direct=kwargs)
        schedule, policy, level = self.get_option("schedule"), self.get_option("escalation_policy"), self.get_option("level")
        try:
            level = None if level is None else level_number(level)
            # connect() reads a module's params; the lookup's options have the same names.
            api = connect(SimpleNamespace(params=dict((name, self.get_option(name)) for name in PAGERDUTY), check_mode=False))
            oncalls = read_oncalls(api, at=self.get_option("at"), time_zone=self.get_option("time_zone"),
                                   schedules=[schedule] if schedule else None,
                                   escalation_policies=[policy] if policy else None)
        except InvalidInput as error:
            raise AnsibleError("incident.ops.oncall: %s" % error) from None
        except ApiError as error:
            raise AnsibleError("incident.ops.oncall could not read PagerDuty: %s" % error) from None
        return [flat(oncall) for oncall in oncalls if level is None or oncall["escalation_level"] == level]
