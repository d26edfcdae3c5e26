"""How a panel member's decisions agree with the panel's earlier decisions (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    """Decisions compared with an earlier majority, and how many matched it."""

    compared: int = 0
    matched: int = 0

    def label(self) -> str:
        """``3 of 4`` (or a dash before any comparison)."""
        return f"{self.matched} of {self.compared}" if self.compared else "–"


def earlier_majority(earlier: Mapping[str, int]) -> str | None:
    """'confirm' or 'reject' when earlier decisions on a standard lean one way; ``None`` on a tie."""
    confirmed, rejected = earlier.get("confirmed", 0), earlier.get("rejected", 0)
    if confirmed == rejected:
        return None
    return "confirm" if confirmed > rejected else "reject"


def after_decision(agreement: Agreement, decision: str, earlier: Mapping[str, int]) -> Agreement:
    """The running agreement once ``decision`` is made, given earlier decisions on the same standard."""
    majority = earlier_majority(earlier)
    if majority is None:
        return agreement
    return Agreement(agreement.compared + 1, agreement.matched + int(decision == majority))


def machine_agreement(statuses: Mapping[str, int]) -> str:
    """Share of decided suggestions the panel confirmed, as a percentage (or a dash)."""
    decided = statuses.get("confirmed", 0) + statuses.get("rejected", 0)
    return f"{statuses.get('confirmed', 0) / decided:.0%}" if decided else "–"
