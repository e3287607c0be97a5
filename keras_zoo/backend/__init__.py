"""Backend-specific pieces, each chosen once by `keras.backend.backend()`.

Model code in `keras_zoo/layers` and `keras_zoo/models` speaks `keras.ops`
only; where the backends truly differ (taking a gradient), the difference
lives here, in one small module per backend.
"""
