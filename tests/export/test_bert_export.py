"""BERT's classifier and backbone through each format: int32 token and
segment ids and a boolean padding mask of any length, as the tests choose
them (not the verifier's samples), each artifact run by its own runtime."""

import keras
import numpy as np
import pytest

from export_fixtures import FLOAT32_TOLERANCE, bert_batches, difference_from_keras, keras_outputs, run_export, small_bert
from keras_zoo.export import export_model


@pytest.mark.parametrize("format, suffix", [("saved_model", ""), ("tflite", ".tflite"), ("onnx", ".onnx")])
def test_bert_classifier_exports_with_segments_and_padding_of_any_length(tmp_path, format, suffix):
    model = small_bert(num_classes=3)
    path = str(tmp_path / f"bert{suffix}")
    report = export_model(model, path, format=format, verbose=False)
    # The verifier's own samples: a padded tail and both segments.
    assert [shapes[0] for shapes in report.sample_shapes] == [[2, 7], [1, 12]]
    batches = bert_batches()
    difference, scale = difference_from_keras(model, path, format, batches)
    assert scale > 0.5
    assert difference <= FLOAT32_TOLERANCE * max(1.0, scale)
    # The mask reaches the artifact: other ids under the padding change nothing
    # there, though they would change an unmasked model's outputs by ~scale.
    first = batches[0]
    noisy = {**first, "token_ids": np.where(first["padding_mask"], first["token_ids"], 7).astype("int32")}
    (exported, exported_noisy), (expected,) = run_export(path, format, [first, noisy]), keras_outputs(model, [first])
    assert np.abs(exported_noisy - exported).max() <= FLOAT32_TOLERANCE * max(1.0, scale)
    unmasked = {**noisy, "padding_mask": np.ones_like(first["padding_mask"])}
    assert np.abs(keras_outputs(model, [unmasked])[0] - expected).max() > 100 * FLOAT32_TOLERANCE * max(1.0, scale)


def test_bert_backbone_onnx_returns_both_outputs_with_int32_inputs(tmp_path):
    import onnxruntime

    model = small_bert(features_only=True)
    path = str(tmp_path / "bert_backbone.onnx")
    export_model(model, path, format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert {node.name: node.type for node in session.get_inputs()} == {
        "token_ids": "tensor(int32)", "segment_ids": "tensor(int32)", "padding_mask": "tensor(bool)"}
    assert all(node.shape[1] != 9 and not isinstance(node.shape[1], int) for node in session.get_inputs())
    names = [node.name for node in session.get_outputs()]
    for batch in bert_batches():
        expected = model(batch, training=False)
        got = dict(zip(names, session.run(None, batch)))
        assert len(got) == 2
        for key, want in expected.items():
            want = keras.ops.convert_to_numpy(want)
            (match,) = [array for array in got.values() if array.shape == want.shape]
            assert np.abs(match - want).max() <= FLOAT32_TOLERANCE * max(1.0, np.abs(want).max()), key
