"""What the validators' results share (``idcard.IdCheck``, ``phones.PhoneCheck``)."""

from __future__ import annotations


class CheckOutcome:
    """A checked cell: ``value`` (normalised, None when blank or refused) and ``error``
    (the Chinese reason when something was entered but refused)."""

    __slots__ = ()
    value: str | None
    error: str | None

    @property
    def blank(self) -> bool:
        """Nothing was entered."""
        return self.value is None and self.error is None

    @property
    def ok(self) -> bool:
        """A value was entered and accepted."""
        return self.value is not None
