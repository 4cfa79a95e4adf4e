"""A user's network with the component on standalone devices: compile once, run args, CUDA code."""

import gc

import numpy as np
from brian2 import Network, SpikeMonitor, defaultclock, device, ms, second

from superspike_brian import SpikeRaster, devices
from superspike_brian.devices import codegen
from superspike_brian.rule.seeds import build_standalone

from . import graphs

DURATION = 0.2 * second
OTHER_TARGET = SpikeRaster([0.01, 0.04, 0.07], [0, 1, 2], graphs.N_OUT, float(graphs.PERIOD))


def _build_and_run(directory, seed, target=None, runs=()):
    """Build the recurrent network for ``seed`` on cpp_standalone, compile, run; its results.

    Then the built binary runs once more for each dict of :meth:`SuperSpike.run_args`
    options in ``runs``. Returns the binary's mtime and, per run, the output
    spike times, the weights and the cost's times.
    """
    # Objects of an earlier build still alive (reference cycles) would make Brian2 name
    # this build's code objects ``..._1``: other file names, a recompile.
    gc.collect()
    devices.activate("cpp_standalone", directory=directory)
    try:
        defaultclock.dt = graphs.DT
        groups, syns, rule = graphs.build(
            "recurrent", "random", True, seed=seed, target=target, stoppable=True
        )
        mon = SpikeMonitor(groups["out"], name="out_spikes")
        Network(*groups.values(), *syns, mon, rule).run(DURATION)
        build_standalone(directory, say=lambda line: None)
        device.run(str(directory), with_output=False)
        results = []
        for options in [None, *runs]:
            if options is not None:
                device.run(str(directory), with_output=False, run_args=rule.run_args(**options))
            weights = [w for _, _, w in rule.weights()]
            results.append((np.asarray(mon.t_[:]), weights, rule.cost_trace()[0]))
        return (directory / "main").stat().st_mtime_ns, results
    finally:
        devices.release("cpp_standalone")
        devices.deactivate()


def test_another_seed_target_or_duration_reuses_the_binary(tmp_path):
    """A rebuild with another seed and target compiles nothing (the binary's mtime); run
    arguments give a built binary another seed and target, with the results of a build
    of its own, and a shorter duration."""
    project = tmp_path / "project"
    other = {"seed": 6, "target": OTHER_TARGET}
    built, runs = _build_and_run(project, seed=5, runs=[other, {"duration": DURATION / 2}])
    (spikes_5, w_5, _), (spikes_args, w_args, _), (spikes_half, _, cost_half) = runs
    assert len(spikes_5) > 0
    again, [(spikes_6, w_6, _)] = _build_and_run(project, seed=6, target=OTHER_TARGET)
    assert again == built, "another seed and target recompiled the binary"
    assert not all(np.array_equal(a, b) for a, b in zip(w_5, w_6, strict=True))
    np.testing.assert_array_equal(spikes_args, spikes_6)
    for a, b in zip(w_args, w_6, strict=True):
        np.testing.assert_array_equal(a, b)
    # Half the duration: the same first half, nothing after it.
    assert cost_half.max() < float(DURATION / 2) and len(spikes_half) > 0
    np.testing.assert_array_equal(spikes_half, spikes_5[spikes_5 < float(DURATION / 2)])


def test_cuda_code_of_a_user_network_generates(tmp_path):
    """brian2cuda generates the recurrent network with the rule (compiling needs nvcc: README)."""
    project = tmp_path / "cuda"
    devices.activate("cuda_standalone", directory=project)
    codegen.configure_cuda(9.0)  # no GPU to ask: an H100's compute capability
    try:
        defaultclock.dt = graphs.DT
        groups, syns, rule = graphs.build("recurrent", "random", True)
        Network(*groups.values(), *syns, rule).run(10 * ms)
        device.build(directory=str(project), compile=False, run=False)
    finally:
        devices.release("cuda_standalone")
        devices.deactivate()
    code = "\n".join(p.read_text() for p in (project / "code_objects").glob("*.cu"))
    for name in ("s1_eligibility", "s2_summed_variable_err_pre", "hid_surrogate", "s1_update"):
        assert name in code, name
    # The rule's per-synapse arrays are resized with the synapses made before it.
    assert "_dynamic_array_s1_lam_r.resize(" in (project / "main.cu").read_text()
