"""A SuperSpike network as a NIR graph, and back.

NIR (Neuromorphic Intermediate Representation, the ``nir`` package) describes a
network as a graph of continuous-time nodes. A :class:`SuperSpikeNetwork` maps
onto a chain

    Input -> Linear w_1 -> CubaLIF layer_1 -> Linear w_2 -> ... -> CubaLIF layer_L -> Output

with every number in SI units (seconds, volts). NIR's CubaLIF reads

    tau_syn dI/dt = -I + w_in S,        tau_mem dv/dt = (v_leak - v) + r I,

spike when v > v_threshold, then v = v_reset, where S is the node's input: the
Linear node's weights times the presynaptic spike trains, each spike a Dirac
delta of unit area. One spike through weight W therefore raises I by
``w_in W / tau_syn``, and ``r I`` enters the membrane equation where our ``I``
does (``tau_mem dU/dt = U_rest - U + I``, ``I += w`` per spike). With ``r = 1``
and ``w_in = 1`` the NIR weight of a synapse is ``W = w tau_syn`` (volt
seconds); ``docs/nir.md`` derives this and lists what NIR cannot say (the
refractory clamp, the axonal delay, the time step, the learning rule), which
goes into node metadata.

Examples
--------
>>> from superspike_brian import SuperSpikeNetwork
>>> net = SuperSpikeNetwork(n_in=100, hidden=[4], n_out=1)
>>> graph = to_nir(net)        # doctest: +SKIP
>>> again = from_nir(graph)    # doctest: +SKIP

The import half, :func:`from_nir`, makes that network; :func:`network_arguments`
gives its arguments.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from brian2 import Quantity, second, volt

__all__ = [
    "to_nir",
    "from_nir",
    "network_arguments",
    "write",
    "read",
    "file_digest",
    "NirError",
]

#: Graph metadata key of the exact parameters of the exporting network (JSON).
PARAMS_KEY = "superspike_params_si"
#: Graph metadata key of the network options (feedback, regularizer, seed; JSON).
NETWORK_KEY = "superspike_network"
#: Node types a SuperSpikeNetwork can be read from.
SUPPORTED = ("Input", "Output", "Linear", "Affine", "CubaLIF")

SPIKE_CONVENTION = (
    "spikes are Dirac deltas of unit area: one spike through Linear weight W raises the"
    " CubaLIF current I by w_in*W/tau_syn (a time-stepped simulator that feeds a spike as"
    " 1 during one step of dt feeds 1/dt instead)"
)


class NirError(ValueError):
    """A NIR file or graph that a SuperSpikeNetwork cannot be made of."""


def _nir():
    try:
        import nir
    except ImportError as exc:  # nir is a dependency; a broken install says so
        raise RuntimeError(
            "reading and writing NIR needs the 'nir' package: pip install nir"
        ) from exc
    return nir


# ------------------------------------------------------------------ export
def to_nir(network, weights=None):
    """The NIR graph of ``network`` with ``weights``.

    Parameters
    ----------
    network : SuperSpikeNetwork
    weights : sequence of arrays, optional
        One (n_post, n_pre) array in mV per connection (e.g. a run's final
        weights). Default: the network's initial weights.

    Returns
    -------
    nir.NIRGraph
        Nodes ``input``, ``w_1``, ``layer_1``, ..., ``layer_L``, ``output``.
    """
    nir = _nir()
    weights = network.initial_weights() if weights is None else [np.asarray(w) for w in weights]
    sizes = network.layer_sizes
    shapes = [(b, a) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    if [np.shape(w) for w in weights] != shapes:
        raise ValueError(f"weights must have shapes {shapes} (n_post, n_pre) in mV")
    p = network.params
    n = p.neuron
    tau_syn = float(n.tau_syn / second)
    tau_mem = float(n.tau_mem / second)
    u_rest = float(n.U_rest / volt)
    theta = float(n.theta / volt)
    dt = float(p.dt / second)
    nodes = {"input": nir.Input(input_type={"input": np.array([network.n_in])})}
    edges = []
    previous = "input"
    for l, w in enumerate(weights, start=1):
        size = sizes[l]
        full = np.ones(size)
        # w is in mV; NIR wants W = w * tau_syn in volt seconds (module docstring).
        nodes[f"w_{l}"] = nir.Linear(
            weight=np.asarray(w, dtype=np.float64) * 1e-3 * tau_syn,
            metadata={
                "pre": network.layer_name(l - 1),
                "post": network.layer_name(l),
                "units": "V*s",
                "delay_s": float(n.delay / second),
                "delay": "a spike reaches this connection delay_s after it was emitted"
                " (axonal delay; NIR's Linear has none)",
            },
        )
        nodes[f"layer_{l}"] = nir.CubaLIF(
            tau_syn=tau_syn * full,
            tau_mem=tau_mem * full,
            r=full.copy(),
            v_leak=u_rest * full,
            v_threshold=theta * full,
            v_reset=u_rest * full,
            w_in=full.copy(),
            metadata={
                "layer": network.layer_name(l),
                "units": "SI (s, V)",
                "tau_ref_s": float(n.tau_ref / second),
                "refractory": "after a spike v stays at v_reset for tau_ref_s while I keeps"
                " integrating (NIR's CubaLIF has no refractory period)",
                "dt_s": dt,
                "integration": "exact over each step of dt_s; a spike is emitted at the"
                " first step end where v > v_threshold",
            },
        )
        edges += [(previous, f"w_{l}"), (f"w_{l}", f"layer_{l}")]
        previous = f"layer_{l}"
    nodes["output"] = nir.Output(output_type={"output": np.array([network.n_out])})
    edges.append((previous, "output"))
    metadata = {
        "source": f"superspike-brian {_package_version()}",
        "units": "SI: seconds, volts; Linear weights in volt seconds",
        "spikes": SPIKE_CONVENTION,
        "dt_s": dt,
        "learning": "SuperSpike (Zenke & Ganguli 2018); surrogate derivative"
        " 1/(1+|beta (v - v_threshold)|)^2, parameters in " + PARAMS_KEY,
        PARAMS_KEY: json.dumps(p.to_si()),
        NETWORK_KEY: json.dumps(
            {
                "feedback": network.feedback,
                "regularizer": bool(network.regularizer),
                "seed": int(network.seed),
                "fixed": list(network.fixed),
                "linear_hidden": bool(network.linear_hidden),
                "error": network.error,
            }
        ),
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def _package_version():
    from superspike_brian.rundir import package_version

    return package_version()


def write(path, graph):
    """Write ``graph`` to the NIR file ``path`` (HDF5, read back by ``nir.read``)."""
    _nir().write(str(path), graph)


# ------------------------------------------------------------------ import
def read(path):
    """The NIR graph in the file ``path``.

    Raises
    ------
    FileNotFoundError
        No such file.
    NirError
        The file is not a NIR file (the message names it and the expected form).
    """
    nir = _nir()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"NIR file {path} does not exist")
    try:
        return nir.read(str(path))
    except Exception as exc:  # h5py and nir raise OSError, KeyError, AssertionError...
        raise NirError(
            f"{path} is not a NIR file (an HDF5 file written by nir.write, as"
            f" 'superspike export --format nir' does): {type(exc).__name__}: {exc}"
        ) from None


def file_digest(path):
    """First 16 hex digits of the SHA-256 of a file (records where weights came from)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def from_nir(graph, **options):
    """A network whose initial weights and neuron constants come from a NIR graph.

    Parameters
    ----------
    graph : nir.NIRGraph or path
        A chain Input -> (Linear -> CubaLIF)+ -> Output.
    **options
        ``params`` and other network arguments (feedback, seed, ...); see
        :func:`network_arguments`.

    Returns
    -------
    SuperSpikeNetwork

    Raises
    ------
    ValueError
        A node the model cannot represent, named in the message.
    """
    from superspike_brian.feedforward.network import SuperSpikeNetwork

    return SuperSpikeNetwork(**network_arguments(graph, **options))


