"""Each paper experiment is stated once (superspike_brian.paper), and both of its
renderings agree: the Python set-up of the model scripts and the ``superspike
train`` options of the reproduction's sweeps build the same network and schedule.
"""

import argparse
from pathlib import Path

import pytest
from brian2 import second

from superspike_brian import paper
from superspike_brian.cli.build import make_trainer
from superspike_brian.options import add_train_arguments, without_defaults
from superspike_brian.reproduce.experiments import experiments
from superspike_brian.tasks import xor
from superspike_brian.tasks.single_neuron import single_neuron_task
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task
from superspike_brian.training import xor as xor_runs

PACKAGE = Path(__file__).resolve().parent.parent / "superspike_brian"


def _parse(argv):
    parser = argparse.ArgumentParser(prog="superspike train")
    add_train_arguments(parser)
    return parser.parse_args(argv)


def _task(n_in, n_out, period):
    """A task of the given shape with one spike per unit (the network needs only its shape)."""
    raster = lambda n: SpikeRaster([0.01] * n, list(range(n)), n, period)  # noqa: E731
    return Task("shape", raster(n_in), raster(n_out), period * second)


def _cli_network(argv, setup):
    """What ``superspike train argv`` builds on a task of ``setup``'s shape: network, schedule."""
    args = _parse(_no_files(argv))
    trainer = make_trainer(args, _task(setup.n_in, setup.n_out, setup.period))
    return trainer.network, trainer.schedule


def _no_files(argv):
    """``argv`` without the task's files (the network is built from the task's shape)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--input", "--target", "--period", "--target-id-offset", "--n-in", "--n-out"):
            skip = True
        elif a != "--reference" and a != "single_neuron":
            out.append(a)
    return out


def _sweep(name, scale="full", data_dir=None):
    for e in experiments(scale, "runs/x", data_dir):
        for s in e.sweeps:
            if s.name == name:
                return s
    raise KeyError(name)


@pytest.mark.parametrize("name", list(paper.FIG7_CONDITIONS))
def test_fig7_sweep_builds_the_papers_condition(name):
    """The options of a Fig 7 sweep build the network its paper.Condition states."""
    setup = paper.PATTERN.replace(**paper.FIG7_CONDITIONS[name].changes)
    sweep = _sweep("fig7-none" if name == "none" else f"fig7-{name}", scale="quick")
    net, schedule = _cli_network([*sweep.base, "--seed", "3"], setup)
    assert net == setup.network(seed=3)
    assert schedule == setup.schedule(duration=200)  # the quick scale's pattern duration


@pytest.mark.parametrize("mode", paper.FEEDBACK_MODES)
@pytest.mark.parametrize("hidden", paper.FIG4_HIDDEN)
def test_fig4_sweep_builds_the_papers_network_and_schedule(hidden, mode):
    sweep = _sweep(f"fig4-h{hidden}")
    argv = [*sweep.base, "--feedback", mode, "--seed", "2"]
    setup = paper.FIG4.replace(hidden=(hidden,), feedback=mode)
    net, schedule = _cli_network(argv, setup)
    assert net == setup.network(seed=2)
    assert schedule == setup.schedule()


def test_fig2_and_fig8_sweeps_build_the_papers_set_up():
    net, schedule = _cli_network(list(_sweep("fig2-builtin").base), paper.FIG2)
    assert (net, schedule) == (paper.FIG2.network(), paper.FIG2.schedule())
    fig8 = _sweep("fig8")
    setup = paper.PATTERN.replace(feedback="random")
    net, schedule = _cli_network([*fig8.base, "--regularizer", "1e-6,4"], setup)
    assert net == setup.network()
    assert schedule == setup.schedule()


def test_the_papers_schedule_is_the_specification_default():
    """Fig 2's schedule is the Schedule default (docs/model.md): 10 s, 80 x 10 s, r0/10 at 20."""
    from superspike_brian.training.schedule import Schedule

    assert paper.FIG2.schedule() == Schedule()
    assert paper.PATTERN.schedule().n_blocks == 50
    assert paper.OXFORD.schedule() == paper.PATTERN.schedule()


def test_the_tasks_have_the_papers_shape():
    task = single_neuron_task(seed=1)
    assert (task.n_in, task.n_out, float(task.period / second)) == (
        paper.FIG2.n_in,
        paper.FIG2.n_out,
        paper.FIG2.period,
    )


def test_train_options_render_each_field_and_refuse_others():
    assert paper.train_options({"hidden": ()}) == ("--hidden", "0")
    assert paper.train_options({"hidden": (64, 64), "linear_hidden": True}) == (
        "--hidden",
        "64,64",
        "--linear-hidden",
    )
    assert paper.train_options({"regularizer": None, "fixed_hidden": False}) == ()
    with pytest.raises(ValueError, match="not fields of Setup: widths"):
        paper.train_options({"widths": (4,)})


def test_xor_rate_drops_scale_with_the_duration():
    """One statement of the drops: 400 s and 600 s of 800 s, the same fractions otherwise."""
    assert xor_runs.decay_times(xor.DURATION) == xor.DECAY_AFTER
    assert xor_runs.decay_times(1.5) == (0.75, 1.125)
    assert xor_runs.stream_trials() == xor.N_TRIALS
    assert xor_runs.stream_trials(1.6) % len(xor.PATTERNS) == 0


def test_no_module_reads_argparse_internals():
    """Options are known from what add_argument returns, not from a parser's private lists."""
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "._actions" in p.read_text() or "._option_string_actions" in p.read_text()
    ]
    assert offenders == []


def test_without_defaults_parses_only_what_is_given():
    parser = argparse.ArgumentParser()
    options = add_train_arguments(parser)
    given = without_defaults(parser, options).parse_args(["--hidden", "4", "--no-regularizer"])
    assert vars(given) == {"hidden": (4,), "no_regularizer": True}
