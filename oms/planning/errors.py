"""The error every planning file reader raises: all the problems of one file at once, one line each."""

from __future__ import annotations

from collections.abc import Sequence


class IntakeError(Exception):
    """A file a person must fix. `problems` holds one `FILE:LINE: field: reason` line per problem, in file order.

    `code` is a stable reason code for callers that branch on the kind of file that failed.
    """

    def __init__(self, problems: Sequence[str], *, code: str = "INTAKE_INVALID") -> None:
        self.problems: list[str] = list(problems)
        self.code = code
        super().__init__("\n".join(self.problems))


class PlanError(IntakeError):
    """Recommendations that parse but cannot be planned together (e.g. a sell larger than the holding)."""

    def __init__(self, problems: Sequence[str], *, code: str = "PLAN_INVALID") -> None:
        super().__init__(problems, code=code)
