"""The rule's refusals: one line naming the object and what is missing."""

__all__ = ["RuleError"]


class RuleError(ValueError):
    """A model that SuperSpike cannot train as given; the message says which part and why."""
