"""Where a new training's initial weights come from: an earlier run or a NIR file.

:func:`initial_network` reads either source into a :class:`SuperSpikeNetwork`
whose ``initial`` weights are the source's trained weights and whose
``initial_source`` says where they came from (recorded in ``config.json``);
:func:`with_initial` puts them into the network of a new training.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

__all__ = ["initial_network", "with_initial"]


def initial_network(source, *, flag="--init"):
    """The network stored in ``source``, with its trained weights as initial weights.

    Parameters
    ----------
    source : path
        A run directory (its final weights, parameters and options) or a NIR
        file (:meth:`SuperSpikeNetwork.from_nir`).
    flag : str
        Named in error messages.

    Raises
    ------
    FileNotFoundError, ValueError
        ``source`` is neither; the message names it and the expected forms.
    """
    path = Path(source)
    if path.is_dir():
        from superspike_brian.rundir import is_run, require_finished
        from superspike_brian.training.evaluate import trained_network
        from superspike_brian.training.load import load_run

        if not is_run(path):
            raise FileNotFoundError(
                f"{flag} {path}: a directory but not a run directory (no config.json);"
                " give a run directory or a NIR file"
            )
        require_finished(path, flag=flag)
        try:
            run = load_run(path)
        except (OSError, KeyError) as exc:
            raise ValueError(f"{flag} {path}: the run has no final weights to start from ({exc})")
        return trained_network(run)
    if not path.exists():
        raise FileNotFoundError(f"{flag} {path} does not exist; give a run directory or a NIR file")
    from superspike_brian.interop.nir import from_nir

    return from_nir(path)


def with_initial(network, source_network, *, flag="--init"):
    """``network`` starting from the weights (and neuron constants) of ``source_network``.

    The layer sizes must agree; the new network keeps its own options (feedback,
    regularizer, seed, learning rate) and takes the source's neuron constants,
    time step and initial weights.

    Raises
    ------
    ValueError
        The sizes differ (both are named).
    """
    if network.layer_sizes != source_network.layer_sizes:
        raise ValueError(
            f"{flag}: the network there has layers {source_network.layer_sizes}"
            f" (input, hidden..., output), the training needs {network.layer_sizes};"
            " give --hidden of the same sizes (or none) and a task of the same input"
            " and output sizes"
        )
    params = replace(
        network.params,
        neuron=source_network.params.neuron,
        dt=source_network.params.dt,
    )
    return replace(
        network,
        params=params,
        initial=source_network.initial,
        initial_source=source_network.initial_source,
    )
