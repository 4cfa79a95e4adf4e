"""Mutation check: do the fast tests catch a wrong learning rule?

Each mutation below is a small semantic change of the model (the error's sign,
the surrogate derivative, RMaxProp, the eligibility kernel, the regularizer
exponent, the feedback weights, the scale of the accumulator ``m`` in each
engine, the burn-in, the checkpoint, input validation, a default that is not
the spec's), written as literal text replacements. One at a time, the
repository is copied to a temporary directory, the mutation is applied there,
and a short list of fast tests runs in the copy (the same virtual environment,
``PYTHONPATH`` set to the copy, so the copy's package is imported; this is
checked before every run), each with its own ``SUPERSPIKE_BUILD_DIR`` (compiled
code differs). The script prints, for every mutation, the tests that failed, or
NOT CAUGHT.

Every mutation that is not equivalent must be caught; an equivalent one (the
model computes the same thing) is listed with the reason and is expected to
pass its tests. A mutation whose text is no longer found in the repository
stops the check at once (``tests/test_mutations.py`` checks the same in every
test run), so the list cannot rot silently.

Usage::

    python tests/mutations.py                 # every mutation (make mutate)
    python tests/mutations.py --list          # names and descriptions only
    python tests/mutations.py --only m-scale-cpp burn-in-one-interval
    python tests/mutations.py --learning      # the slow learning tests instead
    python tests/mutations.py --learning --tests tests/test_learning.py::test_single_neuron_learns

The exit status is 1 if a non-equivalent mutation is not caught or the
selected tests fail on the unmutated copy.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Files and folders not copied: environment, version control, outputs, caches.
IGNORED = (".venv", ".git", "runs", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info")

#: Seconds one mutation's tests may take before it counts as a failure of the check.
TIMEOUT_S = 1800

# Fast tests (seconds each on runtime; the C++ one compiles a binary, a few minutes).
ORACLE_RUNTIME = "tests/test_model_vs_oracle.py::test_runtime_matches_oracle"
HIDDEN_RUNTIME = "tests/test_model_vs_oracle.py::test_hidden_layer_matches_oracle"
EXPONENT_RUNTIME = "tests/test_model_vs_oracle_options.py::test_regularizer_exponent_matches_oracle"
FACTORIZED_NUMPY = "tests/test_factorized.py"
FACTORIZED_NUMPY_ORACLE = (
    "tests/test_model_vs_oracle.py::test_factorized_engine_matches_oracle"
    "[hidden1-symmetric-False-None-runtime]"
)
FACTORIZED_CPP = (
    "tests/test_model_vs_oracle.py::test_factorized_engine_inside_binary_matches_oracle"
    "[hidden3-symmetric-True-2.0]"
)
OPTIMIZER = "tests/test_optimizer_cost.py"
INPUTS = "tests/test_inputs.py"
CHECKPOINT = "tests/test_resume.py::test_checkpoint_keeps_every_piece_of_state"
SPIKEIO = "tests/test_spikeio.py"

# The slow learning tests (--learning): each must fail when learning is broken.
LEARNING = (
    "tests/test_learning.py::test_single_neuron_learns",
    "tests/test_hidden_learning.py::test_symmetric_feedback_learns_from_silent_start",
    "tests/test_xor.py::test_symmetric_feedback_learns_xor_and_no_hidden_layer_does_not",
)

ERROR_PY = "superspike_brian/model/error.py"
ELIGIBILITY_PY = "superspike_brian/model/eligibility.py"
NEURONS_PY = "superspike_brian/model/neurons.py"
OPTIMIZER_PY = "superspike_brian/model/optimizer.py"
REGULARIZER_PY = "superspike_brian/model/regularizer.py"
FEEDBACK_PY = "superspike_brian/model/feedback.py"
MATH_PY = "superspike_brian/engines/factorized_math.py"
NUMPY_ENGINE_PY = "superspike_brian/engines/factorized_numpy.py"
RULE_BUILD_PY = "superspike_brian/rule/build.py"
CPP_H = "superspike_brian/engines/cpp/factorized_engine.h"
SCHEDULE_PY = "superspike_brian/training/schedule.py"
CHECKPOINT_PY = "superspike_brian/training/checkpoint.py"
SPIKEIO_PY = "superspike_brian/tasks/spikeio.py"
CLI_BUILD_PY = "superspike_brian/cli/build.py"
CLI_REGULARIZER = "tests/test_cli.py::test_regularizer_option_reaches_the_network"
PARAMETERS_PY = "superspike_brian/model/parameters.py"
SPEC_VALUES = "tests/test_spec_values.py::test_model_parameter_default"


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One semantic change of the model.

    Attributes
    ----------
    name : str
        Short identifier (``--only``).
    what : str
        What the mutation does, for the table.
    edits : tuple of (path, old, new)
        Literal replacements, applied in order; ``old`` must occur exactly once
        in the file at the time it is applied.
    tests : tuple of str
        Pytest node ids (or files) that should catch it.
    equivalent : str
        Empty for a real fault; otherwise why the model computes the same.
    """

    name: str
    what: str
    edits: tuple
    tests: tuple
    equivalent: str = ""


