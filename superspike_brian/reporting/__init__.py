"""Figures of a run directory, and the reference implementation's published numbers.

One module per figure, each with one plot function that draws into the caller's
axes or figure: :mod:`.curves` (learning curve), :mod:`.rasters` (output and hidden
layers), :mod:`.membrane`, :mod:`.rates`, :mod:`.weights`; :mod:`.common` holds what
they share and `~.common.save_figure`. :mod:`.figures` draws them all from a run
directory; :mod:`.reference` and :mod:`.reference_bands` hold the reference numbers.
"""
