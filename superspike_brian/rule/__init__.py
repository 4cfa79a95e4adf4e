"""SuperSpike as a component of any Brian2 network.

:class:`SuperSpike` attaches the learning rule to NeuronGroups and Synapses the
user made (own neuron equations, recurrent and skip connections, any graph of
populations). :mod:`.graph` says which error reaches which group,
:mod:`.values` computes the rule's numbers (seeded draws, target tables,
learning rates) without Brian2, :mod:`.inspect` reads what the rule needs from
the user's objects and refuses what it cannot use, :mod:`.populations` and
:mod:`.attach` add the rule's state to the network with Brian2's own
mechanisms.
"""

from superspike_brian.errors import RuleError
from superspike_brian.rule.component import SuperSpike
from superspike_brian.rule.graph import GraphError, LearningGraph

__all__ = ["SuperSpike", "LearningGraph", "RuleError", "GraphError"]
