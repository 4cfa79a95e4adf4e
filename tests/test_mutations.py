"""The mutation check (``tests/mutations.py``) still matches the code it mutates.

The check itself runs for many minutes (``make mutate``); here only that every
mutation applies (its text occurs exactly once) and that every test it names
exists, so that a change of the code or of the tests cannot make a mutation
silently meaningless.
"""

import re
from pathlib import Path

import pytest

from . import mutations

ALL = mutations.MUTATIONS + mutations.LEARNING_MUTATIONS


def test_every_mutation_applies_to_the_code():
    mutations.check_all()


def test_a_mutation_that_no_longer_matches_stops_the_check(tmp_path):
    stale = mutations.Mutation(
        "stale", "text that is not there", ((mutations.OPTIMIZER_PY, "no such code", "x"),), ()
    )
    with pytest.raises(SystemExit, match="stale.*0 copies of 'no such code'"):
        mutations.check_all(mutations=(stale,))


@pytest.mark.parametrize("node", sorted({t for m in ALL for t in m.tests}))
def test_named_tests_exist(node):
    path, _, rest = node.partition("::")
    file = mutations.ROOT / path
    assert file.is_file(), node
    if rest:
        function = re.match(r"\w+", rest).group(0)
        assert re.search(rf"^def {function}\(", file.read_text(), flags=re.MULTILINE), node


def test_names_are_unique_and_every_real_mutation_has_tests():
    names = [m.name for m in ALL]
    assert len(set(names)) == len(names)
    assert all(m.tests for m in ALL)
    assert Path(mutations.__file__).parent == mutations.ROOT / "tests"
