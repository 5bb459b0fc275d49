"""Hypothesis profiles: a bounded run in the suite, a deeper one on demand.

`HYPOTHESIS_PROFILE=deep pytest tests/fuzz` explores 20x more inputs per property.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "suite", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("deep", parent=settings.get_profile("suite"), max_examples=4000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
