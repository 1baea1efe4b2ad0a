"""Fixtures of the printout-data tests: the report tests' sample ledger and the evaluation's October."""

import pytest

from tests.models.evaluation.evaluation_builders import build_october
from tests.reports.report_helpers import build_sample


@pytest.fixture
def sample(ledger, clock):
    return build_sample(ledger, clock)


@pytest.fixture
def october(ledger, clock):
    """The October 2026 ledger of tests/models/evaluation/evaluation_builders.py, seen from 2026-11-20."""
    return build_october(ledger, clock)
