from keras_zoo.models.backbone import Backbone


def check_image_batch(shape, channels):
    """Raises a one-line error unless `shape` is (batch, height, width, channels)."""
    shape = tuple(shape)
    if len(shape) != 4 or shape[-1] != channels:
        raise ValueError(
            f"Expected images of shape (batch, height, width, {channels}), "
            f"channels last. Received: inputs.shape={shape}"
        )


class ImageModel(Backbone):
    """A backbone whose input is a batch of channels-last images; subclasses
    set `self.image_shape` = (height, width, channels)."""

    def __call__(self, inputs, *args, **kwargs):
        # Checked before Keras wraps errors with a dump of the whole tensor.
        check_image_batch(inputs.shape, self.image_shape[-1])
        return super().__call__(inputs, *args, **kwargs)
