"""Leaky integrate-and-fire neurons with exponential current synapses.

Description
-----------
Every hidden and output unit of a SuperSpike network is a current-based LIF
neuron [1]_. A presynaptic spike arriving at the synapse adds the weight ``w``
(a voltage) to the synaptic current ``I``; a PSP of weight ``w`` peaks at
``0.25*w`` with the default time constants. After a spike the membrane is
clamped at ``U_rest`` for ``tau_ref``.

Equations
---------
::

    tau_mem dU/dt = U_rest - U + I       (clamped while refractory)
    dI/dt = -I/tau_syn
    spike when U > theta; then U = U_rest

The surrogate derivative of the learning rule (the negative half of a fast
sigmoid; zero below ``U_cut`` as in the reference implementation) is a state
variable of every neuron, computed once per neuron at the start of each step
(not once per synapse, which made it the most expensive part of a step)::

    sigma_prime = [U > U_cut] / (1 + |beta (U - theta)|)**2

Axonal delays are neuron state rather than spike queues: a neuron's spike
*arrives* ``delay`` after it was emitted (custom event ``arrival``). As the delay
is shorter than the refractory period, a neuron has at most one spike in flight,
so the time since the last spike says everything, and it survives the
interruptions of a standalone binary re-run trial after trial.

Parameters: see :class:`superspike_brian.model.parameters.NeuronParameters`.

References
----------
.. [1] Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
   spiking neural networks. Neural Computation 30(6):1514-1541.
"""

LIF_EQUATIONS = """
dU/dt = (U_rest - U + I) / tau_mem : volt (unless refractory)
dI/dt = -I / tau_syn : volt
"""

SURROGATE_EQUATION = """
sigma_prime : 1
"""

#: Run at the start of every step ("before_groups"), before any synapse reads it.
SURROGATE_CODE = "sigma_prime = int(U > U_cut) / (1 + abs(beta * (U - theta)))**2"

#: Surrogate derivative replaced by 1: the "symmetric linear" ablation of [P] Fig 7.
LINEAR_SURROGATE_CODE = "sigma_prime = 1"

THRESHOLD = "U > theta"
RESET = "U = U_rest"

#: Spike arrival at the end of the axon: lastspike is set by Brian2 at each spike.
ARRIVAL_CONDITION = "timestep(t - lastspike, dt) == delay_steps"


def neuron_namespace(neuron):
    """Brian2 namespace entries of the neuron equations."""
    return {
        "tau_mem": neuron.tau_mem,
        "tau_syn": neuron.tau_syn,
        "U_rest": neuron.U_rest,
        "theta": neuron.theta,
    }
