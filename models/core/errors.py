"""The two kinds of error (after qutebrowser's misc/sql.py).

``LedgerError`` and its subclasses carry a message in Chinese meant for the clerk:
bad input, an action the workflow forbids, a locked or unreadable file.  Anything
else that escapes models/ is our bug and is logged with a traceback.
"""


class LedgerError(Exception):
    """An error whose message (Chinese) can be shown to the clerk as it is."""


class ValidationError(LedgerError):
    """Input that breaks a rule of SPEC §7. ``field`` names the offending field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(LedgerError):
    """A record the caller named does not exist."""


class WorkflowError(LedgerError):
    """An action the matter workflow (or another rule table) does not allow."""


class EnvironmentProblem(LedgerError):
    """Disk full, file locked, read-only or not a ledger: the environment's fault."""
