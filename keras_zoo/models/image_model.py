import keras


class ImageModel(keras.Model):
    """Base of keras_zoo's functional image models (keras-hub's Backbone
    pattern: the graph is built in `__init__`, `get_config` returns the
    constructor arguments).

    Subclasses set `self.image_shape` = (height, width, channels).
    """

    def __call__(self, inputs, *args, **kwargs):
        # Checked before Keras wraps errors with a dump of the whole tensor.
        shape = tuple(inputs.shape)
        channels = self.image_shape[-1]
        if len(shape) != 4 or shape[-1] != channels:
            raise ValueError(
                f"Expected images of shape (batch, height, width, {channels}), "
                f"channels last. Received: inputs.shape={shape}"
            )
        return super().__call__(inputs, *args, **kwargs)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(**config)
