"""Hypothesis profiles: the suite is repeatable, the fuzzer is not.

`make test` loads the "repeatable" profile: examples are derived from each test's name
(`derandomize`), nothing is read from or written to an example database, so the same commit
gives the same result on every machine. `make fuzz` loads the "fuzz" profile: fresh random
examples on every run, each property test drawing `FUZZ_SCALE` times as many. A case the fuzzer
finds becomes a regular test (see `scripts/fuzz.py`).
"""

import os

from hypothesis import settings

PROFILE_ENV = "HYPOTHESIS_PROFILE"
FUZZ_SCALE = 5  # a round (every property test once) takes a minute or two; make fuzz runs rounds until its time is up

settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)


def load_profile() -> str:
    """Load the profile named by $HYPOTHESIS_PROFILE (default "repeatable") and return its name."""
    name = os.environ.get(PROFILE_ENV, "repeatable")
    settings.load_profile(name)
    return name


def examples(count: int) -> int:
    """How many examples a property test draws: `count` in the suite, more under the fuzzer."""
    return count * FUZZ_SCALE if os.environ.get(PROFILE_ENV) == "fuzz" else count
