"""The Erfc -> 1 - Erf rewrite on a one-node ONNX graph, run by onnxruntime."""

import math

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper

from keras_zoo.export.onnx_erfc import replace_erfc_with_erf

# README's bound over [-6, 6]. For t < 0, erfc(t) lies in (1, 2], where float32
# steps by 2**-23: rounding 1 - erf(t) costs up to 2**-24 and a faithfully rounded
# erf up to 2**-24 more, so no float32 erfc is within 1e-7 there (measured: 1.16e-7
# at t = -0.92; below 6e-8 for t >= 0).
ERFC_TOLERANCE = 2**-23  # 1.19e-7


def test_erfc_graph_runs_after_the_rewrite(tmp_path):
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
    x = np.linspace(-6, 6, 120_001, dtype=np.float32)  # steps of 1e-4
    (y,) = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x})
    error = np.abs(y - np.array([math.erfc(v) for v in x.astype(np.float64)]))
    assert np.max(error) < ERFC_TOLERANCE
