"""Which error reaches which group: the graph of a SuperSpike network, without Brian2.

A network trained with SuperSpike is a directed graph: populations (Brian2
groups) are its nodes, plastic connections (Brian2 synapses) its edges. The
paper [P] defines the rule on a chain input -> hidden layers -> output; this
module says what it means on any graph (docs/model.md, "Any graph of
populations"):

* A population *learns* when a plastic connection ends on it; it needs an
  error signal ``E``. The output population's error is the filtered difference
  of target and output spike trains; every other learning population is a
  hidden population.
* The *distance* of a population is the least number of connections from it
  to the output (0 for the output).
* A connection ``g -> h`` *carries error back* when ``g`` is a hidden
  population and ``h`` lies closer to the output (``d(h) < d(g)``). The error
  of ``g`` is the sum, over the connections that carry error back from it, of
  the feedback of ``h``'s error (:mod:`superspike_brian.model.feedback`).
  Connections that do not bring a unit closer to the output (recurrent,
  lateral, top-down) carry no error back; they still learn from the error of
  the population they end on.
* Errors are computed from the output down, in order of increasing distance,
  within one time step.
* The regularizer acts on every connection that ends on a hidden population.

On a chain these definitions give exactly the rule of the paper: every
connection but the first carries error back to the layer below.
"""

from __future__ import annotations

from dataclasses import dataclass

from superspike_brian.errors import RuleError

__all__ = ["Connection", "LearningGraph", "GraphError"]


class GraphError(RuleError):
    """A network on which SuperSpike is not defined (the message says why)."""


@dataclass(frozen=True)
class Connection:
    """A plastic connection from population ``pre`` to population ``post``.

    Attributes
    ----------
    name : str
        Name of the Brian2 synapses.
    pre, post : str
        Names of the populations it connects.
    n_pre, n_post : int
        Their sizes.
    carries_error : bool
        The error of ``post`` reaches ``pre`` through it (see the module docstring).
    regularized : bool
        The heterosynaptic regularizer acts on it (it ends on a hidden population
        and the regularizer is on).
    """

    name: str
    pre: str
    post: str
    n_pre: int
    n_post: int
    carries_error: bool = False
    regularized: bool = False

    @property
    def shape(self):
        """``(n_post, n_pre)``: the shape of its weight matrix."""
        return (self.n_post, self.n_pre)


class LearningGraph:
    """Populations, plastic connections and the paths of the error (module docstring).

    Parameters
    ----------
    sizes : dict of str -> int
        Every population that a connection starts or ends on, with its size.
    connections : sequence of (name, pre, post)
        The plastic connections, in the order the rule draws their weights.
    output : str
        The output population.
    regularizer : bool
        Whether the heterosynaptic regularizer is on.

    Raises
    ------
    GraphError
        A connection names an unknown population, two connections share a
        name, the output receives no plastic connection, or a learning
        population has no path to the output.
    """

    def __init__(self, sizes, connections, output, *, regularizer=False):
        self.sizes = {str(k): int(v) for k, v in sizes.items()}
        self.output = str(output)
        names = [c[0] for c in connections]
        if len(set(names)) != len(names):
            raise GraphError(f"every connection needs its own name; got {names}")
        for name, pre, post in connections:
            for pop in (pre, post):
                if pop not in self.sizes:
                    raise GraphError(f"connection {name!r} names an unknown population {pop!r}")
        if self.output not in {post for _, _, post in connections}:
            raise GraphError(
                f"no plastic connection ends on the output {self.output!r}: the rule has"
                " nothing to train there"
            )
        self.distance = _distances(connections, self.output)
        self.learning = []
        for _, _, post in connections:
            if post not in self.learning:
                self.learning.append(post)
        lost = [p for p in self.learning if p not in self.distance]
        if lost:
            raise GraphError(
                f"population {lost[0]!r} receives plastic connections but has no path to"
                f" the output {self.output!r}: no error can reach it"
            )
        self.connections = []
        for name, pre, post in connections:
            self.connections.append(
                Connection(
                    name=name,
                    pre=pre,
                    post=post,
                    n_pre=self.sizes[pre],
                    n_post=self.sizes[post],
                    carries_error=self._carries(pre, post),
                    regularized=bool(regularizer) and post != self.output,
                )
            )
        self.sources = []
        for c in self.connections:
            if c.pre not in self.sources:
                self.sources.append(c.pre)

    def _carries(self, pre, post):
        if pre not in self.learning or pre == self.output:
            return False
        return self.distance[post] < self.distance[pre]

    # ------------------------------------------------------------ queries
    @property
    def hidden(self):
        """Learning populations other than the output, nearest to the output first."""
        return sorted(
            (p for p in self.learning if p != self.output),
            key=lambda p: (self.distance[p], self.learning.index(p)),
        )

    @property
    def max_distance(self):
        """Largest distance of a learning population (0 without hidden ones)."""
        return max(self.distance[p] for p in self.learning)

    def feedback_into(self, population):
        """Connections that carry error back into ``population``, in order."""
        return [c for c in self.connections if c.carries_error and c.pre == population]

    def connection(self, name):
        """The connection called ``name``."""
        return next(c for c in self.connections if c.name == name)

    def chain(self):
        """The populations in order if the graph is a chain, else None.

        A chain is ``p_0 -> p_1 -> ... -> p_L`` with connection ``l`` (in the
        order given) from ``p_{l-1}`` to ``p_l``, ``p_L`` the output, and no
        population twice: the network of the paper.
        """
        pops = [self.connections[0].pre]
        for c in self.connections:
            if c.pre != pops[-1] or c.post in pops:
                return None
            pops.append(c.post)
        return pops if pops[-1] == self.output else None

    def describe(self):
        """One line per connection: what it connects and what its error does."""
        lines = []
        for c in self.connections:
            what = "carries error back" if c.carries_error else "no error back"
            reg = ", regularized" if c.regularized else ""
            lines.append(f"{c.name}: {c.pre} ({c.n_pre}) -> {c.post} ({c.n_post}), {what}{reg}")
        return "\n".join(lines)


def _distances(connections, output):
    """Least number of connections from every population to ``output``."""
    distance = {output: 0}
    frontier = [output]
    while frontier:
        nxt = []
        for _, pre, post in connections:
            if post in frontier and pre not in distance:
                distance[pre] = distance[post] + 1
                nxt.append(pre)
        frontier = nxt
    return distance
