"""The paper's schedule, the masked label-smoothed loss and token accuracy."""

import keras
import numpy as np
import pytest

from keras_zoo.models.transformer.transformer_loss import (
    MaskedLabelSmoothedCrossEntropy,
    MaskedTokenAccuracy,
)
from keras_zoo.models.transformer.transformer_schedule import (
    TransformerSchedule,
    transformer_optimizer,
)


def _value(x):
    return float(keras.ops.convert_to_numpy(x))


def test_schedule_follows_equation_3():
    schedule = TransformerSchedule(512, warmup_steps=4000)
    for step in (1, 100, 3999, 4000, 4001, 100000):
        expected = 512**-0.5 * min(step**-0.5, step * 4000**-1.5)
        # The optimizer's iteration counts from 0: iteration step - 1.
        assert _value(schedule(step - 1)) == pytest.approx(expected, rel=1e-5)
    peak = _value(schedule(3999))
    assert peak == pytest.approx(512**-0.5 * 4000**-0.5, rel=1e-5)
    assert _value(schedule(1999)) == pytest.approx(peak / 2, rel=1e-4)  # linear warmup


def test_optimizer_uses_the_papers_adam_settings():
    optimizer = transformer_optimizer(64, warmup_steps=10, scale=2.0)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.98, 1e-9)
    restored = keras.optimizers.Adam.from_config(optimizer.get_config())._learning_rate
    assert isinstance(restored, TransformerSchedule)
    assert restored.get_config() == {"d_model": 64, "warmup_steps": 10, "scale": 2.0}


def _reference_loss(labels, logits, smoothing):
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    vocabulary = logits.shape[-1]
    target = np.full(logits.shape, smoothing / vocabulary)
    np.put_along_axis(target, labels[..., None], 1 - smoothing + smoothing / vocabulary, -1)
    per_token = -(target * log_probs).sum(-1)
    mask = labels != 0
    return per_token[mask].mean()


def test_loss_matches_a_numpy_reference_and_ignores_padding():
    rng = np.random.default_rng(0)
    labels = rng.integers(1, 7, size=(3, 5))
    labels[0, 3:] = 0
    labels[2, 1:] = 0
    logits = rng.normal(size=(3, 5, 7)).astype("float32")
    loss = MaskedLabelSmoothedCrossEntropy(0.1)
    assert _value(loss(labels, logits)) == pytest.approx(_reference_loss(labels, logits, 0.1), rel=1e-5)
    changed = logits.copy()
    changed[labels == 0] = 100.0 * rng.normal(size=changed[labels == 0].shape)
    assert _value(loss(labels, changed)) == pytest.approx(_value(loss(labels, logits)), rel=1e-6)
    # Without smoothing it is plain cross-entropy over the real tokens.
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(labels, logits)
    expected = keras.ops.convert_to_numpy(plain)[labels != 0].mean()
    assert _value(MaskedLabelSmoothedCrossEntropy(0.0)(labels, logits)) == pytest.approx(expected, rel=1e-5)


def test_loss_is_float32_for_half_logits_and_round_trips():
    labels = np.array([[1, 2, 0]])
    logits = keras.ops.cast(np.random.default_rng(1).normal(size=(1, 3, 4)), "float16")
    loss = MaskedLabelSmoothedCrossEntropy(0.2)
    value = loss(labels, logits)
    assert keras.backend.standardize_dtype(value.dtype) == "float32"
    assert MaskedLabelSmoothedCrossEntropy.from_config(loss.get_config()).label_smoothing == 0.2
    with pytest.raises(ValueError, match="Received: label_smoothing=1.0"):
        MaskedLabelSmoothedCrossEntropy(1.0)


def test_token_accuracy_counts_real_tokens_only():
    labels = np.array([[3, 1, 0, 0], [2, 2, 2, 0]])
    logits = np.zeros((2, 4, 4), "float32")
    for b, t, token in [(0, 0, 3), (0, 1, 2), (1, 0, 2), (1, 1, 2), (1, 2, 1), (0, 2, 0), (0, 3, 0)]:
        logits[b, t, token] = 1.0
    metric = MaskedTokenAccuracy()
    metric.update_state(labels, logits)
    assert _value(metric.result()) == pytest.approx(3 / 5)


def test_exact_match_counts_whole_sentences():
    from keras_zoo.training.tasks.translation import exact_match

    split = {"source": np.ones((2, 3), "int32"),
             "target": np.array([[1, 5, 6, 2, 0], [1, 7, 2, 0, 0]], "int32")}

    class Echo:  # "generates" the references, the second one wrong in one token
        def generate(self, source, max_length, start, end, **search):
            ids = np.zeros((len(source), max_length), "int32")
            ids[:, :5] = split["target"]
            ids[1, 1] = 8
            return ids

    assert exact_match(Echo(), split, max_length=6) == 0.5
