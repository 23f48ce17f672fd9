"""Maintenance windows: services stop creating incidents between a window's start and end."""

from __future__ import annotations

from simulators.core import Reply, route

from .common import PagerDutyError, decorate, invalid, iso, matches_query, not_found, paginate, parse_time

FILTERS = ("past", "future", "ongoing", "open", "all")


class MaintenanceMixin:
    """``/maintenance_windows``; which windows are past, ongoing or future follows the simulator's clock (``now()``)."""

    def _reset_maintenance(self):
        self.maintenance_windows = {}
        self.maintenance_sequence = 0

    def maintenance_window(self, window_id):
        found = self.maintenance_windows.get(window_id)
        if found is None:
            raise not_found("Maintenance window", window_id)
        return found

    def window_state(self, window, now=None):
        """``past``, ``ongoing`` or ``future`` at ``now``: a window is ongoing from its start until its end."""
        now = now or self.now()
        if window["_end"] <= now:
            return "past"
        return "ongoing" if window["_start"] <= now else "future"

    def in_maintenance(self, service_id):
        return any(service_id in window["_services"] and self.window_state(window) == "ongoing"
                   for window in self.maintenance_windows.values())

    def _window_fields(self, data, window):
        """Check and apply a create or update: a new start in the past becomes now; the end must be later and in the future."""
        now = self.now()
        start = parse_time(data["start_time"], "start_time") if "start_time" in data else window.get("_start")
        end = parse_time(data["end_time"], "end_time") if "end_time" in data else window.get("_end")
        if start < now and start != window.get("_start"):
            start = now
        if end <= now:
            raise invalid("End time must be in the future")
        if end <= start:
            raise invalid("End time must be after the start time")
        services = [entry["id"] for entry in data["services"]] if "services" in data else window["_services"]
        if not services:
            raise invalid("Services must not be empty")
        for service_id in services:
            self.service(service_id)
        window.update(_start=start, _end=end, _services=services,
                      description=data.get("description", window.get("description", "")))
        return window

    def render_maintenance_window(self, window, includes=()):
        shown = decorate("maintenance_window", window, window["description"] or "Maintenance window")
        shown.update(start_time=iso(window["_start"]), end_time=iso(window["_end"]))
        shown["created_by"] = self.user_ref(window["_created_by"])
        shown["services"] = [self.render_service(self.services[service_id]) if "services" in includes
                             else self.service_ref(service_id) for service_id in window["_services"]]
        shown["teams"] = [self.render_team(self.teams[team_id]) if "teams" in includes else self.team_ref(team_id)
                          for team_id in self.window_teams(window)]
        return shown

    def window_teams(self, window):
        """The teams of the window's services (through their escalation policies), as PagerDuty derives them."""
        teams = []
        for service_id in window["_services"]:
            service = self.services.get(service_id)
            policy = self.escalation_policies.get(service["_escalation_policy"]) if service else None
            for team_id in (policy or {}).get("_teams", []):
                if team_id not in teams and team_id in self.teams:
                    teams.append(team_id)
        return teams

    @route("GET", "/maintenance_windows")
    def list_maintenance_windows(self, request):
        query = request.arg("query")
        wanted = request.arg("filter", "all")
        service_ids = set(request.args("service_ids"))
        team_ids = set(request.args("team_ids"))
        includes = request.args("include")
        with self.lock:
            now = self.now()
            found = []
            for window in sorted(self.maintenance_windows.values(), key=lambda item: item["_start"]):
                state = self.window_state(window, now)
                if wanted not in ("all", state) and not (wanted == "open" and state != "past"):
                    continue
                if not matches_query(query, window["description"]):
                    continue
                if service_ids and not service_ids.intersection(window["_services"]):
                    continue
                if team_ids and not team_ids.intersection(self.window_teams(window)):
                    continue
                found.append(self.render_maintenance_window(window, includes))
        return Reply(200, paginate(request, found, "maintenance_windows"))

    @route("POST", "/maintenance_windows")
    def post_maintenance_window(self, request):
        data = request.json()["maintenance_window"]
        with self.lock:
            window = self._window_fields(data, {"id": self.new_id()})
            self.maintenance_sequence += 1
            window.update(sequence_number=self.maintenance_sequence, _created_by=self.requester(request)["id"])
            self.maintenance_windows[window["id"]] = window
            return Reply(201, {"maintenance_window": self.render_maintenance_window(window)})

    @route("GET", "/maintenance_windows/{id}")
    def get_maintenance_window(self, request):
        with self.lock:
            window = self.maintenance_window(request.params["id"])
            return Reply(200, {"maintenance_window": self.render_maintenance_window(window, request.args("include"))})

    @route("PUT", "/maintenance_windows/{id}")
    def put_maintenance_window(self, request):
        data = request.json()["maintenance_window"]
        with self.lock:
            window = self.maintenance_window(request.params["id"])
            if self.window_state(window) == "past":
                raise invalid("A maintenance window that has ended cannot be changed")
            window.update(self._window_fields(data, dict(window)))
            return Reply(200, {"maintenance_window": self.render_maintenance_window(window)})

    @route("DELETE", "/maintenance_windows/{id}")
    def delete_maintenance_window(self, request):
        """A future window is deleted; an ongoing one ends now (and stays, as a past window); an ended one is a 405."""
        with self.lock:
            window = self.maintenance_window(request.params["id"])
            state = self.window_state(window)
            if state == "past":
                raise PagerDutyError("Method Not Allowed", status=405, code=2100,
                                     errors=["The maintenance window can't be deleted because it has already ended"])
            if state == "ongoing":
                window["_end"] = self.now()
            else:
                del self.maintenance_windows[window["id"]]
        return Reply(204)
