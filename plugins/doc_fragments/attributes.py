# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The attributes every module of the collection documents."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the target.
    support: full
    details: This module only reads, so it always runs.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
"""

    PAGERDUTY = r"""
attributes:
  action_group:
    description: Use C(group/incident.ops.pagerduty) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - incident.ops.pagerduty
"""

    ITSM = r"""
attributes:
  action_group:
    description: Use C(group/incident.ops.itsm) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - incident.ops.itsm
"""

    TICKETS = r"""
attributes:
  action_group:
    description: Use C(group/incident.ops.tickets) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - incident.ops.tickets
"""

    ONCALL = r"""
attributes:
  action_group:
    description: Use C(group/incident.ops.oncall) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - incident.ops.oncall
"""
