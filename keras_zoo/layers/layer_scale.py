import keras


@keras.saving.register_keras_serializable(package="keras_zoo")
class LayerScale(keras.layers.Layer):
    """Multiplies the last axis by a learned per-channel vector.

    Touvron et al., "Going deeper with Image Transformers" (CaiT), 2021; used
    by ConvNeXt with `init_value=1e-6` so that each residual branch starts
    close to the identity.

    Args:
        init_value: float > 0, the initial value of every scale entry.
    """

    def __init__(self, init_value, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(init_value, (int, float)) or init_value <= 0:
            raise ValueError(
                f"`init_value` must be a positive number. Received: init_value={init_value}"
            )
        self.init_value = float(init_value)
        self.supports_masking = True

    def build(self, input_shape):
        self.gamma = self.add_weight(
            name="gamma",
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.init_value),
        )

    def call(self, inputs):
        return inputs * keras.ops.cast(self.gamma, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "init_value": self.init_value}
