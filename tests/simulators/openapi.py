"""Check requests and responses against an OpenAPI 3.0 description.

PagerDuty's published description (JSON) and the tickets service's own
(``docs/tickets-openapi.yaml``) go through the same checker.  PagerDuty's is
large (2.7 MB), so a description is parsed once per process and per
file, operations are indexed by method and path shape up front, and the JSON
Schema validators are compiled lazily, one per body or parameter, and kept.

Schemas follow OpenAPI 3.0, not plain JSON Schema: ``nullable: true`` admits
``null``; a ``readOnly`` property listed in ``required`` is required only in
responses and a ``writeOnly`` one only in requests.  A ``readOnly`` property
sent in a request is accepted and ignored, as PagerDuty does when a client
sends back an object it read (``id``, ``self``, ``summary`` ...).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import yaml
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator._format import oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_ENV = "PAGERDUTY_OPENAPI_SPEC"
SPEC_RELATIVE = Path("shared", "specs", "pagerduty-rest-openapiv3.json")
DOCUMENT_URI = "urn:pagerduty-rest-openapi"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

_SPECS = {}
_SPECS_LOCK = threading.Lock()

# Where the description contradicts itself, the side PagerDuty's API takes: (pointer, property, schema, reason).
ERRATA = (
    ("#/components/schemas/IncidentBody/properties", "details", {"anyOf": [{"type": "string"}, {"type": "object"}]},
     "the schema says object, but the description's own create-incident example sends a string"),
    ("#/components/schemas/ScheduleLayer/properties", "end",
     {"type": "string", "format": "date-time", "nullable": True, "description": "null: the layer does not end"},
     "the field's description says null means the layer does not end, and PagerDuty returns null"),
    ("#/components/schemas/Oncall/properties", "start",
     {"type": "string", "format": "date-time", "nullable": True, "readOnly": True},
     "a permanent on-call (a user target of an escalation rule) has a null start, as the field's description says"),
    ("#/components/schemas/Oncall/properties", "end",
     {"type": "string", "format": "date-time", "nullable": True, "readOnly": True},
     "a permanent on-call has a null end, as the field's description says"),
    ("#/components/schemas/Oncall/properties", "schedule",
     {"anyOf": [{"$ref": "#/components/schemas/ScheduleReference"}, {"$ref": "#/components/schemas/V3ScheduleReference"},
                {"type": "string", "nullable": True, "enum": [None]}]},
     "a permanent on-call comes from no schedule: PagerDuty returns null"),
    ("#/components/schemas/Service/allOf/1/properties", "auto_resolve_timeout",
     {"type": "integer", "nullable": True, "minimum": 0},
     "the field's description says null (or 0) turns the feature off and must not be negative"),
    ("#/components/schemas/Service/allOf/1/properties", "acknowledgement_timeout",
     {"type": "integer", "nullable": True, "minimum": 0},
     "the field's description says null (or 0) turns the feature off and must not be negative"),
    ("#/components/schemas/Incident/allOf/1/properties", "resolved_at",
     {"type": "string", "format": "date-time", "nullable": True},
     "the field's description says it is null while the incident is not resolved"),
)

# Where the description is stricter than the real service, the side the service takes: (method, header, reason).
# A header listed here is not required on that method; a value that is sent is still checked.
HEADER_ERRATA = (
    ("GET", "Content-Type",
     "the description marks Content-Type required on every operation, but PagerDuty answers a GET without it, and "
     "common clients (curl, pdpyras) send none on a request without a body"),
)


class SpecViolation(Exception):
    """A request the published description does not allow."""

    def __init__(self, message, status=400, errors=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = list(errors or [message])


def find_spec(start=None):
    """The spec file: ``$PAGERDUTY_OPENAPI_SPEC``, else ``shared/specs/...`` beside a parent of ``start``."""
    configured = os.environ.get(SPEC_ENV)
    if configured:
        if not os.path.isfile(configured):
            raise FileNotFoundError("%s points to %s, which is not a file" % (SPEC_ENV, configured))
        return Path(configured)
    origin = Path(start or __file__).resolve()
    for folder in origin.parents:
        candidate = folder / SPEC_RELATIVE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "PagerDuty's OpenAPI description was not found: set %s or place it at %s in a parent folder of %s"
        % (SPEC_ENV, SPEC_RELATIVE, origin.parent))


def load_spec(path=None, errata=ERRATA):
    """The parsed, indexed description for ``path`` (PagerDuty's, found with ``find_spec``, when None), cached per process.

    A ``.yaml`` or ``.yml`` file is read as YAML, anything else as JSON;
    ``errata`` are PagerDuty's corrections, so another description passes ``()``.
    """
    resolved = str(Path(path).resolve()) if path else str(find_spec())
    with _SPECS_LOCK:
        spec = _SPECS.get(resolved)
        if spec is None:
            with open(resolved, encoding="utf-8") as handle:
                document = yaml.safe_load(handle) if resolved.endswith((".yaml", ".yml")) else json.load(handle)
            for erratum in errata:
                pointer, name, schema = erratum[:3]
                _resolve(document, pointer)[name] = schema
            spec = _SPECS[resolved] = ApiSpec(document)
        return spec


def _resolve(document, ref):
    node = document
    for part in ref.lstrip("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _pointer(*parts):
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _skip_required(validator, required, instance, schema, hidden):
    """``required`` that leaves out properties marked ``hidden`` (readOnly or writeOnly) here."""
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    for name in required:
        if name not in instance and not properties.get(name, {}).get(hidden, False):
            yield ValidationError("%r is a required property" % name)


def _request_required(validator, required, instance, schema):
    yield from _skip_required(validator, required, instance, schema, "readOnly")


def _response_required(validator, required, instance, schema):
    yield from _skip_required(validator, required, instance, schema, "writeOnly")


RequestValidator = extend(OAS30Validator, {"required": _request_required})
ResponseValidator = extend(OAS30Validator, {"required": _response_required})


def _wrong_kind(error):
    """True when an error only says the instance is another kind of object (its ``type`` field differs)."""
    return error.validator == "enum" and list(error.path)[-1:] == ["type"]


def describe_error(error):
    """One readable line for a schema violation: where it is, then what is wrong.

    For ``oneOf``/``anyOf`` the line comes from the alternative the instance
    was meant to be, the one whose ``type`` field matched, so a phone contact
    method without ``country_code`` is reported as just that.
    """
    while error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        chosen = min(branches.values(), key=lambda found: (any(_wrong_kind(sub) for sub in found), len(found)))
        error = best_match(chosen)
    location = "".join("[%d]" % part if isinstance(part, int) else ".%s" % part for part in error.absolute_path)
    return "%s: %s" % (location.lstrip(".") or "body", error.message)


class Parameter:
    """One header, query or path parameter of an operation."""

    def __init__(self, raw, spec):
        self.name = raw["name"]
        self.location = raw["in"]
        self.required = bool(raw.get("required")) or self.location == "path"
        self.schema = raw.get("schema") or {}
        if "$ref" in self.schema:
            self.schema = spec.resolve(self.schema["$ref"])
        self.is_array = self.schema.get("type") == "array"
        self.item_schema = self.schema.get("items", {}) if self.is_array else self.schema
        self._validator = None
        self._spec = spec

    def validator(self):
        if self._validator is None:
            self._validator = self._spec.validator_for(self.schema, RequestValidator)
        return self._validator

    def query_values(self, query):
        """The raw values sent for this parameter; ``name[]`` and ``name`` count alike."""
        values = query.get(self.name)
        if values is None and self.name.endswith("[]"):
            values = query.get(self.name[:-2])
        return values

    def coerce(self, text, schema):
        kind = schema.get("type")
        try:
            if kind == "integer":
                return int(text)
            if kind == "number":
                return float(text)
        except ValueError:
            raise SpecViolation("%s must be %s" % (self.name, "an integer" if kind == "integer" else "a number")) from None
        if kind == "boolean":
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            raise SpecViolation("%s must be true or false" % self.name)
        return text

    def check(self, value):
        errors = sorted(self.validator().iter_errors(value), key=lambda error: error.message)
        if errors:
            raise SpecViolation("%s %s is invalid: %s" % (self.location, self.name, errors[0].message))


class Operation:
    """One method on one path template, with what a request to it must satisfy."""

    def __init__(self, spec, method, template, raw, path_level_parameters):
        self.method = method.upper()
        self.template = template
        self.operation_id = raw.get("operationId", "")
        merged = {}
        for entry in list(path_level_parameters) + list(raw.get("parameters", [])):
            resolved = spec.resolve(entry["$ref"]) if "$ref" in entry else entry
            merged[(resolved["in"], resolved["name"].lower() if resolved["in"] == "header" else resolved["name"])] = resolved
        self.parameters = [Parameter(value, spec) for value in merged.values()]
        relaxed = set(name.lower() for method_name, name, _reason in HEADER_ERRATA if method_name == self.method)
        for parameter in self.parameters:
            if parameter.location == "header" and parameter.name.lower() in relaxed:
                parameter.required = False
        self.headers = [parameter for parameter in self.parameters if parameter.location == "header"]
        self.query = [parameter for parameter in self.parameters if parameter.location == "query"]
        self.path = [parameter for parameter in self.parameters if parameter.location == "path"]
        body = raw.get("requestBody")
        body_pointer = _pointer("paths", template, method, "requestBody")
        if body and "$ref" in body:
            body_pointer = body["$ref"]
            body = spec.resolve(body_pointer)
        self.body_required = bool(body and body.get("required"))
        self.body_schema = None
        if body and "application/json" in body.get("content", {}):
            self.body_schema = {"$ref": DOCUMENT_URI + body_pointer + "/content/application~1json/schema"}
        self.responses = raw.get("responses", {})
        self._body_validator = None
        self._spec = spec

    def header(self, name):
        for parameter in self.headers:
            if parameter.name.lower() == name.lower():
                return parameter
        return None

    def body_validator(self):
        if self._body_validator is None and self.body_schema is not None:
            self._body_validator = self._spec.validator_for(self.body_schema, RequestValidator)
        return self._body_validator

    def response_schema(self, status):
        """The JSON schema of a response with ``status``, as a ``$ref`` into the description, or None.

        A success status the description does not list falls back to the one
        it does (it gives ``GET /schedules/{id}/overrides`` a 201, where
        PagerDuty answers a GET with 200).
        """
        keys = [str(status), "%dXX" % (status // 100), "default"]
        if 200 <= status < 300:
            keys += sorted(key for key in self.responses if key.startswith("2"))
        for key in keys:
            response = self.responses.get(key)
            if response is None:
                continue
            pointer = _pointer("paths", self.template, self.method.lower(), "responses", key)
            if "$ref" in response:
                pointer = response["$ref"]
                response = self._spec.resolve(pointer)
            if "application/json" not in response.get("content", {}):
                return None
            return {"$ref": DOCUMENT_URI + pointer + "/content/application~1json/schema"}
        return None


class PathTemplate:
    """One path of the description, e.g. ``/users/{id}``, with its operations by method."""

    def __init__(self, template, operations):
        self.template = template
        self.operations = operations
        self.placeholders = template.count("{")
        self.pattern = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "/?$")


class ApiSpec:
    """The description, indexed for fast request matching.

    Paths are grouped by segment count and first segment, literal ones
    before templated ones, so a request is matched against a handful of
    patterns, not all 273.
    """

    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource(DOCUMENT_URI, Resource(contents=document, specification=DRAFT4))
        self._templates = {}
        self._groups = {}
        self._schemas = {}
        for template, item in document.get("paths", {}).items():
            operations = {method.upper(): Operation(self, method, template, item[method], item.get("parameters", []))
                          for method in METHODS if method in item}
            entry = self._templates[template] = PathTemplate(template, operations)
            segments = template.strip("/").split("/")
            first = None if segments[0].startswith("{") else segments[0]
            self._groups.setdefault((len(segments), first), []).append(entry)
        for entries in self._groups.values():
            entries.sort(key=lambda entry: (entry.placeholders, entry.template))

    def resolve(self, ref):
        """The object a local ``#/...`` reference points to."""
        return _resolve(self.document, ref)

    def validator_for(self, schema, validator_class):
        return validator_class(schema, registry=self.registry, format_checker=oas30_format_checker)

    def operation(self, method, template):
        """The operation for an exact path template, e.g. ``("GET", "/users/{id}")``."""
        entry = self._templates.get(template)
        return entry.operations.get(method.upper()) if entry else None

    def match(self, method, path):
        """The operation and path parameters for a concrete request path.

        Literal segments win over templated ones (``/users/me`` before
        ``/users/{id}``).  An unknown path is a 404, a known path without the
        method a 405, as PagerDuty answers.
        """
        path = path.rstrip("/") or "/"
        segments = path.strip("/").split("/")
        known_path = False
        for entry in self._groups.get((len(segments), segments[0]), []) + self._groups.get((len(segments), None), []):
            found = entry.pattern.match(path)
            if found:
                operation = entry.operations.get(method)
                if operation is not None:
                    return operation, found.groupdict()
                known_path = True
        if known_path:
            raise SpecViolation("Method %s is not allowed on %s" % (method, path), status=405)
        raise SpecViolation("Not Found", status=404, errors=["No such path: %s" % path])

    def check_request(self, operation, path_values, query, headers, body):
        """Raise ``SpecViolation`` for anything in a request to ``operation`` that the description rejects."""
        for parameter in operation.path:
            try:
                parameter.check(parameter.coerce(path_values.get(parameter.name, ""), parameter.schema))
            except SpecViolation as violation:
                # A path whose parameter does not fit the template (``/users/abc`` for an integer id) names nothing.
                raise SpecViolation("Not Found", status=404, errors=[violation.message]) from None
        for parameter in operation.headers:
            value = headers.get(parameter.name)
            if value is None:
                if parameter.required:
                    raise SpecViolation("header %s is required" % parameter.name)
                continue
            if parameter.name.lower() == "content-type":
                value = value.split(";", 1)[0].strip().lower()
            parameter.check(value)
        for parameter in operation.query:
            values = parameter.query_values(query)
            if values is None:
                if parameter.required:
                    raise SpecViolation("query parameter %s is required" % parameter.name)
                continue
            coerced = [parameter.coerce(value, parameter.item_schema) for value in values]
            if parameter.is_array:
                parameter.check(coerced)
            else:
                for value in coerced:
                    parameter.check(value)
        self._check_body(operation, body)

    @staticmethod
    def _check_body(operation, body):
        if not body:
            if operation.body_required:
                raise SpecViolation("A request body is required")
            return
        validator = operation.body_validator()
        if validator is None:
            return
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise SpecViolation("The request body is not valid JSON") from None
        error = best_match(validator.iter_errors(document))
        if error is not None:
            raise SpecViolation(describe_error(error))

    def check_object(self, schema_name, instance):
        """Raise ``SpecViolation`` unless ``instance`` is a valid ``components/schemas/<schema_name>`` in a request."""
        validator = self._schemas.get(schema_name)
        if validator is None:
            validator = self._schemas[schema_name] = self.validator_for(
                {"$ref": DOCUMENT_URI + _pointer("components", "schemas", schema_name)}, RequestValidator)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise SpecViolation("%s %s" % (schema_name, describe_error(error)))

    def response_errors(self, method, template, status, body):
        """Every way a response body differs from the description's schema for it."""
        operation = self.operation(method, template)
        if operation is None:
            return ["%s %s is not in the description" % (method, template)]
        schema = operation.response_schema(status)
        if schema is None:
            return [] if body in (None, b"", "") else ["%s %s %s has no JSON response" % (method, template, status)]
        validator = self.validator_for(schema, ResponseValidator)
        return [describe_error(error) for error in validator.iter_errors(body)]
