"""Every test that does not run on every backend, declared here and nowhere else.

The suite runs once per backend (tests/run_all_backends.py). A test listed
here runs only on the backends named for it and is skipped, with the reason
given, on the others; tests/conftest.py applies these skips. Any other skip
(a missing test dependency behind `importorskip`, a `pytest.skip` in a test
body) fails the run with its reason, so that a missing package can never turn
a parity test into a silent pass. Missing packages belong in the `test` extra
of pyproject.toml.

Keys are `fnmatch` patterns over pytest node ids relative to the repository
root; a key without "::" covers the whole file. Values: (the backends the
tests run on, why only there).

The pytest hooks at the end enforce this; tests/conftest.py imports them.
"""

import fnmatch
import os

import keras
import pytest

# Every reason conftest attaches starts with this; conftest fails any skip whose
# reason does not.
TAG = "[declared in tests/expected_skips.py]"

_EVERY_NOTEBOOK = os.environ.get("KERAS_ZOO_EVERY_NOTEBOOK") == "1"
_ALL = ("tensorflow", "jax", "torch")


def _notebook(backend):
    # Each notebook runs once per suite, in one backend's process (CI time);
    # KERAS_ZOO_EVERY_NOTEBOOK=1 runs every notebook in the current one.
    return (_ALL if _EVERY_NOTEBOOK else (backend,),
            f"the notebook runs in the {backend} process of the suite (KERAS_ZOO_EVERY_NOTEBOOK=1 runs it here)")


_NOTEBOOK_TEST = "tests/examples/test_notebooks.py::test_notebook_runs_top_to_bottom"
_FUSED_BIAS = ("torch",), "biases inside the kernel are PyTorch's fast path (keras_zoo/backend/biased_ops.py)"
_ONCE = ("jax",), "pure Python, backend-independent: runs once, in the JAX process of the suite"
_TF_DATA = ("tensorflow", "torch"), "a tf.data pipeline: TensorFlow ops under every backend (JAX's switch is PyTorch's)"

