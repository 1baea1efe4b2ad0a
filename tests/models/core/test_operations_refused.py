"""Every operation of models/ refuses a role the permission table refuses, called directly (no
UI, no Qt): a table test over every ``@operation`` × every role (issue 10)."""

import importlib
import pkgutil

import pytest

import models
from models.core import permissions as P
from models.core.db import Operator


def _operations():
    found = {}
    for info in pkgutil.walk_packages(models.__path__, "models."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "op") and hasattr(value, "permissions") \
                    and value.__module__ == info.name and value.permissions:
                found[f"{info.name}.{name}"] = value
    return found


OPERATIONS = _operations()


def test_the_operations_are_found():
    assert "models.core.accounts.create_user" in OPERATIONS
    assert "models.grids.hierarchy.add_grid" in OPERATIONS
    assert len(OPERATIONS) > 20


@pytest.mark.parametrize("role", [*P.ROLES, None])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_follows_the_table(ledger, name, role):
    fn = OPERATIONS[name]
    ledger.operator = Operator("某人", user_id=None, role=role, grid_ids=frozenset(), sensitive=True)
    may = all(P.may(role, action) for action in fn.permissions)
    before = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    if may:
        try:                                    # the permission passes; the missing arguments do not
            fn(ledger)
        except P.PermissionDenied as exc:       # pragma: no cover - the failure this test is for
            pytest.fail(f"{name} refused {role}: {exc}")
        except Exception:  # noqa: BLE001 - TypeError for the missing arguments, or a rule's own refusal
            pass
    else:
        with pytest.raises(P.PermissionDenied):
            fn(ledger)
        with pytest.raises(P.PermissionDenied):
            fn.op(ledger)
        assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == before    # nothing written
