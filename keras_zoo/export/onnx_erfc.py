"""ONNX has no `Erfc` operator, and TensorFlow's exact GELU (ConvNeXt's
activation) is `0.5 * x * erfc(-x / sqrt(2))`: tf2onnx writes the `Erfc` node
anyway and onnxruntime rejects the graph ("No Op registered for Erfc").

The rewrite uses the identity erfc(t) = 1 - erf(t) (ONNX `Erf`, opset 9+). It
is exact up to float32 rounding: an absolute error below 2**-23 (1.2e-7, one
float32 step in (1, 2], where erfc of t < 0 lies) in erfc over [-6, 6]
(tests/export/test_onnx_erfc.py), so below 6e-8 * |x| in GELU's output, far
under the export tolerance. Where erfc(t) is tiny (t > ~4, i.e. GELU of
x < -5.6), 1 - erf(t) rounds to 0, an error below 6e-8.
"""

import numpy as np


def replace_erfc_with_erf(path):
    """Rewrites every `Erfc` node of the ONNX file at `path` in place; returns
    how many were replaced."""
    import onnx
    from onnx import helper, numpy_helper

    graph_model = onnx.load(path)
    graph = graph_model.graph
    replaced = 0
    new_nodes = []
    for node in graph.node:
        if node.op_type != "Erfc":
            new_nodes.append(node)
            continue
        erf_output = f"{node.output[0]}__erf"
        one_name = f"{node.output[0]}__one"
        graph.initializer.append(numpy_helper.from_array(np.array(1.0, np.float32), one_name))
        new_nodes.append(helper.make_node("Erf", list(node.input), [erf_output], name=f"{node.name}__erf"))
        new_nodes.append(helper.make_node("Sub", [one_name, erf_output], list(node.output), name=node.name))
        replaced += 1
    if replaced:
        del graph.node[:]
        graph.node.extend(new_nodes)
        onnx.checker.check_model(graph_model)
        onnx.save(graph_model, path)
    return replaced