RUNS_ONLY_ON = {
    # --- One backend's own machinery ---
    "tests/distribution/test_jax_distribution.py": (("jax",), "keras.distribution runs on the JAX backend"),
    "tests/distribution/test_tf_strategy.py": (("tensorflow",), "tf.distribute runs on the TensorFlow backend"),
    "tests/distribution/test_torch_ddp.py": (("torch",), "torch.distributed runs on the torch backend"),
    "tests/distribution/test_distribution_strategy.py::test_model_parallel_outside_jax_says_what_is_valid": (
        ("tensorflow", "torch"), "the error for backends without model parallelism (JAX has it)"),
    "tests/export/test_tensorflow_route.py": (
        ("tensorflow",), "the TensorFlow writer is backend-independent: tested once, in the TensorFlow process"),
    "tests/export/test_cross_backend_route.py": (
        ("jax", "torch"), "the route from another backend through a TensorFlow subprocess"),
    "tests/backend/test_torch_depthwise.py": (
        ("torch",), "PyTorch's own convolution backward is what it replaces"),
    "tests/backend/gradients/test_torch_step_threads.py": (("torch",), "the intra-op thread rule is PyTorch's"),
    "tests/backend/test_torch_compile.py": (("torch",), "torch.compile and its eager fallback are PyTorch's"),
    "tests/backend/test_sublayer_call.py::test_block_gradients_unchanged_by_the_fast_path": (
        ("torch",), "the fast path is PyTorch's"),
    "tests/layers/test_dense.py::test_adds_the_bias_inside_the_product_on_torch*": _FUSED_BIAS,
    "tests/layers/test_dense.py::test_inference_with_the_activation_inside_the_product_on_torch*": _FUSED_BIAS,
    "tests/layers/test_dense.py::test_activation_inside_the_product_only_where_it_applies*": _FUSED_BIAS,
    "tests/layers/test_conv2d.py::test_adds_the_bias_inside_the_convolution_on_torch*": _FUSED_BIAS,
    "tests/layers/test_depthwise_conv2d.py::test_native_adds_the_bias_inside_the_convolution_on_torch*": _FUSED_BIAS,
    "tests/layers/test_depthwise_conv2d.py::test_batched_grad_trains_with_an_unknown_batch_size": (
        ("tensorflow",), "the batch size is unknown only in a TensorFlow graph"),
    "tests/models/transformer/test_transformer_generation.py::test_generation_is_compiled_on_jax_and_tensorflow": (
        ("tensorflow", "jax"), "PyTorch compiles the loop's body, not the loop: tests/backend/test_torch_compile.py"),
    # --- Backend-independent work done once (CI time) ---
    # Keras' augmentation layers inside tf.data run as TensorFlow ops under every backend; the
    # switch from a non-TensorFlow backend is the same for JAX and PyTorch (tested on PyTorch,
    # where tracing RandAugment takes 7 s against JAX's 45 s).
    "tests/data/test_augmentation.py::test_rand_augment_m9_changes_images_within_range": _TF_DATA,
    "tests/data/test_tfds_datasets.py::test_cifar10_pipeline_feeds_batches_with_the_paper_augmentation": _TF_DATA,
    "tests/models/convnext/test_convnext_variants.py::test_large_variant_parameter_counts*": (
        ("torch",), "backend-independent; built once, on the backend fastest to build 350M weights"),
    "tests/models/repvgg/test_repvgg_model.py::test_trainable_parameter_counts_are_timms_in_both_forms*": (
        ("torch",), "backend-independent; JAX's initializers compile once per weight shape (10 s a variant)"),
    "tests/models/convnext/test_convnext_variants.py::test_tiny_parameter_count": (
        ("torch",), "backend-independent; JAX's initializers compile once per weight shape (19 s for 28M weights)"),
    # On JAX the scale notebook trains this recipe in mixed_bfloat16, data-parallel over 4 devices,
    # and asserts the same dtypes.
    "tests/training/test_recipe_precision_distribution.py::test_mixed_bfloat16_data_parallel_recipe_trains_in_mixed_precision": (
        ("tensorflow", "torch"), "on JAX the scale_mixed_precision_distribution notebook trains and checks it"),
    "tests/models/convnext/test_convnext_variants.py::test_macs_equal_torchs_flop_count_of_timm*": (
        ("torch",), "backend-independent (timm on torch's meta device): counted once"),
    "tests/models/gpt/test_gpt_variants.py": (
        ("torch",), "backend-independent counts; built once, on the backend fastest to build 124M weights "
                    "(Hugging Face's on torch's meta device)"),
    "tests/data/test_byte_pair_tokenizer.py": _ONCE,
    "tests/data/test_language_corpus.py": _ONCE,
    "tests/evaluation/test_bigram_baseline.py": _ONCE,
    "tests/data/test_token_files.py": (
        ("torch",), "NumPy and the recipe's wiring, backend-independent: run once, on the backend that trains tiny "
                    "runs fastest (fit from a PyDataset is tested on every backend)"),
    "tests/training/test_language_modeling_task.py::test_tiny_recipe_trains_samples_and_reports_held_out_figures": (
        ("jax", "torch"), "CI time: the task is backend-independent code; on TensorFlow a GPT's fit is in "
                          "tests/models/test_registered_models.py (check_model), its generate in test_causal_lm.py"),
    "tests/data/test_tfds_datasets.py::test_*tiny_shakespeare*": _TF_DATA,
    "tests/benchmarks/test_harness.py::test_rates_are_units_over_the_median_step_and_failures_are_reported": _ONCE,
    "tests/benchmarks/test_harness.py::test_minor_faults_count_pages_touched_for_the_first_time": _ONCE,
    "tests/benchmarks/test_harness.py::test_malloc_hugepages_adds_the_glibc_tunable_to_every_worker": _ONCE,
    "tests/test_expected_skips.py::test_an_undeclared_skip_fails_the_run": _ONCE,
    "tests/test_cli.py::test_backend_flag_chooses_the_backend_of_a_fresh_process*": _ONCE,
    "tests/test_cli_evaluate.py": (("torch",), "the command's plumbing, backend-independent: run once, on the "
                                             "backend that trains tiny runs fastest"),
    f"{_NOTEBOOK_TEST}[convnext_digits.ipynb]": _notebook("torch"),
    # A JAX-trained run: SavedModel and TFLite come from the TensorFlow subprocess route.
    f"{_NOTEBOOK_TEST}[export_tflite.ipynb]": _notebook("jax"),  # balances the two lanes
    # keras.distribution over 4 host devices; its torchrun cell runs torch processes anyway.
    f"{_NOTEBOOK_TEST}[scale_mixed_precision_distribution.ipynb]": _notebook("jax"),
    f"{_NOTEBOOK_TEST}[transformer_translation.ipynb]": _notebook("torch"),  # JAX's lane is the longer
    f"{_NOTEBOOK_TEST}[wgan_gp_digits.ipynb]": _notebook("tensorflow"),
}


def _pattern(key):
    # "*" is the only wildcard: the brackets of a parametrized id are literal.
    key = "".join({"[": "[[]", "]": "[]]"}.get(c, c) for c in key)
    return key if "::" in key else f"{key}::*"


def declaration(nodeid):
    """(backends, reason) of the entry covering `nodeid`, or None."""
    for key, value in RUNS_ONLY_ON.items():
        if fnmatch.fnmatchcase(nodeid, _pattern(key)):
            return value
    return None


def skip_reason(nodeid, backend):
    """The tagged reason to skip `nodeid` on `backend`, or None to run it."""
    found = declaration(nodeid)
    if found is None or backend in found[0]:
        return None
    backends, reason = found
    return f"{TAG} runs on {', '.join(backends)} only: {reason}"


def is_declared(reason):
    return str(reason).startswith(TAG)



# --- The hooks (imported by tests/conftest.py) ---


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = skip_reason(item.nodeid, keras.backend.backend())
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def _undeclared_skip(report):
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    return None if is_declared(reason) else reason


def _fail_undeclared(report):
    reason = _undeclared_skip(report)
    if reason is not None:
        report.outcome = "failed"
        report.longrepr = (
            f"Undeclared skip on the {keras.backend.backend()} backend: {reason}\n"
            "A skip may only hide a test on a backend it does not concern: declare it in "
            "tests/expected_skips.py. A missing test dependency belongs in pyproject's `test` extra."
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_undeclared(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A module-level skip (`importorskip` at the top of a file) skips at collection.
    outcome = yield
    _fail_undeclared(outcome.get_result())