def network_arguments(graph, *, params=None, **options):
    """Arguments of the :class:`SuperSpikeNetwork` whose initial weights are those of ``graph``.

    ``from_nir(graph)`` is ``SuperSpikeNetwork(**network_arguments(graph))``.

    Parameters
    ----------
    graph : nir.NIRGraph or path
        A feed-forward chain Input -> (Linear -> CubaLIF)+ -> Output; Affine
        nodes are read as Linear when their bias is zero. A path is read with
        :func:`read`.
    params : ModelParameters, optional
        Parameters NIR does not carry (refractory period, axonal delay, time
        step, learning rule). Default: those stored in the graph's metadata by
        :func:`to_nir`, else the package defaults (with the learning kernel's
        time constants set to the graph's tau_syn and tau_mem). The neuron
        constants of the graph (tau_syn, tau_mem, v_leak, v_threshold) always
        replace those of ``params``.
    **options
        Other :class:`SuperSpikeNetwork` arguments (feedback, regularizer, seed,
        ...); default: those stored by :func:`to_nir`, else the package defaults.

    Returns
    -------
    dict
        n_in, hidden, n_out, params, initial (mV), initial_source (for a path)
        and the options.

    Raises
    ------
    NirError
        A node the model cannot represent (its name and type in the message),
        recurrence or branches, or neuron parameters that differ between units.
    """
    from superspike_brian.model.parameters import ModelParameters

    nir = _nir()
    if isinstance(graph, str | Path):
        options.setdefault(
            "initial_source", f"nir:{Path(graph).resolve()} sha256:{file_digest(graph)}"
        )
        graph = read(graph)
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"graph must be a nir.NIRGraph or a path, got {type(graph).__name__}")
    chain = _chain(graph)
    meta = _metadata(graph)
    layers = chain[1::2]
    linears = chain[0::2]
    constants = _uniform_constants(graph, layers)
    weights = []
    for lin, lif in zip(linears, layers, strict=True):
        node = graph.nodes[lif]
        gain = np.asarray(node.r, float).reshape(-1) * np.asarray(node.w_in, float).reshape(-1)
        w = _linear_weight(graph, lin)
        if w.shape[0] != gain.size:
            raise NirError(
                f"node {lin!r} has {w.shape[0]} outputs but node {lif!r} has {gain.size} units"
            )
        # I jumps by r*w_in*W/tau_syn volts per spike (module docstring); mV here.
        weights.append(gain[:, None] * w / constants["tau_syn"] * 1e3)
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    for k, (w, n_pre) in enumerate(zip(weights[1:], sizes[1:-1], strict=False), start=2):
        if w.shape[1] != n_pre:
            raise NirError(
                f"node 'w_{k}' ({linears[k - 1]!r}) expects {w.shape[1]} inputs,"
                f" its layer before has {n_pre} units"
            )
    if params is None:
        params = _stored_params(meta, constants)
    params = params.replace(
        tau_syn=constants["tau_syn"] * second,
        tau_mem=constants["tau_mem"] * second,
        U_rest=constants["v_leak"] * volt,
        theta=constants["v_threshold"] * volt,
    )
    if not isinstance(params, ModelParameters):
        raise TypeError("params must be a ModelParameters instance")
    stored = _json(meta.get(NETWORK_KEY), NETWORK_KEY) or {}
    kwargs = {k: stored[k] for k in ("feedback", "regularizer", "seed", "error") if k in stored}
    kwargs.update(options)
    return dict(
        n_in=sizes[0],
        hidden=tuple(sizes[1:-1]),
        n_out=sizes[-1],
        params=params,
        initial=tuple(weights),
        **kwargs,
    )


