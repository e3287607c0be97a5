import keras


@keras.saving.register_keras_serializable(package="keras_zoo")
class StochasticDepth(keras.layers.Layer):
    """Drops a whole residual branch per sample ("drop path").

    Huang et al., "Deep Networks with Stochastic Depth", 2016. In training,
    each sample's branch is zeroed with probability `rate` and the survivors
    are scaled by `1 / (1 - rate)`, so inference is the identity.

    The mask comes from a `keras.random.SeedGenerator` owned by the layer, so
    it works inside `jax.jit` (an unseeded op there fails: keras issue 18404).

    Args:
        rate: float in [0, 1), the probability of dropping the branch.
        seed: optional int seed of the layer's generator.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
            raise ValueError(
                f"`rate` must be a number in [0, 1). Received: rate={rate}"
            )
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs
        keep_prob = 1.0 - self.rate
        # One draw per sample, broadcast over every other axis.
        shape = (keras.ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        # Drawn in float32: in bfloat16 `uniform` is too coarse for small rates.
        noise = keras.random.uniform(shape, seed=self.seed_generator)
        mask = keras.ops.cast(noise >= self.rate, inputs.dtype)
        return inputs * mask / keras.ops.cast(keep_prob, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