# Both error modes: van Rossum (single neuron, patterns) and classification (XOR).
SIGN_FLIPPED = (
    (ERROR_PY, 'OUTPUT_RESET = "er -= 1"', 'OUTPUT_RESET = "er += 1"'),
    (ERROR_PY, 'ON_TARGET = "er += 1"', 'ON_TARGET = "er -= 1"'),
    (ERROR_PY, "er += 1 - got", "er -= 1 - got"),
    (ERROR_PY, 'store = "er -=" if n_err == 0', 'store = "er +=" if n_err == 0'),
    (
        ERROR_PY,
        'ON_DELAYED_ERROR_ARRIVAL = "er -= pending"',
        'ON_DELAYED_ERROR_ARRIVAL = "er += pending"',
    ),
)
SURROGATE_ONE = (
    (
        NEURONS_PY,
        'SURROGATE_CODE = "sigma_prime = int(U > U_cut) / (1 + abs(beta * (U - theta)))**2"',
        'SURROGATE_CODE = "sigma_prime = 1"',
    ),
)
ERROR_ZEROED = (
    (
        ELIGIBILITY_PY,
        "dm/dt = err_post * lam - {regularizer}",
        "dm/dt = 0 * err_post * lam - {regularizer}",
    ),
)

MUTATIONS = (
    Mutation(
        "error-sign",
        "error sign flipped (er -1 on a target spike or a missed window, +1 on an output spike)",
        SIGN_FLIPPED,
        (ORACLE_RUNTIME,),
    ),
    Mutation("surrogate-one", "sigma' replaced by 1", SURROGATE_ONE, (ORACLE_RUNTIME,)),
    Mutation(
        "rmaxprop-sqrt",
        "RMaxProp divides by v instead of sqrt(v)",
        ((OPTIMIZER_PY, "lr * g / (sqrt(v) + eps_rms)", "lr * g / (v + eps_rms)"),),
        (OPTIMIZER, ORACLE_RUNTIME),
    ),
    Mutation(
        "rmaxprop-max",
        "RMaxProp v = g**2 (no max with the decayed v)",
        ((OPTIMIZER_PY, "v = clip(g**2, gamma_rms * v, inf)", "v = g**2"),),
        (OPTIMIZER, ORACLE_RUNTIME),
    ),
    Mutation(
        "kernel-synaptic",
        "per-synapse eligibility: second filter with tau_rise",
        (
            (
                ELIGIBILITY_PY,
                "dlam/dt = (lam_r - lam) / tau_decay",
                "dlam/dt = (lam_r - lam) / tau_rise",
            ),
        ),
        (ORACLE_RUNTIME,),
    ),
    Mutation(
        "kernel-swap-synaptic",
        "per-synapse eligibility: tau_rise and tau_decay swapped",
        (
            (ELIGIBILITY_PY, "zt_pre - lam_r) / tau_rise", "zt_pre - lam_r) / tau_decay"),
            (
                ELIGIBILITY_PY,
                "dlam/dt = (lam_r - lam) / tau_decay",
                "dlam/dt = (lam_r - lam) / tau_rise",
            ),
        ),
        (ORACLE_RUNTIME,),
        equivalent=(
            "the two cascaded first-order filters commute (their exact one-step maps are "
            "products of the same two transfer functions), so lam and m are unchanged; only "
            "the internal lam_r differs"
        ),
    ),
    Mutation(
        "kernel-numpy",
        "numpy factorized engine: second filter with tau_rise",
        (
            (
                MATH_PY,
                "self.b = math.exp(-self.dt / tau_decay)",
                "self.b = math.exp(-self.dt / tau_rise)",
            ),
        ),
        (FACTORIZED_NUMPY,),
    ),
    Mutation(
        "kernel-cpp",
        "C++ factorized engine: lam kernel decays with a instead of b",
        (
            (
                CPP_H,
                "const double q_new = r[c] + (q[c] - r[c]) * b_;",
                "const double q_new = r[c] + (q[c] - r[c]) * a_;",
            ),
        ),
        (FACTORIZED_CPP,),
    ),
    Mutation(
        "exponent-synaptic",
        "per-synapse regularizer: exponent hard-coded 4",
        ((REGULARIZER_PY, 'TERM = "rho * w * zh_post**rho_a"', 'TERM = "rho * w * zh_post**4"'),),
        (EXPONENT_RUNTIME,),
    ),
    Mutation(
        "exponent-numpy",
        "numpy factorized regularizer: exponent hard-coded 4",
        ((MATH_PY, "(zh**a_exp).sum(axis=0)", "(zh**4.0).sum(axis=0)"),),
        (FACTORIZED_NUMPY,),
    ),
    Mutation(
        "exponent-cpp",
        "C++ factorized regularizer: exponent hard-coded 4",
        ((CPP_H, "std::pow((double)zh[i], a_exp_)", "std::pow((double)zh[i], 4.0)"),),
        (FACTORIZED_CPP,),
    ),
    Mutation(
        "m-scale-synaptic",
        "per-synapse engine: m times 1.001",
        (
            (
                ELIGIBILITY_PY,
                "dm/dt = err_post * lam - {regularizer} :",
                "dm/dt = 1.001 * (err_post * lam - {regularizer}) :",
            ),
        ),
        (ORACLE_RUNTIME,),
    ),
    Mutation(
        "m-scale-numpy",
        "numpy factorized engine: m times 1.001",
        ((MATH_PY, "m = self.dt * drive", "m = 1.001 * self.dt * drive"),),
        (FACTORIZED_NUMPY,),
    ),
    Mutation(
        "m-scale-cpp",
        "C++ factorized engine: m times 1.001",
        ((CPP_H, "m[k] = dt_ * drive;", "m[k] = 1.001 * dt_ * drive;"),),
        (FACTORIZED_CPP,),
    ),
    Mutation(
        "frozen-feedback-synaptic",
        "per-synapse engine: symmetric feedback from the initial weights",
        (
            (RULE_BUILD_PY, 'if rule.feedback == "symmetric":', "if False:"),
            (
                RULE_BUILD_PY,
                "    fixed = rule.values.feedback[c]\n",
                "    fixed = rule.values.feedback[c]\n"
                "    fixed = rule.values.weights[c] if fixed is None else fixed\n",
            ),
        ),
        (HIDDEN_RUNTIME,),
    ),
    Mutation(
        "frozen-feedback-numpy",
        "numpy factorized engine: symmetric feedback from the first interval's weights",
        (
            (
                NUMPY_ENGINE_PY,
                "W_next_mV=W[l],",
                'W_next_mV=self.__dict__.setdefault(f"W0_{l}", W[l]),',
            ),
        ),
        (FACTORIZED_NUMPY_ORACLE,),
    ),
    Mutation(
        "frozen-feedback-cpp",
        "C++ factorized engine: symmetric feedback from the weights at the binary's start",
        (
            (
                CPP_H,
                "fb_[l][k] = fb[k];",
                "fb_[l][k] = !symmetric_ ? fb[k] : start_ == 0 ? (double)w[k] * 1e3 : fb_[l][k];",
            ),
            (CPP_H, "return symmetric_ ? W_[l][idx] : fb_[l][idx];", "return fb_[l][idx];"),
        ),
        (FACTORIZED_CPP,),
    ),
    Mutation(
        "burn-in-one-interval",
        "burn-in cut to one update interval",
        (
            (
                SCHEDULE_PY,
                "lr = np.where(times >= burn - 1e-9,",
                "lr = np.where(times >= min(burn, float(t_update)) - 1e-9,",
            ),
        ),
        (INPUTS, ORACLE_RUNTIME),
    ),
    Mutation(
        "no-burn-in",
        "learning at r0 from t = 0",
        ((SCHEDULE_PY, "lr = np.where(times >= burn - 1e-9,", "lr = np.where(times >= 0.0,"),),
        (INPUTS, ORACLE_RUNTIME),
    ),
    Mutation(
        "checkpoint-without-v",
        "checkpoint stores the optimizer's v as zeros",
        (
            (
                CHECKPOINT_PY,
                '_lists("optimizer", {"v": state.optimizer_v})',
                '_lists("optimizer", {"v": [0 * v for v in state.optimizer_v]})',
            ),
        ),
        (CHECKPOINT,),
    ),
    Mutation(
        "checkpoint-without-lam",
        "checkpoint leaves the synapses' lam out of the network state",
        (
            (
                CHECKPOINT_PY,
                "for name, value in (state.network or {}).items()}",
                'for name, value in (state.network or {}).items() if not name.endswith(".lam")}',
            ),
        ),
        (CHECKPOINT,),
    ),
    Mutation(
        "cli-regularizer-exponent",
        "--regularizer RHO,A ignores A",
        ((CLI_BUILD_PY, 'changes["a"] = args.regularizer[1]', 'changes["a"] = 4.0'),),
        (CLI_REGULARIZER,),
    ),
    Mutation(
        "default-tau-ref",
        "refractory period default 4.9 ms instead of the spec's 5 ms",
        ((PARAMETERS_PY, "tau_ref = 5 * ms", "tau_ref = 4.9 * ms"),),
        # The oracle comparison fails as well: the package's defaults must be the oracle's.
        (SPEC_VALUES, ORACLE_RUNTIME),
    ),
    Mutation(
        "negative-times-raster",
        "SpikeRaster accepts negative spike times",
        ((SPIKEIO_PY, "bad = np.flatnonzero(times < 0)", "bad = np.flatnonzero(times < -np.inf)"),),
        (SPIKEIO,),
    ),
    Mutation(
        "negative-times-file",
        ".ras reader accepts negative spike times",
        ((SPIKEIO_PY, "        if t < 0:\n", "        if t < -math.inf:\n"),),
        (SPIKEIO,),
    ),
)

