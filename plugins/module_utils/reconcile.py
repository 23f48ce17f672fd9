# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compare what is with what is wanted, and make it so.

Only the fields the user set are compared, after both sides are normalised,
so a field the API fills in or re-formats never causes a false change.  The
diff holds the changed fields alone.
"""

import time

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError


def normalise(value):
    """A comparable form: strings stripped, whole floats as ints, dicts and lists recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(item) for item in value]
    return value


def matches(current, desired):
    """True when ``current`` holds everything ``desired`` sets.

    Dicts compare as subsets (keys the user left unset are not compared);
    lists compare item by item, in order: callers sort a list whose order has
    no meaning before they compare it.
    """
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(matches(current.get(key), value) for key, value in desired.items() if value is not None)
    if isinstance(desired, list):
        if not isinstance(current, list) or len(current) != len(desired):
            return False
        return all(matches(have, want) for have, want in zip(current, desired))
    return normalise(current) == normalise(desired)


def changes(current, desired):
    """The top-level fields of ``desired`` that ``current`` does not already match."""
    return {key: value for key, value in desired.items() if value is not None and not matches((current or {}).get(key), value)}


def field_diff(current, changed):
    """A diff of the changed fields only: their values before and after."""
    return {
        "before": {key: (current or {}).get(key) for key in changed},
        "after": dict(changed),
    }


def without_none(values):
    return {key: value for key, value in values.items() if value is not None}


class Outcome:
    """What a run did: whether anything changed, the resulting object and the diff."""

    def __init__(self, changed, result, diff=None):
        self.changed = changed
        self.result = result
        self.diff = diff or {"before": {}, "after": {}}

    def as_tuple(self):
        return self.changed, self.result, self.diff


class Resource:
    """How one kind of API object is found and written; modules subclass it.

    ``current_fields`` maps an API object onto the same field names the
    module's desired state uses, so that ``ensure`` compares like with like.
    ``settle_waits`` are the pauses between the lookups ``create_once`` makes
    after a create whose answer was lost, and ``sleep`` how it pauses.
    """

    settle_waits = (1.0, 2.0, 4.0)

    def sleep(self, seconds):
        time.sleep(seconds)

    def already_exists(self, error):
        """True when ``error`` says the create was refused because the object exists (a concurrent run made it)."""
        return False

    def find(self):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, current, changed):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def current_fields(self, current):
        return current

    def preview(self, current, changed):
        """The object as it would be after ``update``, shown in check mode."""
        merged = dict(current or {})
        merged.update(changed)
        return merged


class LookedUpFirst(Resource):
    """A resource a module looks at before ``ensure``, to check and resolve input before any write.

    Subclasses implement ``lookup``.  ``look()`` asks the API and keeps the
    answer for the next ``find()``, so ``ensure`` does not ask twice; any later
    ``find()`` (``create_once`` after a lost answer) asks the API again.
    """

    _kept = None
    _has_kept = False

    def lookup(self):
        raise NotImplementedError

    def look(self):
        self._kept = self.lookup()
        self._has_kept = True
        return self._kept

    def find(self):
        if self._has_kept:
            self._has_kept = False
            return self._kept
        return self.lookup()


class CreateOutcomeUnknown(ApiError):
    """A create whose answer was lost and whose object has not appeared: re-sending it could make a second one."""


