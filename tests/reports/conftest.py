"""Fixtures of the report tests: a small ledger with residents, matters, visits and activities."""

import pytest

from tests.reports.report_helpers import build_sample


@pytest.fixture
def sample(ledger, clock):
    return build_sample(ledger, clock)
