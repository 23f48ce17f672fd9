# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Custom fields: a task names them, the desk keys them by id and types each value by a code.

``customFieldValueDetails`` holds ``{"<id>": {"type": <code>, "<valueKey>": value}}``;
the form (``GET /api/ususer/form/{module}``) gives each field's id and code.
Values are checked here, so a wrong one fails before anything is written.
"""


from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

INT32 = (-2 ** 31, 2 ** 31 - 1)
INT64 = (-2 ** 63, 2 ** 63 - 1)


def _is_int(value, bounds):
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_list_of(check):
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


def _is_string(value):
    return isinstance(value, str)


# Type code -> (the desk's name of the type, the key its value travels in, the check of a value).
TYPES = {
    1: ("STRING", "stringValue", _is_string),
    2: ("INTEGER", "integerValue", lambda value: _is_int(value, INT32)),
    3: ("DOUBLE", "doubleValue", _is_number),
    4: ("BOOLEAN", "booleanValue", lambda value: isinstance(value, bool)),
    5: ("LONG", "longValue", lambda value: _is_int(value, INT64)),
    7: ("INTEGER LIST", "integerListValue", _is_list_of(lambda value: _is_int(value, INT32))),
    8: ("STRING LIST", "stringListValue", _is_list_of(_is_string)),
    10: ("BIG STRING", "bigStringValue", _is_string),
}


def check_value(field, value):
    """Why ``value`` does not fit ``field``, or None when it does."""
    kind = TYPES.get(field.get("type"))
    if kind is None:
        return "has type code %s, which this collection cannot write" % field.get("type")
    if not kind[2](value):
        return "needs a %s value, not %r" % (kind[0], value)
    options = field.get("options")
    chosen = value if isinstance(value, list) else [value]
    outside = [item for item in chosen if options and item not in options]
    if outside:
        return "does not offer %s (it offers %s)" % (", ".join(map(str, outside)), ", ".join(map(str, options)))
    return None


def encode(form, values):
    """``customFieldValueDetails`` for ``{name: value}``; every unknown name and wrong value is named at once."""
    by_name = dict((field["name"], field) for field in form)
    details, problems = {}, []
    for name in sorted(values):
        field = by_name.get(name)
        if field is None:
            problems.append("%r is not a custom field of the form (it has %s)" % (name, ", ".join(sorted(by_name)) or "none"))
            continue
        problem = check_value(field, values[name])
        if problem:
            problems.append("custom field %r %s" % (name, problem))
            continue
        details[str(field["id"])] = {"type": field["type"], TYPES[field["type"]][1]: values[name]}
    if problems:
        raise InvalidInput("; ".join(problems))
    return details


def decode(form, details):
    """``{name: value}`` for the custom values an incident holds; ids the form does not list are left out."""
    names = dict((str(field["id"]), field["name"]) for field in form)
    decoded = {}
    for field_id, detail in (details or {}).items():
        kind = TYPES.get((detail or {}).get("type"))
        if str(field_id) in names and kind:
            decoded[names[str(field_id)]] = detail.get(kind[1])
    return decoded
