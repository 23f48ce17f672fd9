# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Attachments: local files a task lists, and whether an incident already holds each of them.

A file counts as attached when the incident has an attachment of the same
name whose bytes, read back from the desk, have the same SHA-256; so a
re-run uploads nothing, and a changed file of the same name is uploaded again.
"""

import hashlib
import os

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_once


class LocalFile:
    """One file to attach: its name at the desk, its bytes and their digest."""

    def __init__(self, path, content):
        self.path = path
        self.name = os.path.basename(path)
        self.content = content
        self.digest = hashlib.sha256(content).hexdigest()


def read_files(paths):
    """Read every file before any request, so an unreadable path is bad input and nothing is written."""
    files, seen, problems = [], set(), []
    for path in paths or []:
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except (IOError, OSError) as error:
            problems.append("%s (%s)" % (path, error.strerror or error))
            continue
        check_once(seen, os.path.basename(path), "The attachment name %r" % os.path.basename(path))
        files.append(LocalFile(path, content))
    if problems:
        raise InvalidInput("Cannot read the attachment(s) %s" % ", ".join(problems))
    return files


def attached(api, incident, files):
    """The files the incident already holds: same name, same SHA-256; only same-named attachments are read back."""
    held = (incident or {}).get("fileAttachments") or []
    digests = {}
    found = []
    for local in files:
        for item in held:
            if item.get("realName") != local.name:
                continue
            ref = item.get("refFileName")
            if ref not in digests:
                digests[ref] = hashlib.sha256(api.download(ref)).hexdigest()
            if digests[ref] == local.digest:
                found.append(local)
                break
    return found
