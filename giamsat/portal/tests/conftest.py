"""The evaluated demo history, shared with the evaluation's tests (one fixture, one place)."""

from giamsat.evaluation.tests.conftest import demo_evaluated  # noqa: F401
