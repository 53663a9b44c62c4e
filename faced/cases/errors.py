"""The one error the cases app raises to the people using it."""


class CaseError(ValueError):
    """A refusal whose message is safe and useful to show."""
