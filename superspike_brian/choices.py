"""The enumerated options of the package, defined once.

This module imports nothing, so that the command line can offer the choices
(and answer ``--help`` and argument errors) before Brian2 is imported.
"""

#: Brian2 targets: Python/numpy (or Cython), C++ standalone, CUDA standalone (brian2cuda).
DEVICES = ("runtime", "cpp_standalone", "cuda_standalone")

#: How the accumulators are computed: per-synapse equations, or from per-neuron signals.
ENGINES = ("synaptic", "factorized")

#: Where the weight update runs: inside the simulation, or in the Python controller.
LEARN_MODES = ("inside", "controller")

#: How the output error reaches hidden layers.
FEEDBACK_MODES = ("symmetric", "random", "uniform")

#: Output error signals: target spike trains, or windows of opportunity (XOR).
ERROR_MODES = ("van_rossum", "classification")

#: Runtime code generation targets.
CODEGEN_TARGETS = ("numpy", "cython")
