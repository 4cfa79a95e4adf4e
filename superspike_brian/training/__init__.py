"""Training: the trainer, its session on a Brian2 device, the training loops,
schedule, checkpoints, progress and history, standalone projects, and reading
a run directory back (:func:`~superspike_brian.training.load.load_run`)."""
