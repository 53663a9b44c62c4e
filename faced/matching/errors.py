"""The one error the matching escrow raises to the people using it."""


class MatchingError(ValueError):
    """A refusal whose message is safe and useful to show."""
