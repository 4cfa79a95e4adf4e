"""The words of the report's verdicts, shared by the claims and the comparison with [C]."""

__all__ = [
    "HOLDS",
    "FAILS",
    "INCONCLUSIVE",
    "UNTESTED",
    "NOT_APPLICABLE",
    "CONSISTENT",
    "DIFFERS",
]

#: A claim, judged by its stated criterion.
HOLDS = "holds"
FAILS = "does not hold"
INCONCLUSIVE = "inconclusive"
UNTESTED = "not measured"
#: The reference judged on a claim that is itself a comparison with the reference.
NOT_APPLICABLE = "not applicable"
#: This package against the reference implementation on the same data.
CONSISTENT = "consistent"
DIFFERS = "differs"
