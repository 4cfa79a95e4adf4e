"""Figures of a run directory, and the reference implementation's published numbers."""
