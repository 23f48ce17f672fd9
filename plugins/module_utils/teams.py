# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty team members, in the one shape the team modules read and return."""


def member(user, role):
    """A team member: the user's id, name and email, and their role on the team."""
    return {"id": user["id"], "name": user.get("name") or user.get("summary"), "email": user.get("email"), "role": role}


def team_members(api, team_id):
    """Every member of a team; ``include[]=users`` brings the emails along, so no request per member."""
    entries = api.list("teams/%s/members" % team_id, {"include[]": ["users"]})
    return [member(entry["user"], entry.get("role")) for entry in entries]
