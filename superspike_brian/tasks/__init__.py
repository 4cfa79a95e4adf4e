"""Learning tasks: spike files, the single-neuron task, patterns and images, spiking XOR."""
