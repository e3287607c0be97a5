"""The Erfc -> 1 - Erf rewrite on a one-node ONNX graph, run by onnxruntime."""

import math

import numpy as np
import pytest

from keras_zoo.export.onnx_erfc import replace_erfc_with_erf

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")


def test_erfc_graph_runs_after_the_rewrite(tmp_path):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Erfc", ["x"], ["y"], name="erfc")], "erfc",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])],
    )
    path = str(tmp_path / "erfc.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]), path)
    with pytest.raises(Exception, match="Erfc"):  # the trap itself
        onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])

    assert replace_erfc_with_erf(path) == 1
    x = np.linspace(-6, 6, 101, dtype=np.float32)
    (y,) = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x})
    expected = np.array([math.erfc(v) for v in x.astype(np.float64)])
    assert np.max(np.abs(y - expected)) < 1e-6
