"""The lookup tests read the account the on-call module tests seed: their folder's helpers are importable here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))
