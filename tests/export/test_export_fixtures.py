"""The export fixtures can fail: an artifact that computed one piece of the
model wrongly would differ from Keras by far more than the export tolerance.
On every backend (the Keras model alone, no export)."""

import numpy as np
from keras import ops

from export_fixtures import FLOAT32_TOLERANCE, any_size_vit, image_batches, keras_outputs
from keras_zoo.layers.positional_encoding import PatchPositionEmbedding


def _largest_difference(first, second):
    return max(float(np.max(np.abs(a.astype(np.float64) - b))) for a, b in zip(first, second, strict=True))


def test_any_size_vit_logits_show_a_run_time_table_resampled_out_of_order(monkeypatch):
    # The fault the ViT export tests exist for: the artifact's run-time
    # resample putting the table's rows in another order (here upside down)
    # than Keras' does. Were the logits blind to it (uniform attention,
    # a table that drowns the patch tokens), those tests could not fail.
    model = any_size_vit()
    batches = image_batches()
    want = keras_outputs(model, batches)
    scale = max(float(np.max(np.abs(y))) for y in want)
    resampled = PatchPositionEmbedding._resampled

    def upside_down(self, table, height, width):
        rows = resampled(self, table, height, width)
        prefix, grid = rows[: self.num_prefix_tokens], rows[self.num_prefix_tokens:]
        grid = ops.reshape(ops.flip(ops.reshape(grid, (height, width, -1)), axis=0), (height * width, -1))
        return ops.concatenate([prefix, grid], axis=0)

    monkeypatch.setattr(PatchPositionEmbedding, "_resampled", upside_down)
    flipped = keras_outputs(model, batches)
    assert _largest_difference(flipped, want) > 100 * FLOAT32_TOLERANCE * max(1.0, scale)
