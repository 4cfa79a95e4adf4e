"""Networks a Brian2 user would write, trained with the SuperSpike component, and their oracle.

Each shape is built the way a user of Brian2 writes it (own variable names,
``SpikeGeneratorGroup`` input, synaptic delays, ``connect(condition=...)``),
the rule attached with :class:`superspike_brian.SuperSpike`; :func:`oracle_run`
gives the numpy oracle (``tests/oracle.py``, :func:`simulate_graph`) the same
run, its inputs computed from the spec by ``tests/inputs.py``.
"""

from dataclasses import dataclass, field

import numpy as np
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    second,
)

from superspike_brian import (
    LearningParameters,
    ModelParameters,
    SuperSpike,
    equidistant_targets,
    frozen_poisson,
)
from superspike_brian.model.exact import BLOCK_EXACT

from . import inputs, oracle
from .helpers import check_defaults_are_the_oracles

DT = 0.1 * ms
PERIOD = 100 * ms
DELAY = 0.8 * ms
N_IN, N_OUT = 20, 3

#: The user's neuron: their own names for membrane, current and constants.
NEURON = dict(v_rest=-60 * mV, v_th=-50 * mV, tau_m=10 * ms, tau_s=5 * ms, tau_a=50 * ms)
LIF = """
dv/dt = (v_rest - v + I_s) / tau_m : volt (unless refractory)
dI_s/dt = -I_s / tau_s : volt
"""
#: One more state variable: a threshold that jumps at every spike and decays.
ADAPTIVE = LIF + "da/dt = -a / tau_a : volt\n"
DELTA_A = 2 * mV

#: The shapes of the tests: populations (size, adaptive) and connections (pre, post, condition).
SHAPES = {
    "recurrent": (
        {"hid": (6, False), "out": (N_OUT, False)},
        [("inp", "hid", None), ("hid", "hid", "i != j"), ("hid", "out", None)],
    ),
    "skip": (
        {"hid": (5, False), "out": (N_OUT, False)},
        [("inp", "hid", None), ("hid", "out", None), ("inp", "out", None)],
    ),
    "parallel": (
        {"h1": (4, False), "h2": (4, False), "out": (N_OUT, False)},
        [("inp", "h1", None), ("inp", "h2", None), ("h1", "out", None), ("h2", "out", None)],
    ),
    "adaptive": (
        {"hid": (5, True), "out": (N_OUT, True)},
        [("inp", "hid", None), ("hid", "out", None)],
    ),
}


def params(regularizer):
    """Short update intervals and strong initial weights, so that every unit spikes."""
    p = ModelParameters(learning=LearningParameters(t_update=20 * ms, w0=300 * mV, r0=2 * mV))
    return p.replace(rho=1e-3 / mV) if regularizer else p


def task():
    """Input and target rasters of one period."""
    return frozen_poisson(N_IN, 40 * Hz, PERIOD, seed=3), equidistant_targets(
        3, PERIOD, n_units=N_OUT
    )


@dataclass
class GraphRun:
    """What a run of a shape gave: spikes (step, unit) per population, dense weights (mV), cost."""

    spikes: dict = field(default_factory=dict)
    weights: list = field(default_factory=list)
    cost_times: np.ndarray = None
    cost: np.ndarray = None
    rule: object = None


def build(shape, feedback, regularizer, seed=5, target=None, **options):
    """The user's network of ``shape`` and the rule attached to it (``target``: another raster)."""
    pops, conns = SHAPES[shape]
    raster, own_target = task()
    target = own_target if target is None else target
    groups = {"inp": raster.generator(DT, name="inp")}
    for name, (n, adaptive) in pops.items():
        groups[name] = NeuronGroup(
            n,
            ADAPTIVE if adaptive else LIF,
            threshold="v > v_th + a" if adaptive else "v > v_th",
            reset="v = v_rest\na += delta_a" if adaptive else "v = v_rest",
            refractory=5 * ms,
            # Brian2's own exact integration; the package's block-wise form keeps
            # the symbolic solution on disk, so the tests do not solve it again.
            method=BLOCK_EXACT,
            namespace={**NEURON, "delta_a": DELTA_A},
            name=name,
        )
        groups[name].v = NEURON["v_rest"]
    syns = []
    for k, (pre, post, condition) in enumerate(conns):
        s = Synapses(
            groups[pre], groups[post], "w : volt", on_pre="I_s += w", delay=DELAY, name=f"s{k}"
        )
        s.connect(condition=condition) if condition else s.connect()
        syns.append(s)
    rule = SuperSpike(
        syns,
        output=groups["out"],
        target=target,
        feedback=feedback,
        regularizer=regularizer,
        params=params(regularizer),
        seed=seed,
        **options,
    )
    return groups, syns, rule