def _kind(node):
    return type(node).__name__


def _chain(graph):
    """Node names from the first Linear to the last CubaLIF, checked to be a chain."""
    for name, node in graph.nodes.items():
        if _kind(node) not in SUPPORTED:
            what = "a subgraph" if _kind(node) == "NIRGraph" else f"a {_kind(node)} node"
            raise NirError(
                f"node {name!r} is {what}; a SuperSpikeNetwork is made of CubaLIF neurons and"
                " Linear connections only (Input -> Linear -> CubaLIF -> ... -> Output)"
            )
    succ, pred = defaultdict(list), defaultdict(list)
    for a, b in graph.edges:
        for end in (a, b):
            if end not in graph.nodes:
                raise NirError(f"edge ({a!r}, {b!r}) names node {end!r}, which the graph lacks")
        succ[a].append(b)
        pred[b].append(a)
    inputs = [k for k, n in graph.nodes.items() if _kind(n) == "Input"]
    if len(inputs) != 1:
        raise NirError(f"the graph has {len(inputs)} Input nodes; a SuperSpikeNetwork needs one")
    order, name = [], inputs[0]
    while _kind(graph.nodes[name]) != "Output":
        nxt = succ[name]
        if len(nxt) != 1:
            raise NirError(
                f"node {name!r} feeds {len(nxt)} nodes ({', '.join(map(repr, nxt)) or 'none'});"
                " a SuperSpikeNetwork is one feed-forward chain without branches"
            )
        name = nxt[0]
        if name in order or _kind(graph.nodes[name]) == "Input":
            raise NirError(f"node {name!r} is reached twice: the graph is recurrent")
        if len(pred[name]) != 1:
            raise NirError(
                f"node {name!r} has {len(pred[name])} inputs"
                f" ({', '.join(map(repr, pred[name]))}); recurrent or skip connections"
                " cannot be represented"
            )
        order.append(name)
    body = order[:-1]
    unused = sorted(set(graph.nodes) - set(order) - {inputs[0]})
    if unused:
        raise NirError(f"node {unused[0]!r} is not on the chain from the input to the output")
    expected = ("Linear", "CubaLIF")
    for k, name in enumerate(body):
        kind = _kind(graph.nodes[name])
        want = expected[k % 2]
        if not (kind == want or (want == "Linear" and kind == "Affine")):
            raise NirError(
                f"node {name!r} is a {kind} where a {want} is expected; the chain must be"
                " Input -> Linear -> CubaLIF -> ... -> Linear -> CubaLIF -> Output"
            )
    if not body or len(body) % 2:
        raise NirError("the chain must end with a CubaLIF layer before the Output node")
    return body


