from keras_zoo.models.backbone import Backbone


def check_image_batch(shape, channels):
    """Raises a one-line error unless `shape` is (batch, height, width, channels)."""
    shape = tuple(shape)
    if len(shape) != 4 or shape[-1] != channels:
        raise ValueError(
            f"Expected images of shape (batch, height, width, {channels}), "
            f"channels last. Received: inputs.shape={shape}"
        )


def validate_image_shape(input_shape, min_side=32):
    """Checks a channels-last `(height, width, channels)` shape; `None` sides
    are allowed (any image size)."""
    if input_shape is None or len(input_shape) != 3:
        raise ValueError(
            "`input_shape` must be (height, width, channels), channels last. "
            f"Received: input_shape={input_shape}"
        )
    height, width, channels = input_shape
    if channels is None or channels < 1:
        raise ValueError(
            f"The channel count must be known and positive. Received: input_shape={input_shape}"
        )
    for side in (height, width):
        if side is not None and side < min_side:
            raise ValueError(
                f"Images must be at least {min_side}x{min_side} (the network "
                f"downsamples by {min_side}). Received: input_shape={input_shape}"
            )
    return tuple(input_shape)


class ImageModel(Backbone):
    """A backbone whose input is a batch of channels-last images; subclasses
    set `self.image_shape` = (height, width, channels)."""

    def __call__(self, inputs, *args, **kwargs):
        # Checked before Keras wraps errors with a dump of the whole tensor.
        check_image_batch(inputs.shape, self.image_shape[-1])
        return super().__call__(inputs, *args, **kwargs)
