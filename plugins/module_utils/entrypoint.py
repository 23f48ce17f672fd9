# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way a module turns ``run()`` into an Ansible result."""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.incident.ops.plugins.module_utils.client import REQUESTS_IMPORT_ERROR, ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


def execute(module, connect, run, result_key):
    """Connect, run, and exit; an API failure becomes ``fail_json``, never a traceback.

    ``result_key`` names the result; None when the result is a dict of several return values.

    What the client collected in ``warnings`` (a name check mode assumed will
    be created, for example) is shown whether the run succeeds or fails.
    """
    if REQUESTS_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    api = None
    try:
        api = connect(module)
        changed, result, diff = run(module, api)
    except InvalidInput as error:
        warn(module, api)
        module.fail_json(msg=str(error))
    except ApiError as error:
        warn(module, api)
        details = {"status": error.status} if error.status else {}
        module.fail_json(msg=str(error), **details)
    warn(module, api)
    extra = {"diff": diff} if diff is not None else {}
    module.exit_json(changed=changed, **dict(extra, **(result if result_key is None else {result_key: result})))


def warn(module, api):
    for message in getattr(api, "warnings", None) or []:
        module.warn(message)
