#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ticket_report_info
short_description: Read the weekly or monthly ticket report, and save it as a CSV file
version_added: 0.1.0
description:
  - Return the tickets service's report of the tickets opened in the last week or month, one row per ticket.
  - With O(dest), save the report as the service's CSV file. The file is replaced only when its content changed, in
    one move, so a reader never sees half a file; its mode and owner are set like M(ansible.builtin.copy) sets them.
author:
  - incident.ops maintainers (@incident-ops)
options:
  period:
    description:
      - V(weekly) reports the tickets opened in the last 7 days, V(monthly) those of the last 30.
    type: str
    choices: [weekly, monthly]
    required: true
  format:
    description:
      - V(json) reads the report's JSON rows, V(csv) downloads the CSV file and parses it.
      - O(dest) needs V(csv), the default.
    type: str
    choices: [json, csv]
    default: csv
  dest:
    description:
      - Save the CSV report at this path. Its folder must exist.
      - The task reports a change only when the file's content, mode or owner changed.
    type: path
extends_documentation_fragment:
  - incident.ops.tickets
  - incident.ops.attributes.tickets
  - ansible.builtin.files
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
    details: In check mode the report is read and the file is not written; the task reports whether it would change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
notes:
  - One request, C(GET /reporting/tickets) or C(GET /reporting/tickets/download).
  - The rows count each ticket's run time up to the moment of the request, so a saved report changes as time passes.
seealso:
  - module: incident.ops.ticket_info
"""

EXAMPLES = r"""
- name: Save this month's report for the service desk
  incident.ops.ticket_report_info:
    period: monthly
    dest: /srv/reports/tickets-monthly.csv
    mode: "0640"
  module_defaults:
    group/incident.ops.tickets:
      url: https://tickets.example.com/api
      api_token: "{{ tickets_token }}"
  register: report

- name: Count this week's tickets per customer
  incident.ops.ticket_report_info:
    period: weekly
    format: json
  register: weekly

- name: Show them
  ansible.builtin.debug:
    msg: "{{ weekly.rows | groupby('customer') | map('first') | list }}"
"""

RETURN = r"""
rows:
  description: The report's rows, in the service's order (by ticket number); every value is a string.
  returned: always
  type: list
  elements: dict
  contains:
    ticketNumber:
      description: The ticket's human id.
      type: str
    customer:
      description: The ticket's organisation, or C(NA).
      type: str
    buyer:
      description: The organisation the contract was bought through, or C(NA).
      type: str
    ticketDescription:
      description: The ticket's description.
      type: str
    priority:
      description: The priority, for example C(P5 - Priority 5).
      type: str
    category:
      description: The category.
      type: str
    serviceImpact:
      description: The service impact, or C(NA).
      type: str
    outcome:
      description: The outcome, or C(NA).
      type: str
    status:
      description: The status, for example C(New).
      type: str
    primaryContactName:
      description: The primary contact's name, or C(NA).
      type: str
    primaryContactEmail:
      description: The primary contact's email, or C(NA).
      type: str
    createdAt:
      description: When the ticket was opened, C(YYYY-MM-DD HH:MM:SS) in UTC.
      type: str
    resolutionDate:
      description: When the ticket was resolved, or C(NA).
      type: str
    assigned:
      description: Who the ticket is assigned to, or C(NA).
      type: str
    slaAssignedTime:
      description: Time to assignment, C(HH:MM:SS).
      type: str
    ticketRunTime:
      description: Time since the ticket was opened, hours (any number of digits), minutes and seconds.
      type: str
  sample:
    - ticketNumber: INC-7
      customer: Acme
      buyer: SipSynergy
      status: New
      createdAt: "2026-03-02 09:00:00"
      ticketRunTime: "03:00:00"
"""

import csv
import io
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ARGUMENT_SPEC = options.argument_spec(
    options.TICKETS,
    period=dict(type="str", choices=["weekly", "monthly"], required=True),
    format=dict(type="str", choices=["json", "csv"], default="csv"),
    dest=dict(type="path"),
)


def check_dest(params):
    dest = params["dest"]
    if dest is None:
        return
    if params["format"] != "csv":
        raise InvalidInput("dest saves the CSV report: set format=csv or leave dest out")
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise InvalidInput("The folder of dest %s does not exist: %s" % (dest, folder))
    if os.path.isdir(dest):
        raise InvalidInput("dest %s is a folder; give the path of the file to write" % dest)


def parse_csv(content):
    """The CSV report as rows; the service writes a header line and CRLF line ends."""
    return [dict(row) for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))]


def same_content(path, content):
    if not os.path.exists(path):
        return False
    with open(path, "rb") as handle:
        return handle.read() == content


def write_atomically(module, dest, content):
    """Write next to ``dest`` and move the file into place in one step."""
    handle, temporary = tempfile.mkstemp(prefix=".ticket-report-", dir=os.path.dirname(os.path.abspath(dest)))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        module.atomic_move(temporary, dest)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def save(module, content):
    """Write the report when its content differs, then set mode and owner; True when anything changed."""
    dest = module.params["dest"]
    changed = not same_content(dest, content)
    if changed and not module.check_mode:
        write_atomically(module, dest, content)
    if module.check_mode and not os.path.exists(dest):
        return changed
    file_args = module.load_file_common_arguments(module.params, path=dest)
    return module.set_fs_attributes_if_different(file_args, changed)


def run(module, api):
    params = module.params
    check_dest(params)
    query = {"period": params["period"]}
    if params["format"] == "json":
        return False, api.data("/reporting/tickets", params=query), None
    content = api.request("GET", "/reporting/tickets/download", params=query, expect_json=False)[1] or b""
    rows = parse_csv(content)
    changed = save(module, content) if params["dest"] else False
    return changed, rows, None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, add_file_common_args=True)
    execute(module, connect, run, "rows")


if __name__ == "__main__":
    main()
