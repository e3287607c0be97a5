"""Measuring what models produce: sample quality of generative models."""