#: --learning: the learning tests must fail when learning is broken.
LEARNING_MUTATIONS = (
    Mutation("learning-surrogate-one", "sigma' replaced by 1", SURROGATE_ONE, LEARNING),
    Mutation("learning-error-zeroed", "error zeroed in the accumulator", ERROR_ZEROED, LEARNING),
    Mutation("learning-error-sign", "error sign flipped", SIGN_FLIPPED, LEARNING),
)


def apply(mutation, root):
    """Apply ``mutation`` to the tree at ``root``.

    Raises
    ------
    SystemExit
        If an edit's old text does not occur exactly once: the mutation no longer
        matches the code and must be rewritten.
    """
    for path, old, new in mutation.edits:
        file = Path(root) / path
        text = file.read_text()
        count = text.count(old)
        if count != 1:
            raise SystemExit(
                f"mutation {mutation.name!r}: {path} contains {count} copies of {old!r}"
                " (expected exactly one); update tests/mutations.py"
            )
        file.write_text(text.replace(old, new))


def check_all(root=ROOT, mutations=MUTATIONS + LEARNING_MUTATIONS):
    """Apply every mutation to a scratch copy of the touched files; SystemExit if one fails."""
    with tempfile.TemporaryDirectory(prefix="mutations-check-") as tmp:
        for mutation in mutations:
            for path in {p for p, _, _ in mutation.edits}:
                target = Path(tmp) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(root) / path, target)
            apply(mutation, tmp)
            if any(
                (Path(tmp) / p).read_text() == (Path(root) / p).read_text()
                for p, _, _ in mutation.edits
            ):
                raise SystemExit(f"mutation {mutation.name!r} leaves a file unchanged")


