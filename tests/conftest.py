"""Test-session settings.

Standalone builds go to one cache directory for the whole test session (never
the user's ``~/.cache``), so that tests of the same model structure share one
compiled binary, as runs do. Tests about building itself give their own
``build_dir``.
"""

import os
import tempfile

import pytest


@pytest.fixture(scope="session", autouse=True)
def _build_cache(tmp_path_factory):
    if "SUPERSPIKE_BUILD_DIR" not in os.environ:
        os.environ["SUPERSPIKE_BUILD_DIR"] = str(tmp_path_factory.mktemp("build-cache"))
    yield


def pytest_configure(config):
    # Sweep runs are subprocesses: they read the variable at start.
    if "SUPERSPIKE_BUILD_DIR" not in os.environ:
        os.environ["SUPERSPIKE_BUILD_DIR"] = tempfile.mkdtemp(prefix="superspike-test-cache-")
    # Networks the tests write themselves (tests/graphs.py, the rule's API tests) run
    # on Brian2's runtime device with its default code target, Cython, which compiles
    # one extension module per code object: minutes on a fresh machine, whose Cython
    # cache is empty. numpy runs the same generated code without a compile (the
    # trainer's default on runtime); the Cython target has its own test
    # (test_model_vs_oracle_options.py::test_cython_target_matches_oracle).
    from brian2 import prefs

    prefs.codegen.target = "numpy"
