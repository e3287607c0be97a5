"""Parity of the whole `Transformer` with `torch.nn.Transformer` (post-norm,
the paper's layout) by weight transfer, with padded sources and targets."""

import math

import keras
import numpy as np
import torch

from keras_zoo.models.transformer import Transformer

VOCABULARY, LAYERS, WIDTH, HEADS, FEED_FORWARD = 31, 2, 16, 4, 32
EPSILON = 1e-6  # our default layer_norm_epsilon


def _batch(seed=0):
    """Ids (B, S) and (B, T), 0 = padding at the end of some rows."""
    rng = np.random.default_rng(seed)
    source = rng.integers(1, VOCABULARY, size=(3, 7)).astype("int32")
    source[0, -3:] = 0
    source[2, -1:] = 0
    target = rng.integers(1, VOCABULARY, size=(3, 6)).astype("int32")
    target[1, -2:] = 0
    target[2, -4:] = 0
    return {"source": source, "target": target}


def _perturb(model, seed=0):
    """Random normal values in every weight: the default zero biases and
    unit gammas would hide a wrong mapping of them. Kernels ~ N(0, 1/fan_in)
    keep activations of order 1."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape, name = tuple(weight.shape), weight.path.split("/")[-1]
        if name == "embeddings":
            value = rng.normal(0.0, WIDTH**-0.5, shape)  # sqrt(d)-scaled: unit scale
        elif name == "kernel":
            value = rng.normal(0.0, shape[0] ** -0.5, shape)
        elif name == "gamma":
            value = rng.normal(1.0, 0.5, shape)
        else:  # bias, beta
            value = rng.normal(0.0, 0.5, shape)
        weight.assign(value.astype("float32"))


def _sinusoids(length, width):
    """The paper's table (section 3.5), computed here independently:
    PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(same)."""
    table = np.zeros((length, width))
    position = np.arange(length)[:, None]
    angle = position / 10000.0 ** (np.arange(0, width, 2)[None, :] / width)
    table[:, 0::2], table[:, 1::2] = np.sin(angle), np.cos(angle)
    return torch.from_numpy(table.astype("float32"))


class TorchTransformer(torch.nn.Module):
    """torch.nn.Transformer with our embedding: shared (V, d) matrix for the
    source, the target and the output projection (logits = x E^T),
    embeddings scaled by sqrt(d) plus the sinusoidal table. torch always
    ends the encoder and decoder with a LayerNorm; post-norm layers already
    end in one and ours has none there, so both become identities."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, WIDTH)
        self.transformer = torch.nn.Transformer(
            WIDTH, HEADS, LAYERS, LAYERS, FEED_FORWARD, dropout=0.0, activation="relu",
            layer_norm_eps=EPSILON, batch_first=True, norm_first=False,
        )
        self.transformer.encoder.norm = torch.nn.Identity()
        self.transformer.decoder.norm = torch.nn.Identity()

    def embed(self, ids):  # (B, T) -> (B, T, d)
        return self.embedding(ids) * math.sqrt(WIDTH) + _sinusoids(ids.shape[1], WIDTH)

    def encode(self, source):
        return self.transformer.encoder(self.embed(source), src_key_padding_mask=source == 0)

    def forward(self, source, target):
        causal = torch.triu(torch.ones(target.shape[1], target.shape[1], dtype=torch.bool), 1)  # True = hidden
        x = self.transformer(
            self.embed(source), self.embed(target), tgt_mask=causal,
            src_key_padding_mask=source == 0, tgt_key_padding_mask=target == 0,
            memory_key_padding_mask=source == 0,
        )  # (B, T, d)
        return x @ self.embedding.weight.T  # (B, T, V)


def _copy_attention(ours, theirs):
    kernels = [_numpy(d.kernel).T for d in (ours.query_dense, ours.key_dense, ours.value_dense)]
    biases = [_numpy(d.bias) for d in (ours.query_dense, ours.key_dense, ours.value_dense)]
    _set(theirs.in_proj_weight, np.concatenate(kernels))
    _set(theirs.in_proj_bias, np.concatenate(biases))
    _copy_dense(ours.output_dense, theirs.out_proj)


