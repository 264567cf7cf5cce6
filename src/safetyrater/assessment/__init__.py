"""Mock calibration assessments: timed forms from a held-back pool, a pass mark, a report.

* :mod:`.forms`: seeded, stratified draws from ``datasets/pool/`` and the
  reference-free form a learner deployment receives;
* :mod:`.session`: one timed attempt saved as data (answers, late answers, time
  per case), the attempt history and the attempt cap;
* :mod:`.report`: grading with the one grading core, the pass mark, the
  tendencies and the comparison with earlier attempts;
* :mod:`.ui`: the widget the notebook shows.

Importing this package stays light; the notebook's call loads the rest.
"""

from __future__ import annotations

from typing import Any

__all__ = ["start_assessment"]


def start_assessment(cases: int | None = None, minutes: float | None = None, seed: int | None = None, **options: Any) -> Any:
    """Show a mock assessment: resume the open attempt or draw a new form (see :mod:`.ui`)."""
    from .ui import start_assessment as _start_assessment

    return _start_assessment(cases, minutes, seed, **options)
