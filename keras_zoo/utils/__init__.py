"""Helpers every level of keras_zoo may use (they import nothing of
keras_zoo): argument checks, seeds, mixed precision."""