def run(shape, feedback, regularizer, duration=0.3 * second, seed=5):
    """Train ``shape`` on runtime; return a :class:`GraphRun`."""
    groups, syns, rule = build(shape, feedback, regularizer, seed)
    monitors = {name: SpikeMonitor(g) for name, g in groups.items() if name != "inp"}
    Network(*groups.values(), *syns, *monitors.values(), rule).run(duration)
    out = GraphRun(rule=rule)
    for name, mon in monitors.items():
        steps = np.round(np.asarray(mon.t_[:]) / float(DT)).astype(int)
        units = np.asarray(mon.i[:])
        order = np.lexsort((units, steps))
        out.spikes[name] = np.column_stack([steps[order], units[order]])
    for s, (i, j, w) in zip(syns, rule.weights(), strict=True):
        dense = np.zeros((len(s.target), len(s.source)))
        dense[j, i] = w
        out.weights.append(dense)
    out.cost_times, out.cost = rule.cost_trace()
    return out


def oracle_run(shape, feedback, regularizer, duration=0.3 * second, seed=5):
    """The oracle's run of ``shape``, every input from the spec (``tests/inputs.py``)."""
    pops, conns = SHAPES[shape]
    p = params(regularizer)
    # The values passed below come from the package: where they are its defaults,
    # they must be the oracle's own (the oracle keeps its own for the rest).
    check_defaults_are_the_oracles(p)
    dt = float(DT)
    n_period = inputs.whole_multiple(float(PERIOD), dt, "period")
    n_steps = inputs.whole_multiple(float(duration), dt, "duration")
    n_delay = inputs.whole_multiple(float(DELAY), dt, "delay")
    n_err = inputs.whole_multiple(float(p.learning.error_delay), dt, "error_delay")
    raster, target = task()
    arrive = inputs.spike_table(raster.times, raster.ids, N_IN, n_period, dt, n_delay)
    populations = {"inp": {"size": N_IN, "arrive": inputs.cyclic(arrive, n_steps)}}
    for name, (n, adaptive) in pops.items():
        populations[name] = {"size": n, "delay_steps": n_delay}
        if adaptive:
            populations[name]["adapt"] = (float(NEURON["tau_a"] / ms), float(DELTA_A / mV))
    sizes = {name: populations[name]["size"] for name in populations}
    shapes = [(sizes[post], sizes[pre]) for pre, post, _ in conns]
    W = inputs.graph_initial_weights(
        shapes, float(p.learning.w0 / mV), float(p.learning.w_max / mV), seed
    )
    dist = oracle.distances([(pre, post) for pre, post, _ in conns], "out")
    learning = {post for _, post, _ in conns}
    carries = [
        pre in learning and pre != "out" and dist[post] < dist[pre] for pre, post, _ in conns
    ]
    connections = []
    for (pre, post, condition), w in zip(conns, W, strict=True):
        mask = np.ones(w.shape, dtype=bool)
        if condition == "i != j":
            np.fill_diagonal(mask, False)
        connections.append({"pre": pre, "post": post, "W": w, "mask": mask})
    target_table = inputs.spike_table(target.times, target.ids, N_OUT, n_period, dt, n_err)
    return oracle.simulate_graph(
        n_steps,
        populations,
        connections,
        "out",
        inputs.cyclic(target_table, n_steps),
        float(p.learning.r0 / mV),
        feedback=feedback,
        feedback_matrices=inputs.graph_feedback_matrices(shapes, carries, feedback, seed),
        regularizer=(float(p.regularizer.rho * mV), float(p.regularizer.a))
        if regularizer
        else None,
        params={
            "t_b_s": float(p.learning.t_update / second),
            "tau_rms_s": float(p.learning.tau_rms / second),
        },
    )