def create_once(resource, desired):
    """Create the object exactly once; returns ``(object, created)``, ``created`` false when it was found instead.

    A POST whose answer never arrived may still be carried out, even after the
    client gave up waiting, so it is never sent again: the object is looked
    up now and after each of ``resource.settle_waits``, and if it has still
    not appeared the run fails, asking for a re-run, rather than risk a
    duplicate.  A create refused because the object exists (another run made
    it between our lookup and our create) is answered by that object too.
    """
    try:
        return resource.create(desired), True
    except ApiError as error:
        if resource.already_exists(error):
            found = resource.find()
            if found is None:
                raise
            return found, False
        if not error.retryable:
            raise
        lost = error
    for wait in (0,) + tuple(resource.settle_waits):
        if wait:
            resource.sleep(wait)
        found = resource.find()
        if found is not None:
            return found, False
    raise CreateOutcomeUnknown(
        "The create's answer was lost (%s) and the object has not appeared after %d lookups over %g s; the create may "
        "still complete on the server, so it is not sent again; re-run to converge" % (
            lost.message, 1 + len(resource.settle_waits), sum(resource.settle_waits)),
        method=lost.method, path=lost.path, status=lost.status, api_message=lost.api_message)


def ensure(resource, desired, state="present", check_mode=False, identity=None):
    """Bring one object to ``state``; nothing is written in check mode.

    ``identity`` holds the fields that name the object (an email, a name):
    they go into a create but are never compared, since ``find`` matched them.
    """
    current = resource.find()
    if state == "absent":
        if current is None:
            return Outcome(False, None)
        if not check_mode:
            resource.delete(current)
        fields = resource.current_fields(current)
        before = dict(identity or {}, **{key: fields.get(key) for key in desired if desired[key] is not None})
        return Outcome(True, None, {"before": before, "after": {}})
    wanted = without_none(desired)
    if current is None:
        created = dict(identity or {}, **wanted)
        if check_mode:
            return Outcome(True, created, {"before": {}, "after": created})
        result, made_here = create_once(resource, created)
        if not made_here:
            # Found after a lost answer or a lost race: another run may have made it with other fields.
            late = changes(resource.current_fields(result), wanted)
            if late:
                result = resource.update(result, late)
        return Outcome(True, result, {"before": {}, "after": created})
    fields = resource.current_fields(current)
    changed = changes(fields, wanted)
    if not changed:
        return Outcome(False, current)
    result = resource.preview(current, changed) if check_mode else resource.update(current, changed)
    return Outcome(True, result, field_diff(fields, changed))


def pending(resource, current, wanted):
    """The fields a write will carry: all of ``wanted`` for a new object, the changed ones otherwise.

    Modules resolve the names these fields hold before ``ensure``, so that an
    unknown one fails before anything is written.
    """
    return dict(wanted) if current is None else changes(resource.current_fields(current), wanted)


class SetPlan:
    """How to turn one list of sub-objects into another: what to add, change and remove."""

    def __init__(self, add, update, remove):
        self.add = add
        self.update = update
        self.remove = remove

    @property
    def changed(self):
        return bool(self.add or self.update or self.remove)


def plan_set(current, desired, key, purge=True, protected=None):
    """Match sub-objects by ``key(item)`` and plan the writes that make ``current`` equal ``desired``.

    ``current`` items are API objects and ``desired`` items the fields a user
    set; a matched pair whose fields differ is planned as ``(current, desired)``
    in ``update``.  Unmatched current items are removed only when ``purge`` is
    true and ``protected(item)`` is not.
    """
    by_key = {}
    for item in current:
        by_key.setdefault(key(item), item)
    add, update = [], []
    wanted_keys = set()
    for item in desired:
        item_key = key(item)
        wanted_keys.add(item_key)
        have = by_key.get(item_key)
        if have is None:
            add.append(item)
        elif changes(have, item):
            update.append((have, item))
    remove = [item for item_key, item in by_key.items()
              if item_key not in wanted_keys and purge and not (protected and protected(item))]
    return SetPlan(add, update, remove)


def set_diff(plan, show):
    """The items a set plan touches, for a compact diff: ``(before, after)`` lists, each item as ``show`` gives it.

    Before holds the changed items as they are and the removed ones; after
    holds the added items and the changed ones as they will be.
    """
    before = [show(have) for have, unused in plan.update] + [show(have) for have in plan.remove]
    after = [show(item) for item in plan.add] + [show(dict(have, **without_none(item))) for have, item in plan.update]
    return before, after
