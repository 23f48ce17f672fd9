# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty teams: how other objects name the teams they belong to, and team members.

Schedules and escalation policies are compared with a task by their teams'
names, and written with references to them.  Team members have the one shape
the team modules read and return.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import display_name, reference
from ansible_collections.incident.ops.plugins.module_utils.validation import check_filled


def desired_team_names(names):
    """The teams a task lists, stripped, once each and sorted, since their order means nothing; None leaves them alone."""
    return None if names is None else sorted(set(check_filled(name, "a team name in teams").strip() for name in names))


def team_names(record):
    """The names of the teams an object belongs to, in the shape ``desired_team_names`` gives."""
    return sorted(display_name(team) for team in record.get("teams") or [])


def named_team_references(api, names):
    """References to the teams named, each looked up once per run; an unknown name is bad input."""
    return [reference("team", api.require_named("teams", name)["id"]) for name in names]


def shown_team_references(api, names):
    """What a check-mode result shows for the teams named: their references with their names."""
    return [dict(team, summary=name) for team, name in zip(named_team_references(api, names), names)]


def current_team_references(record):
    """References to the teams an object belongs to, for a PUT that must send them back unchanged."""
    return [reference("team", team["id"]) for team in record.get("teams") or []]


def member(user, role):
    """A team member: the user's id, name and email, and their role on the team."""
    return {"id": user["id"], "name": display_name(user), "email": user.get("email"), "role": role}


def team_members(api, team_id):
    """Every member of a team; ``include[]=users`` brings the emails along, so no request per member."""
    entries = api.list("teams/%s/members" % team_id, {"include[]": ["users"]})
    return [member(entry["user"], entry.get("role")) for entry in entries]
