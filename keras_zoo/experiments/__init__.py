"""Runnable studies: train a recipe and measure what it produces."""
