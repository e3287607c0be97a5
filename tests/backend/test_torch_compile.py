"""`jit_compile` on PyTorch (keras_zoo.backend.compiled_steps, jit_compile):
compiled steps give eager's numbers, "auto" follows the measured table, a
step torch.compile cannot run falls back to eager with one warning, and
generation compiled per token gives eager's tokens."""

import warnings

import keras
import numpy as np
import pytest
import torch

from keras_zoo.backend import fast_paths
from keras_zoo.backend import jit_compile
from keras_zoo.backend.compiled_steps import CompiledSteps
from keras_zoo.backend.compiled_steps import compile_fallbacks
from keras_zoo.backend.compiled_steps import describe_execution
from keras_zoo.layers import Dense
from keras_zoo.models.transformer.transformer_model import Transformer
from keras_zoo.optimizers import FusedAdamW


class _Net(CompiledSteps, keras.Model):
    """Two keras_zoo Dense layers (the biased-matmul fast path) and a norm."""

    compile_family = "test_net"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(16, activation="gelu")
        self.norm = keras.layers.LayerNormalization()
        self.head = Dense(3)

    def call(self, x):
        return self.head(self.norm(self.hidden(x)))


def _twin_nets(jit_compile_values):
    nets = []
    for value in jit_compile_values:
        net = _Net()
        net(np.zeros((1, 5), "float32"))
        if nets:
            net.set_weights(nets[0].get_weights())  # the same starting point
        net.compile(optimizer=FusedAdamW(1e-2), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    jit_compile=value)
        nets.append(net)
    return nets


def test_compiled_training_equals_eager():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5)).astype("float32")
    y = rng.integers(0, 3, (8,))
    eager, compiled = _twin_nets([False, True])
    assert compiled.jit_compile is True and eager.jit_compile is False
    eager_losses = [float(eager.train_on_batch(x, y)) for _ in range(10)]
    compiled_losses = [float(compiled.train_on_batch(x, y)) for _ in range(10)]
    assert compile_fallbacks(compiled) == {}  # it ran compiled, not through the fallback
    assert eager_losses[-1] < eager_losses[0]  # it trained
    np.testing.assert_allclose(compiled_losses, eager_losses, rtol=1e-5)


@pytest.mark.parametrize("measured, expected", [(frozenset(), False), (frozenset({("test_net", "cpu")}), True)])
def test_auto_compiles_where_the_table_says_it_wins(monkeypatch, measured, expected):
    monkeypatch.setattr(fast_paths, "TORCH_COMPILE_WINS", measured)
    monkeypatch.setattr(fast_paths, "on_accelerator", lambda: False)
    net = _Net()
    assert net.jit_compile is expected  # before compile: the property resolves "auto"
    net.compile(optimizer="sgd", loss="mse")
    assert net.jit_compile is expected
    line = describe_execution(net, "auto")
    assert ("compiled with torch.compile" if expected else "eager") in line and "test_net on cpu" in line
    net.compile(optimizer="sgd", loss="mse", jit_compile=not expected)  # an explicit value wins
    assert net.jit_compile is (not expected)


def _failing_compile(function, **kwargs):
    """A stand-in for torch.compile whose graph fails after running: the
    step's updates land, then the error (as a failed compile can leave
    state half-written); the fallback must undo them."""

    def compiled(*args, **kwargs):
        function(*args, **kwargs)
        raise RuntimeError("refused for the test")

    compiled._torchdynamo_orig_callable = function
    return compiled


def test_a_step_torch_compile_cannot_run_falls_back_to_eager_once_with_a_warning(monkeypatch):
    # The real case (the WGAN-GP penalty's double backward, which aot_autograd
    # refuses) costs ~80 s of tracing: benchmarks.wgan_gp's keras_zoo:compile/torch row.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5)).astype("float32")
    y = rng.integers(0, 3, (8,))
    eager, compiled = _twin_nets([False, True])
    monkeypatch.setattr(torch, "compile", _failing_compile)
    expected = [float(eager.train_on_batch(x, y)) for _ in range(3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [float(compiled.train_on_batch(x, y)) for _ in range(3)]
    fallback = [w for w in caught if issubclass(w.category, RuntimeWarning) and "torch.compile" in str(w.message)]
    assert len(fallback) == 1, [str(w.message) for w in caught]
    assert "could not run the train step of" in str(fallback[0].message)
    assert "refused for the test" in compile_fallbacks(compiled)["train"]
    assert losses == expected  # the failed call's updates were undone: eager's numbers exactly


def test_an_input_error_is_raised_not_hidden_by_the_fallback():
    (compiled,) = _twin_nets([True])
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 5"):
        compiled.train_on_batch(np.zeros((2, 7), "float32"), np.zeros((2,)))  # 7 features, the net takes 5
    assert compile_fallbacks(compiled) == {}  # the input's fault: the compiled path stays


def test_generation_compiled_per_token_gives_eager_tokens():
    model = Transformer(vocabulary_size=12, num_layers=1, hidden_dim=8, num_heads=2, intermediate_dim=16,
                        max_sequence_length=8)
    source = np.random.default_rng(0).integers(3, 12, (2, 5)).astype("int32")
    model.jit_compile = False
    eager = model.generate(source, max_length=6, start_token_id=1, end_token_id=2)
    model.jit_compile = True
    torch._dynamo.utils.counters.clear()
    compiled = model.generate(source, max_length=6, start_token_id=1, end_token_id=2)
    np.testing.assert_array_equal(compiled, eager)
    # One graph for every token: no break (a slice at a traced index would
    # be one), compiled once (the index, a tensor, changes no guard).
    assert dict(torch._dynamo.utils.counters["graph_break"]) == {}
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == 1
    keys = [key for key in model._generate_functions]
    assert sorted(key[-1] for key in keys) == [False, True]  # two loops: eager and compiled, kept apart


def test_gpt_generation_of_a_left_padded_batch_compiles_to_one_graph_per_token():
    import keras_zoo

    model = keras_zoo.create_model("gpt_micro", num_layers=1, hidden_dim=16, num_heads=2, vocabulary_size=23,
                                   max_sequence_length=12, seed=0)
    prompt = np.random.default_rng(1).integers(0, 23, (2, 4)).astype("int32")
    mask = np.array([[True] * 4, [False, False, True, True]])
    model.jit_compile = False
    eager = model.generate(prompt, max_new_tokens=5, padding_mask=mask)
    model.jit_compile = True
    torch._dynamo.utils.counters.clear()
    compiled = model.generate(prompt, max_new_tokens=5, padding_mask=mask)
    np.testing.assert_array_equal(compiled, eager)
    assert dict(torch._dynamo.utils.counters["graph_break"]) == {}
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == 1


def test_a_loop_body_torch_compile_cannot_run_falls_back_to_eager(monkeypatch):
    def refuse(function, **kwargs):
        def compiled(*args):
            raise torch._dynamo.exc.Unsupported("refused for the test")
        return compiled

    monkeypatch.setattr(torch, "compile", refuse)
    monkeypatch.setattr(jit_compile, "_EAGER_BODIES", set())

    def count(limit):
        def body(index, total):
            return index + 1, total + index
        return jit_compile.while_loop(lambda index, total: index < limit, body, (torch.tensor(0), torch.tensor(0)))

    run = jit_compile.jit_compile(count, [], torch_loops=True)
    with pytest.warns(RuntimeWarning, match="could not run the loop body 'body'.*runs eagerly"):
        index, total = run(5)
    assert (int(index), int(total)) == (5, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once: the next loop runs eagerly at once
        assert int(run(4)[1]) == 6