def copy_tree(dest):
    """Copy the repository (without environment, outputs and caches) to ``dest``."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*IGNORED))


def environment(copy, build_dir):
    """Environment of a run in ``copy``: its package first on the path, its own build cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy) + os.pathsep + env.get("PYTHONPATH", "")
    env["SUPERSPIKE_BUILD_DIR"] = str(build_dir)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def check_import(copy, env):
    """Fail unless Python started in ``copy`` with ``env`` imports the copy's package."""
    out = subprocess.run(
        [sys.executable, "-c", "import superspike_brian; print(superspike_brian.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(out).resolve().is_relative_to(Path(copy).resolve()):
        raise SystemExit(f"the copy in {copy} imports the package from {out}, not its own")


def run_tests(copy, tests, build_dir):
    """Run ``tests`` with pytest in ``copy``.

    Returns
    -------
    status : str
        ``'passed'``, ``'failed'``, ``'error'`` (pytest could not run them)
        or ``'timeout'``.
    failed : list of str
        Node ids of the failed or erroring tests.
    seconds : float
    """
    env = environment(copy, build_dir)
    check_import(copy, env)
    cmd = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *tests]
    t0 = time.time()
    try:
        proc = subprocess.run(
            cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return "timeout", [], time.time() - t0
    seconds = time.time() - t0
    # "FAILED node - message": parametrized node ids may hold spaces.
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", proc.stdout, flags=re.MULTILINE)
    if proc.returncode == 0:
        return "passed", [], seconds
    if proc.returncode == 1 and failed:
        return "failed", failed, seconds
    tail = (proc.stdout + proc.stderr)[-2000:]
    print(f"    pytest exit status {proc.returncode}:\n{tail}", flush=True)
    return "error", failed, seconds


def verdict(mutation, status, failed):
    """The table's verdict and whether the check passes for this mutation."""
    if mutation.equivalent:
        if status == "passed":
            return "equivalent (passes, as expected)", True
        return f"equivalent, but {status}: {', '.join(failed) or '-'}", True
    if status == "failed":
        return "caught by " + ", ".join(failed), True
    if status == "error":
        return "caught (tests could not run: " + (", ".join(failed) or "see above") + ")", True
    if status == "timeout":
        return f"TIMEOUT after {TIMEOUT_S} s", False
    return "NOT CAUGHT", False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutations")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument(
        "--learning", action="store_true", help="the slow learning tests' mutations"
    )
    parser.add_argument(
        "--tests", nargs="+", metavar="NODE", help="run these tests instead of each mutation's own"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)

    check_all()
    mutations = LEARNING_MUTATIONS if args.learning else MUTATIONS
    if args.only:
        known = {m.name: m for m in MUTATIONS + LEARNING_MUTATIONS}
        unknown = [n for n in args.only if n not in known]
        if unknown:
            parser.error(f"unknown mutation(s) {', '.join(unknown)}; see --list")
        mutations = tuple(known[n] for n in args.only)
    if args.tests:
        mutations = tuple(dataclasses.replace(m, tests=tuple(args.tests)) for m in mutations)
    if args.list:
        for m in mutations:
            print(f"{m.name:26s} {m.what}" + (" [equivalent]" if m.equivalent else ""))
        return 0

    start = time.time()
    work = Path(tempfile.mkdtemp(prefix="superspike-mutations-"))
    print(f"mutation check in {work} ({len(mutations)} mutations)", flush=True)
    ok = True
    rows = []
    try:
        if not args.no_baseline:
            tests = sorted({t for m in mutations for t in m.tests})
            copy_tree(work / "baseline")
            status, failed, seconds = run_tests(work / "baseline", tests, work / "build-baseline")
            print(f"baseline ({len(tests)} selections): {status} in {seconds:.0f} s", flush=True)
            if status != "passed":
                print("the selected tests fail without a mutation: " + ", ".join(failed))
                return 1
            if not args.keep:
                shutil.rmtree(work / "baseline")
        for m in mutations:
            copy = work / m.name
            copy_tree(copy)
            apply(m, copy)
            status, failed, seconds = run_tests(copy, m.tests, work / f"build-{m.name}")
            text, good = verdict(m, status, failed)
            ok &= good
            rows.append((m, text, seconds))
            print(f"{m.name:26s} {seconds:6.0f} s  {text}", flush=True)
            if not args.keep:
                shutil.rmtree(copy)
                shutil.rmtree(work / f"build-{m.name}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| mutation | what | result | s |")
    print("|---|---|---|---|")
    for m, text, seconds in rows:
        note = f" ({m.equivalent})" if m.equivalent else ""
        print(f"| {m.name} | {m.what}{note} | {text} | {seconds:.0f} |")
    print(
        f"\ntotal {time.time() - start:.0f} s; "
        + ("every mutation caught" if ok else "SOME NOT CAUGHT")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
