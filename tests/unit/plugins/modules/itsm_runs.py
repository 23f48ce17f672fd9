"""What the ITSM module tests share: one client per module run, as a task has, and reads of the simulator's state."""

from ansible_collections.incident.ops.plugins.module_utils.itsm.api import connect
from ansible_collections.incident.ops.plugins.modules import itsm_incident


def runner(itsm_module, module, **fixed):
    """Call ``module.run()`` as a task would: its own client and token, so nothing is cached from an earlier run."""
    def call(check_mode=False, **params):
        fake = itsm_module(module.ARGUMENT_SPEC, check_mode=check_mode, **dict(fixed, **params))
        return module.run(fake, connect(fake))
    return call


def stored(itsm_module, incident_id):
    """The incident as the simulator holds it, read through the desk's API with a fresh token."""
    return connect(itsm_module(itsm_incident.ARGUMENT_SPEC)).incident(incident_id)


def calls(itsm_sim):
    """The requests of the log as ``METHOD path`` strings."""
    return ["%s %s" % (entry["method"], entry["path"]) for entry in itsm_sim.requests()]
