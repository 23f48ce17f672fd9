# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way a module turns ``run()`` into an Ansible result."""

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


class PartialFailure(Exception):
    """Some objects of a bulk task failed: the task fails, still reporting what it changed and the objects' results."""

    def __init__(self, message, changed, result):
        super().__init__(message)
        self.changed = changed
        self.result = result


def execute(module, connect, run, result_key):
    """Connect, run, and exit; an API failure becomes ``fail_json``, never a traceback.

    ``result_key`` names the result; None when the result is a dict of several return values.

    What the client collected in ``warnings`` (a name check mode assumed will
    be created, for example) is shown whether the run succeeds or fails.
    """
    api = None
    try:
        api = connect(module)
        changed, result, diff = run(module, api)
    except InvalidInput as error:
        warn(module, api)
        module.fail_json(msg=str(error))
    except PartialFailure as error:
        warn(module, api)
        module.fail_json(msg=str(error), changed=error.changed, **returned(result_key, error.result))
    except ApiError as error:
        warn(module, api)
        details = {"status": error.status} if error.status else {}
        module.fail_json(msg=str(error), **details)
    warn(module, api)
    extra = {"diff": diff} if diff is not None else {}
    module.exit_json(changed=changed, **dict(extra, **returned(result_key, result)))


def returned(result_key, result):
    """The return values: the result under ``result_key``, or the result itself when it holds several."""
    return dict(result) if result_key is None else {result_key: result}


def warn(module, api):
    for message in getattr(api, "warnings", None) or []:
        module.warn(message)