def _copy_dense(ours, theirs):
    _set(theirs.weight, _numpy(ours.kernel).T)
    _set(theirs.bias, _numpy(ours.bias))


def _copy_norm(ours, theirs):
    # 1e-6 against torch's default 1e-5 moves the logits by ~3e-6 relative,
    # below what the comparison resolves: compare the epsilons themselves.
    assert ours.epsilon == theirs.eps, (ours.name, ours.epsilon, theirs.eps)
    _set(theirs.weight, _numpy(ours.gamma))
    _set(theirs.bias, _numpy(ours.beta))


def _copy_feed_forward(ours, theirs):
    _copy_dense(ours.intermediate_dense, theirs.linear1)
    _copy_dense(ours.output_dense, theirs.linear2)


def _transfer_weights(model, reference):
    """Copies every weight of `model` into `reference` (a TorchTransformer);
    a parameter left out stays NaN and poisons the logits."""
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter.fill_(float("nan"))
    _set(reference.embedding.weight, _numpy(model.get_layer("token_embedding").embeddings))
    for i, theirs in enumerate(reference.transformer.encoder.layers):
        ours = model.get_layer(f"encoder_layer_{i}")
        _copy_attention(ours.self_attention, theirs.self_attn)
        _copy_norm(ours.self_attention_norm, theirs.norm1)
        _copy_feed_forward(ours.feed_forward, theirs)
        _copy_norm(ours.feed_forward_norm, theirs.norm2)
    for i, theirs in enumerate(reference.transformer.decoder.layers):
        # Sub-layers in order: self-attention, cross-attention, feed-forward.
        ours = model.get_layer(f"decoder_layer_{i}")
        _copy_attention(ours.self_attention, theirs.self_attn)
        _copy_norm(ours.self_attention_norm, theirs.norm1)
        _copy_attention(ours.cross_attention, theirs.multihead_attn)
        _copy_norm(ours.cross_attention_norm, theirs.norm2)
        _copy_feed_forward(ours.feed_forward, theirs)
        _copy_norm(ours.feed_forward_norm, theirs.norm3)
    transferred = sum(p.numel() for p in reference.parameters())
    assert transferred == model.count_params(), (transferred, model.count_params())


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _set(parameter, value):
    with torch.no_grad():
        parameter.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def _relative_error(ours, reference):  # as in tests/models/convnext/test_convnext_weights.py
    return np.abs(ours - reference).max() / np.abs(reference).max()


def test_logits_match_torch_transformer_at_every_position_with_padded_source_and_target():
    # layer_norm_epsilon at its default, 1e-6 (tensor2tensor's; the paper gives none).
    model = Transformer(vocabulary_size=VOCABULARY, num_layers=LAYERS, hidden_dim=WIDTH,
                        intermediate_dim=FEED_FORWARD, num_heads=HEADS, dropout=0.0)
    _perturb(model)
    reference = TorchTransformer().eval()
    _transfer_weights(model, reference)
    batch = _batch()
    source, target = (torch.from_numpy(batch[k]).long() for k in ("source", "target"))
    with torch.no_grad():
        expected = reference(source, target).numpy()  # (B, T, V)
        expected_memory = reference.encode(source).numpy()  # (B, S, d)
    logits = _numpy(model(batch))

    # The comparison means something: logits of order 1 that differ between
    # rows and between neighbouring real target positions.
    assert 1.0 < np.abs(expected).max() < 50.0, np.abs(expected).max()
    neighbours = np.abs(np.diff(expected, axis=1)).max(-1)  # (B, T - 1)
    assert neighbours[batch["target"][:, 1:] != 0].min() > 0.1
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert np.abs(expected[i] - expected[j]).max(-1).min() > 0.1
    relative = _relative_error(logits, expected)
    assert relative < 1e-4, relative  # every position, padded targets included

    # The encoder alone, at real source positions: in eval mode torch's
    # encoder takes its nested-tensor fast path and leaves zeros at padded
    # ones (which the decoder never attends to).
    real = batch["source"] != 0
    memory = _numpy(model.encode(batch["source"]))
    assert _relative_error(memory[real], expected_memory[real]) < 1e-4
