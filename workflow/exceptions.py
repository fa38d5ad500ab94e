"""What a refused action says. Each maps to one HTTP status in the API."""


class WorkflowError(Exception):
    status = 400
    code = "error"


class NotVisible(WorkflowError):
    """The user may not see the object (404: never reveal that it exists)."""

    status = 404
    code = "not_found"


class NotPermitted(WorkflowError):
    """The user sees the object but may not do this (403)."""

    status = 403
    code = "permission_denied"


class WrongState(WorkflowError):
    """Not possible from the current state, or a concurrent change won (409)."""

    status = 409
    code = "wrong_state"

    def __init__(self, message, *, state=None, transition=None):
        super().__init__(message)
        self.state = state
        self.transition = transition


class UnknownTransition(WorkflowError):
    status = 404
    code = "unknown_transition"


class ConditionsNotMet(WorkflowError):
    """One or more conditions failed (422); lists every one of them."""

    status = 422
    code = "conditions_not_met"

    def __init__(self, failures):
        super().__init__("; ".join(str(failure.message) for failure in failures))
        self.failures = list(failures)

    @property
    def codes(self):
        return [failure.code for failure in self.failures]
