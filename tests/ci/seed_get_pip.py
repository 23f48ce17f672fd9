#!/usr/bin/env python
"""Seed ansible-test's pip bootstrap cache from the package index.

ansible-test creates a fresh virtual environment for most sanity tests and puts
pip into it with a bootstrap script that it downloads from a CI file host. On a
machine that reaches only the package index that download fails. This script
finds the pip version the installed ansible-test asks for, downloads that pip
wheel with ``pip download`` and writes a bootstrap script, with the wheel
embedded, where ansible-test looks for its cached copy:
``~/.ansible/test/cache/get_pip_<version with dots as underscores>.py``.

ansible-test runs the cached script as ``__main__`` with pip install arguments
such as ``pip==24.2 --no-setuptools --no-wheel``; the generated script installs
pip from its embedded wheel with those arguments, like the upstream script.

Run it with the Python of the environment that has ansible-core installed.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import subprocess
import sys
import tempfile
import types

MARKER = '# incident.ops offline pip bootstrap'

TEMPLATE = '''#!/usr/bin/env python
%(marker)s for pip %(version)s
"""Install pip %(version)s from the wheel embedded below (no network needed).

Accepts the arguments of the upstream get-pip script: pip install arguments,
plus --no-setuptools and --no-wheel, which only stop it from adding those
packages (this script never adds them).
"""
import base64
import os
import shutil
import sys
import tempfile

WHEEL_NAME = %(wheel_name)r
PIP_VERSION = %(version)r
WHEEL_DATA = """
%(data)s
"""


def main():
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    workdir = tempfile.mkdtemp(prefix='get-pip-')
    try:
        wheel = os.path.join(workdir, WHEEL_NAME)
        with open(wheel, 'wb') as handle:
            handle.write(base64.b85decode(WHEEL_DATA.replace('\\n', '')))
        # A requirement for this pip version is served from the embedded wheel.
        args = [wheel if arg.replace(' ', '') in ('pip==' + PIP_VERSION, 'pip') else arg for arg in args]
        if wheel not in args:
            args.append(wheel)
        sys.path.insert(0, wheel)
        from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
        return pip_main(['install', '--upgrade', '--force-reinstall', '--no-deps'] + args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
'''


def wanted_pip_versions():
    """Return the pip versions the installed ansible-test bootstraps for this Python."""
    from ansible_test._internal import python_requirements  # pylint: disable=import-outside-toplevel

    python = types.SimpleNamespace(version='%d.%d' % sys.version_info[:2])
    versions = {python_requirements.get_venv_packages(python)['pip']}
    return sorted(versions)


def cache_path(version):
    """Return the path where ansible-test looks for the cached bootstrap script."""
    from ansible_test._util.target.setup import requirements  # pylint: disable=import-outside-toplevel

    source = open(requirements.__file__, encoding='utf-8').read()  # pylint: disable=consider-using-with
    match = re.search(r"cache_path = os\.path\.expanduser\('([^']+)' % pip_version\.replace\(\"\.\", \"_\"\)\)", source)
    pattern = match.group(1) if match else '~/.ansible/test/cache/get_pip_%s.py'
    return os.path.expanduser(pattern % version.replace('.', '_'))


def download_wheel(version, directory):
    """Download the pip wheel of the given version and return its path."""
    subprocess.run(
        [sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
         '--no-deps', '--only-binary=:all:', '--dest', directory, 'pip==%s' % version],
        check=True,
    )
    wheels = [name for name in os.listdir(directory) if name.startswith('pip-%s-' % version) and name.endswith('.whl')]
    if len(wheels) != 1:
        raise SystemExit('expected one pip %s wheel, found %r' % (version, wheels))
    return os.path.join(directory, wheels[0])


def render(version, wheel):
    """Return the text of a bootstrap script that embeds the given wheel."""
    with open(wheel, 'rb') as handle:
        encoded = base64.b85encode(handle.read()).decode('ascii')
    lines = '\n'.join(encoded[pos:pos + 100] for pos in range(0, len(encoded), 100))
    return TEMPLATE % dict(marker=MARKER, version=version, wheel_name=os.path.basename(wheel), data=lines)


def seed(version, force=False):
    """Write the bootstrap script for one pip version unless a usable one is cached."""
    path = cache_path(version)
    if os.path.exists(path) and not force:
        print('pip %s bootstrap already cached: %s' % (version, path))
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='seed-get-pip-') as workdir:
        text = render(version, download_wheel(version, workdir))
    descriptor, partial = tempfile.mkstemp(prefix='.get_pip-', suffix='.partial', dir=os.path.dirname(path))
    with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(partial, 0o644)
    os.replace(partial, path)
    print('pip %s bootstrap written: %s' % (version, path))


def main():
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--force', action='store_true', help='rewrite the script even if one is cached')
    options = parser.parse_args()
    for version in wanted_pip_versions():
        seed(version, force=options.force)


if __name__ == '__main__':
    main()
