# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bounded concurrency for modules that manage many objects in one task.

A loop of tasks pays Ansible's per-task cost for every object and waits for
each request in turn; a bulk module instead works on several objects at once
from a few threads that share one ``client.Client``.  Two rules keep that
polite to the API:

- ``RequestBudget`` lets at most ``per_minute`` requests start in any
  sliding minute (the way the APIs count), and when the server still answers
  429 every thread waits until the moment it names, not only the one that got it;
- ``run_each`` runs at most ``workers`` objects at a time and returns every
  outcome in the order given, an exception in place of a result for an
  object that failed in an expected way, so one bad object neither hides nor stops the others.
"""

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

WINDOW_SECONDS = 60.0
DEFAULT_HOLD_SECONDS = 1.0


class RequestBudget:
    """A per-run request budget shared by threads: ``acquire()`` before each request, ``hold()`` after a 429."""

    def __init__(self, per_minute, window=WINDOW_SECONDS, clock=time.monotonic, sleep=time.sleep):
        if per_minute < 1:
            raise ValueError("a request budget needs at least one request per minute")
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.started = deque()
        self.held_until = 0.0
        self.lock = threading.Lock()

    def acquire(self):
        """Wait until a request may start without going over the budget, and count it."""
        while True:
            wait = self._take()
            if wait <= 0:
                return
            self.sleep(wait)

    def _take(self):
        """Count a request and return 0 when one may start now, else the seconds to wait before asking again."""
        with self.lock:
            now = self.clock()
            if now < self.held_until:
                return self.held_until - now
            while self.started and now - self.started[0] >= self.window:
                self.started.popleft()
            if len(self.started) < self.per_minute:
                self.started.append(now)
                return 0
            return self.started[0] + self.window - now

    def hold(self, seconds=None):
        """The server refused a request for the rate: no thread starts another for ``seconds`` (its hint) or a second."""
        with self.lock:
            self.held_until = max(self.held_until, self.clock() + (seconds if seconds else DEFAULT_HOLD_SECONDS))


def run_each(items, work, workers, expected=(Exception,)):
    """``work(item)`` for every item, ``workers`` at a time; a list of ``(item, result, error)`` in the items' order.

    Only ``expected`` errors are caught and returned with their item; any
    other one is a bug and is raised as it is.
    """
    def attempt(item):
        try:
            return item, work(item), None
        except expected as error:
            return item, None, error

    items = list(items)
    if len(items) <= 1 or workers <= 1:
        return [attempt(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(attempt, items))
