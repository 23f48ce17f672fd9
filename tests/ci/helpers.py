#!/usr/bin/env python
"""Small helpers for the build and test pipeline (tests/ci/pipeline.sh).

Subcommands:

``free-port COUNT``
    print a base port P such that P .. P+COUNT-1 are all free on 127.0.0.1
``sim-config``
    read the simulators' JSON line on stdin and print the integration config
    (the same mapping plus ``sim_control``: the control API URL of each server,
    e.g. ``pagerduty``, ``pagerduty_events``, ``oncall_query``)
``find-spec START``
    print the path of PagerDuty's OpenAPI description found in
    ``shared/specs/`` beside START or one of its parents (nothing if absent)
``pytest-counts LOG``
    print "PASSED FAILED" read from the closing line of a pytest run
``sanity-counts LOG``
    print "PASSED FAILED" for one ansible-test sanity run
``integration-counts DIR LOG``
    print "PASSED FAILED" for an ansible-test integration run
``shard-targets INDEX COUNT TARGETS_DIR TARGET...``
    print the targets of shard INDEX (1-based) of COUNT, balanced by the size of
    each target's files, so parallel integration runs take about as long
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import sys
from urllib.parse import urlsplit

SPEC_RELATIVE = os.path.join('shared', 'specs', 'pagerduty-rest-openapiv3.json')


def port_free(port):
    """Return True when nothing listens on the port and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_port(count):
    """Return a base port whose next ``count`` ports are all free."""
    generator = random.Random()
    for _attempt in range(200):
        base = generator.randrange(20000, 60000 - count)
        if all(port_free(base + offset) for offset in range(count)):
            return base
    raise SystemExit('no block of %d free ports found' % count)


def control_urls(config):
    """Return a mapping of server name to the ``/_sim`` control URL of each simulated server."""
    controls = {}
    seen = set()
    for service, options in config.items():
        if not isinstance(options, dict):
            continue
        for key, value in sorted(options.items()):
            if not isinstance(value, str) or not key.endswith('url'):
                continue
            parts = urlsplit(value)
            if parts.scheme not in ('http', 'https') or not parts.netloc:
                continue
            origin = '%s://%s' % (parts.scheme, parts.netloc)
            if origin in seen:
                continue
            seen.add(origin)
            prefix = key[:-len('url')].rstrip('_')
            name = service if prefix in ('', 'api') or service.endswith('_' + prefix) else '%s_%s' % (service, prefix)
            controls[name] = origin + '/_sim'
    return controls


def sim_config(text):
    """Return the integration config (JSON, which is YAML) for the simulators' JSON line."""
    line = text.strip().splitlines()[0] if text.strip() else ''
    try:
        config = json.loads(line)
    except ValueError as error:
        raise SystemExit('the simulators printed no JSON line: %s (%r)' % (error, line[:200])) from error
    if not isinstance(config, dict):
        raise SystemExit('the simulators printed JSON that is not an object: %r' % line[:200])
    config['sim_control'] = control_urls(config)
    return json.dumps(config, indent=2, sort_keys=True)


def find_spec(start):
    """Return the OpenAPI description beside ``start`` or a parent of it, or an empty string."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, SPEC_RELATIVE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return ''
        folder = parent


def read(path):
    """Return the text of a log file, or an empty string when it is missing."""
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read()
    except OSError:
        return ''


def pytest_counts(log):
    """Return (passed, failed) from pytest's closing summary line."""
    passed = failed = 0
    for line in reversed(read(log).splitlines()):
        if re.search(r'\d+ (passed|failed|error|errors|skipped|deselected)\b', line) or 'no tests ran' in line:
            found = dict((word, int(number)) for number, word in re.findall(r'(\d+) (passed|failed|errors?)\b', line))
            passed = found.get('passed', 0)
            failed = found.get('failed', 0) + found.get('error', 0) + found.get('errors', 0)
            break
    return passed, failed


def sanity_counts(log):
    """Return (passed, failed) for an ansible-test sanity log."""
    text = read(log)
    ran = len(re.findall(r'^Running sanity test "', text, re.MULTILINE))
    match = re.search(r'The (\d+) sanity test\(s\) listed below \(out of (\d+)\) failed', text)
    failed = int(match.group(1)) if match else 0
    return max(ran - failed, 0), failed


def integration_counts(directory, log):
    """Return (passed, failed) for an ansible-test integration run in ``directory``."""
    passed = 0
    data = os.path.join(directory, 'tests', 'output', 'data')
    if os.path.isdir(data):
        for name in sorted(os.listdir(data)):
            if name.startswith('integration-') and name.endswith('.json'):
                with open(os.path.join(data, name), encoding='utf-8') as handle:
                    passed += len(json.load(handle).get('targets', {}))
    match = re.search(r'The (\d+) integration test\(s\) listed below \(out of (\d+)\) failed', read(log))
    failed = int(match.group(1)) if match else 0
    return passed, failed


def target_weight(targets_dir, target):
    """The bytes of a target's files: a fair stand-in for how long it runs."""
    total = 0
    for folder, _dirs, files in os.walk(os.path.join(targets_dir, target)):
        total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total


def shard_targets(index, count, targets_dir, targets):
    """Shard ``index`` (1-based) of ``count``: the heaviest target goes to the lightest shard, in turn."""
    shards = [[0, []] for _shard in range(count)]
    for target in sorted(targets, key=lambda name: (-target_weight(targets_dir, name), name)):
        lightest = min(shards, key=lambda shard: shard[0])
        lightest[0] += target_weight(targets_dir, target)
        lightest[1].append(target)
    return sorted(shards[index - 1][1])


def main(argv):
    """Command line entry point."""
    if not argv:
        raise SystemExit(__doc__)
    command, args = argv[0], argv[1:]
    if command == 'free-port':
        print(free_port(int(args[0]) if args else 1))
    elif command == 'sim-config':
        print(sim_config(sys.stdin.read()))
    elif command == 'find-spec':
        print(find_spec(args[0]))
    elif command == 'pytest-counts':
        print('%d %d' % pytest_counts(args[0]))
    elif command == 'sanity-counts':
        print('%d %d' % sanity_counts(args[0]))
    elif command == 'integration-counts':
        print('%d %d' % integration_counts(args[0], args[1]))
    elif command == 'shard-targets':
        print(' '.join(shard_targets(int(args[0]), int(args[1]), args[2], args[3:])))
    else:
        raise SystemExit('unknown subcommand %r\n%s' % (command, __doc__))


if __name__ == '__main__':
    main(sys.argv[1:])