def _linear_weight(graph, name):
    node = graph.nodes[name]
    w = np.asarray(node.weight, dtype=float)
    if w.ndim != 2:
        raise NirError(f"node {name!r} has a weight of shape {w.shape}; expected (n_post, n_pre)")
    if _kind(node) == "Affine" and np.any(np.asarray(node.bias) != 0):
        raise NirError(
            f"node {name!r} is an Affine with a nonzero bias; the model has no bias current"
        )
    return w


def _uniform_constants(graph, layers):
    """tau_syn, tau_mem, v_leak, v_threshold shared by every unit of every layer."""
    values = {}
    for key in ("tau_syn", "tau_mem", "v_leak", "v_threshold", "v_reset"):
        for name in layers:
            arr = np.asarray(getattr(graph.nodes[name], key), dtype=float).reshape(-1)
            if arr.size == 0 or np.any(arr != arr[0]):
                raise NirError(
                    f"node {name!r}: {key} differs between units; the model has one value"
                    " for all units of all layers"
                )
            if key in values and arr[0] != values[key][1]:
                raise NirError(
                    f"node {name!r}: {key} = {arr[0]:g}, but node {values[key][0]!r} has"
                    f" {values[key][1]:g}; the model has one value for all layers"
                )
            values.setdefault(key, (name, float(arr[0])))
    out = {k: v for k, (_, v) in values.items()}
    if out["v_reset"] != out["v_leak"]:
        raise NirError(
            f"node {layers[0]!r}: v_reset ({out['v_reset']:g}) differs from v_leak"
            f" ({out['v_leak']:g}); the model resets to its resting potential"
        )
    return out


def _metadata(graph):
    meta = getattr(graph, "metadata", None)
    return meta if isinstance(meta, dict) else {}


def _json(value, key):
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return json.loads(str(value))
    except ValueError:
        raise NirError(f"graph metadata {key!r} is not valid JSON") from None


def _stored_params(meta, constants):
    from superspike_brian.model.parameters import ModelParameters

    stored = _json(meta.get(PARAMS_KEY), PARAMS_KEY)
    if stored is not None:
        return ModelParameters.from_si(stored)
    # A graph from another tool: SuperSpike's eligibility kernel is the PSP shape.
    return ModelParameters().replace(
        tau_rise=Quantity(constants["tau_syn"], dim=second.dim),
        tau_decay=Quantity(constants["tau_mem"], dim=second.dim),
    )
