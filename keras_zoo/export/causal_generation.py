"""A decoder-only language model (`CausalLM`) as a SavedModel that
generates by itself: `serve` (the forward pass), `generate` (greedy) and,
when asked, `sample`, each loop whole in the graph over the preallocated
key/value cache. keras-hub's GPT2CausalLM cannot be turned into such a
concrete function (keras-hub issues 1090, 1717).

Shapes are fixed where the loop needs them: prompts are left-padded to
`prompt_length` (the padding mask says where), and `max_new_tokens` follow.

    generation = {"prompt_length": 16, "max_new_tokens": 32, "end_token_id": None,
                  "sampling": {"temperature": 0.8, "top_k": 40, "top_p": None}}  # sampling optional

    loaded.generate(prompt_ids=ids, padding_mask=mask)                 # (B, 16 + 32) int32
    loaded.sample(prompt_ids=ids, padding_mask=mask, noise=uniforms)   # uniforms (48, B) in [0, 1)
"""

import numpy as np

GENERATION_KEYS = ("prompt_length", "max_new_tokens", "end_token_id", "sampling")
SAMPLING_KEYS = ("temperature", "top_k", "top_p")


def check_causal_generation(generation, vocabulary_size, padding_id):
    """Clear errors for a `generation` dict no graph could be built from."""
    from keras_zoo.generation.decoding import check_decoding_args, check_special_tokens

    unknown = set(generation) - set(GENERATION_KEYS)
    if unknown or not {"prompt_length", "max_new_tokens"} <= set(generation):
        raise ValueError(
            f"A causal LM's generation= takes {', '.join(GENERATION_KEYS)} (the first two required). "
            f"Received: {sorted(generation)}")
    for key in ("prompt_length", "max_new_tokens"):
        if not isinstance(generation[key], int) or generation[key] < 1:
            raise ValueError(f"`{key}` must be an int >= 1. Received: {key}={generation[key]!r}")
    if generation.get("end_token_id") is not None:
        check_special_tokens(vocabulary_size, padding_id=padding_id, end_token_id=generation["end_token_id"])
    sampling = generation.get("sampling")
    if sampling is not None:
        if set(sampling) - set(SAMPLING_KEYS):
            raise ValueError(f"`sampling` takes {', '.join(SAMPLING_KEYS)}. Received: {sorted(sampling)}")
        check_decoding_args(max_length(generation), do_sample=True, **sampling)


def max_length(generation):
    return generation["prompt_length"] + generation["max_new_tokens"]


def write_causal_generation(model, path, generation):
    import keras
    import tensorflow as tf
    from keras import tree

    from keras_zoo.generation.decoding import search_function
    from keras_zoo.models.causal_lm import NO_END_TOKEN

    check_causal_generation(generation, model.vocabulary_size, model.padding_token_id)
    length, prompt_length = max_length(generation), generation["prompt_length"]
    end = generation.get("end_token_id")
    common = dict(end_token_id=NO_END_TOKEN if end is None else end, vocabulary_size=model.vocabulary_size,
                  padding_id=model.padding_token_id)
    prepare = model.generation_inputs(length)
    prompt_specs = [tf.TensorSpec((None, prompt_length), tf.int32, name="prompt_ids"),
                    tf.TensorSpec((None, prompt_length), tf.bool, name="padding_mask")]

    archive = keras.export.ExportArchive()
    serve_signature = tree.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype, name=t.name), model.input)
    archive.track_and_add_endpoint("serve", model, [serve_signature])
    greedy = search_function(prepare, **common)
    archive.add_endpoint("generate", lambda prompt_ids, padding_mask: greedy((prompt_ids, padding_mask)),
                         input_signature=prompt_specs)
    if generation.get("sampling") is not None:
        draw = search_function(prepare, do_sample=True, **generation["sampling"], **common)
        archive.add_endpoint(
            "sample", lambda prompt_ids, padding_mask, noise: draw((prompt_ids, padding_mask), noise),
            input_signature=prompt_specs + [tf.TensorSpec((length, None), tf.float32, name="noise")])
    archive.write_out(path, verbose=False)


def sampling_noise(seed, generation, rows):
    """The uniforms `model.generate(..., do_sample=True, seed=seed)` draws."""
    return np.random.default_rng(seed).uniform(size=(max_length(generation), rows)).astype("float32")


def verify_causal_generation(model, path, generation, prompt_ids, padding_mask, seed=0):
    """The SavedModel's `generate` (and `sample`) give exactly
    `model.generate`'s ids; returns True, or raises naming the difference."""
    import tensorflow as tf

    from keras_zoo.export.verification import ExportVerificationError

    loaded = tf.saved_model.load(str(path))
    options = {"max_new_tokens": generation["max_new_tokens"], "padding_mask": padding_mask,
               "end_token_id": generation.get("end_token_id")}
    checks = {"generate": (model.generate(prompt_ids, **options),
                           lambda: loaded.generate(prompt_ids=prompt_ids, padding_mask=padding_mask))}
    if generation.get("sampling") is not None:
        noise = sampling_noise(seed, generation, len(prompt_ids))
        expected = model.generate(prompt_ids, do_sample=True, seed=seed, **generation["sampling"], **options)
        checks["sample"] = (expected, lambda: loaded.sample(prompt_ids=prompt_ids, padding_mask=padding_mask,
                                                             noise=noise))
    for name, (expected, run) in checks.items():
        actual = run().numpy()
        if actual.shape != expected.shape or not np.array_equal(actual, expected):
            raise ExportVerificationError(
                f"{path}: `{name}` gives other ids than model.generate for prompts {prompt_ids.shape}:\n"
                f"{actual}\nvs\n{expected}")
    return True


def left_padded_prompts(generation, vocabulary_size, seed=0):
    """Two prompts of `prompt_length`, the second left-padded to half of it:
    what verification generates from."""
    rng = np.random.default_rng(seed)
    length = generation["prompt_length"]
    ids = rng.integers(1, vocabulary_size, size=(2, length)).astype("int32")
    mask = np.ones((2, length), bool)
    mask[1, : length // 2] = False
    return ids, mask
