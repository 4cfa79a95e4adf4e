"""The order of operations inside one time step, named once.

Brian2 runs the objects of a network in *slots* (``when``: start,
before_groups, groups, after_groups, thresholds, synapses, resets, ...) and,
within a slot, by ``order``. The discrete-time rule of ``docs/discrete_time.md``
fixes what one step computes in five numbered steps; this table maps each
piece of the model onto the slot that implements its step. Builders place
objects with :func:`at` (``NeuronGroup(..., **steps.at("readers"))``), never with
bare ``when``/``order`` values.

=================  =============  =====  ====  =====================================
slot               when           order  step  what runs there
=================  =============  =====  ====  =====================================
weight_update      start          0      0     RMaxProp update of every connection
                                               (every update interval)
surrogate          before_groups  0      1     surrogate derivative of every layer
engine_start       before_groups  10     1     the factorized engines read the
                                               per-neuron signals of the step
hidden_error       groups         -10-l  1     feedback into hidden layer l, the top
                                               layer first (each reads the one above)
readers            groups         -1     1     eligibility traces, accumulators, the
                                               cost average: all read the old state
dynamics           groups         0      2     neurons and traces advance over dt
engine_after       after_groups   0      2     the factorized C++ engine reads the
                                               state after the update (increments)
spikes             thresholds     0      3     threshold crossings, arrivals (events)
arrivals           synapses       0      4     transmission of arriving spikes
resets             resets         0      5     resets and trace jumps of spiking units
events             after_resets   0      4-5   target spikes, ends of windows
run_control        end            0      -     a chunked run stops after this step
=================  =============  =====  ====  =====================================
"""

from dataclasses import dataclass

__all__ = ["Slot", "SLOTS", "at", "place"]


@dataclass(frozen=True)
class Slot:
    """Where a piece of the model runs inside a time step."""

    when: str
    order: int
    step: str  # the numbered step of docs/discrete_time.md
    what: str


SLOTS = {
    "weight_update": Slot("start", 0, "0", "RMaxProp update of every connection"),
    "surrogate": Slot("before_groups", 0, "1", "surrogate derivative"),
    "engine_start": Slot("before_groups", 10, "1", "factorized engines read the signals"),
    "hidden_error": Slot("groups", -10, "1", "feedback into hidden layer l (order -10 - l)"),
    "readers": Slot("groups", -1, "1", "eligibility, accumulators, cost average"),
    "dynamics": Slot("groups", 0, "2", "neurons and traces"),
    "engine_after": Slot("after_groups", 0, "2", "factorized C++ engine reads the increments"),
    "spikes": Slot("thresholds", 0, "3", "threshold crossings and custom events"),
    "arrivals": Slot("synapses", 0, "4", "transmission of arriving spikes"),
    "resets": Slot("resets", 0, "5", "resets and trace jumps"),
    "events": Slot("after_resets", 0, "4-5", "target spikes, ends of windows"),
    "run_control": Slot("end", 0, "-", "a chunked run stops after this step"),
}


def at(name, layer=0):
    """``when`` and ``order`` of slot ``name``, as keyword arguments for Brian2.

    Parameters
    ----------
    name : str
        A key of :data:`SLOTS`.
    layer : int
        For ``hidden_error``: the hidden layer that receives the error (1-based);
        higher layers run first.
    """
    slot = SLOTS[name]
    return {"when": slot.when, "order": slot.order - layer}


def place(obj, name, layer=0):
    """Put an existing Brian2 object (a state or summed-variable updater) into slot ``name``.

    Raises
    ------
    ValueError
        The object runs in another ``when`` than the slot: it cannot be moved
        after creation, and a silent misplacement would change the step.
    """
    slot = at(name, layer)
    if obj.when != slot["when"]:
        raise ValueError(f"{obj.name} runs at when={obj.when!r}, slot {name!r} is {slot['when']!r}")
    obj.order = slot["order"]
