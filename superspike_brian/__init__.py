"""SuperSpike (Zenke & Ganguli 2018) in Brian2."""
