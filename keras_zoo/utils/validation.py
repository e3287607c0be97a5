"""Argument checks shared by layers and models: one message for each kind of
bad value, naming the argument, what was received and what is valid."""


def check_positive_int(**arguments):
    """`check_positive_int(num_heads=8, key_dim=64)`: each must be an int > 0."""
    for name, value in arguments.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")


def check_rate(**arguments):
    """`check_rate(dropout=0.1)`: each must be a number in [0, 1)."""
    for name, value in arguments.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise ValueError(f"`{name}` must be in [0, 1). Received: {name}={value!r}")


def offset_seed(seed, offset):
    """A distinct, reproducible seed per sublayer (None stays None)."""
    return None if seed is None else seed + offset
