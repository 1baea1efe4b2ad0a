"""The October 2026 ledger of ``evaluation_builders`` as a fixture."""

import pytest

from tests.models.evaluation.evaluation_builders import build_october


@pytest.fixture
def october(ledger, clock):
    """The October 2026 ledger of the builders' docstring, seen from 2026-11-20."""
    return build_october(ledger, clock)
