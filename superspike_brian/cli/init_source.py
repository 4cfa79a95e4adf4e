"""``train --init``: the network of a run or NIR file, with what the command line changes.

A training started from a source takes the source's settings, not the command
line's defaults: its layers, feedback mode, regularizer (on or off, strength
and exponent), network seed (the random feedback matrices), ablations and every
model parameter (neuron constants, time step, learning rule, error delay, learning
rate). Only an option given on the command line changes one of them. Both are
said: what was taken, and what the command line changed (with the source's
value), so that no setting changes silently. A training with the source's
settings has the source's model structure, so it runs the source's compiled
binary when the build cache holds it.
"""

from __future__ import annotations

from brian2 import ms, mV

from superspike_brian import logs

__all__ = ["network_from_source"]

#: Options that change the network started from, by their argparse names.
NETWORK_OPTIONS = (
    "hidden",
    "feedback",
    "regularizer",
    "no_regularizer",
    "seed",
    "r0",
    "error_delay",
    "fixed_hidden",
    "linear_hidden",
)


def _regularizer_text(net):
    if not net.regularizer:
        return "off"
    r = net.params.regularizer
    return f"on (rho {float(r.rho * mV):g}/mV, a {float(r.a):g})"


def _parameter_changes(params):
    """'name value' of every parameter that differs from the package default."""
    from superspike_brian.model.parameters import ModelParameters

    mine, default = params.as_dict(), ModelParameters().as_dict()
    out = []
    for group, values in mine.items():
        if isinstance(values, dict):
            out += [f"{k} {v}" for k, v in values.items() if default[group].get(k) != v]
        elif values != default[group]:
            out.append(f"{group} {values}")
    return out


def network_from_source(args, task, source, given, *, say=None):
    """The network of a training that starts from ``source`` (see the module docstring).

    Parameters
    ----------
    args : argparse.Namespace
        The training's options.
    task : Task
    source : SuperSpikeNetwork
        From :func:`superspike_brian.training.initial.initial_network`.
    given : set of str
        The options given on the command line
        (:func:`superspike_brian.cli.build.given_options`).
    say : callable
        Receives the two lines: what was taken, what the command line changed.

    Raises
    ------
    ValueError
        The layers of the source differ from those the task or ``--hidden``
        need (both named).
    """
    say = say or logs.get_logger(__name__).info
    from superspike_brian.feedforward.network import SuperSpikeNetwork
    from superspike_brian.training.initial import with_initial

    changed, params = [], source.params
    hidden = tuple(args.hidden) if "hidden" in given else source.hidden
    feedback = args.feedback if "feedback" in given else source.feedback
    if "feedback" in given and feedback != source.feedback:
        changed.append(f"--feedback {feedback} (it has {source.feedback})")
    regularizer = source.regularizer
    if "no_regularizer" in given and args.no_regularizer:
        regularizer = False
    elif "regularizer" in given and args.regularizer:
        regularizer = True
        params = params.replace(rho=args.regularizer[0] / mV)
        if len(args.regularizer) == 2:
            params = params.replace(a=args.regularizer[1])
    for name, value, unit, flag in (
        ("r0", getattr(args, "r0", None), mV, "--r0"),
        ("error_delay", getattr(args, "error_delay", None), ms, "--error-delay"),
    ):
        if name in given:
            old = getattr(params.learning, name)
            params = params.replace(**{name: value * unit})
            if float(old / unit) != value:
                changed.append(f"{flag} {value:g} (it has {float(old / unit):g})")
    seed = args.seed if "seed" in given else source.seed
    if "seed" in given and seed != source.seed:
        changed.append(f"--seed {seed} (it has {source.seed})")
    fixed = (1,) if "fixed_hidden" in given and args.fixed_hidden else source.fixed
    linear = True if "linear_hidden" in given and args.linear_hidden else source.linear_hidden
    net = SuperSpikeNetwork(
        n_in=task.n_in,
        hidden=hidden,
        n_out=task.n_out,
        feedback=feedback,
        regularizer=regularizer,
        params=params,
        seed=seed,
        fixed=fixed,
        linear_hidden=linear,
    )
    if bool(net.regularizer) != bool(source.regularizer) or (
        net.regularizer and params.regularizer != source.params.regularizer
    ):
        changed.append(f"regularizer {_regularizer_text(net)} (it has {_regularizer_text(source)})")
    # The layers must fit; the weights (and the source's neuron constants and dt) come along.
    net = with_initial(net, source)
    sizes = " -> ".join(str(n) for n in source.layer_sizes)
    took = [
        f"layers {sizes}",
        f"feedback {source.feedback}",
        f"regularizer {_regularizer_text(source)}",
        f"seed {source.seed}",
    ]
    if source.fixed:
        took.append("fixed hidden layer")
    if source.linear_hidden:
        took.append("linear hidden")
    extra = _parameter_changes(source.params)
    took.append("parameters: " + (", ".join(extra) if extra else "the defaults"))
    say(f"--init {args.init}: took its {'; '.join(took)}")
    say(
        f"--init {args.init}: the command line changed "
        + ("; ".join(changed) if changed else "nothing")
    )
    return net
