"""The `translation` task: a Transformer trained on teacher-forced sentence
pairs with the paper's optimizer, schedule and label-smoothed masked loss;
after training, its best checkpoint translates the held-out sentences
(greedy and beam search), scored by exact match (the number-translation
recipe) or corpus BLEU (TED talks Portuguese -> English, with sacrebleu from
the `translation` extra). From Python, the way `keras-zoo train` trains:

    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe
    result = train_recipe(load_recipe("transformer_number_translation"))  # result.results["exact_match_greedy"]
"""


import keras
import numpy as np

from keras_zoo.recipes.fields import COMMON_SECTIONS
from keras_zoo.recipes.fields import GRADIENT_FIELDS
from keras_zoo.recipes.fields import Field
from keras_zoo.recipes.fields import below_one
from keras_zoo.recipes.fields import non_negative
from keras_zoo.recipes.fields import positive
from keras_zoo.data.array_batches import ArrayBatches
from keras_zoo.data.number_translation import teacher_forcing_pairs
from keras_zoo.training.optimizer_builder import gradient_options
from keras_zoo.training.tasks.task import Task
from keras_zoo.training.tasks.task import model_overrides
from keras_zoo.training.tasks.task import register_task
from keras_zoo.utils.token_ids import check_token_ids
from keras_zoo.models.transformer.transformer_loss import MaskedLabelSmoothedCrossEntropy
from keras_zoo.models.transformer.transformer_loss import MaskedTokenAccuracy
from keras_zoo.models.transformer.transformer_schedule import TransformerSchedule

# The Transformer (Vaswani et al. 2017): Adam on the paper's schedule, eq. 3.
SCHEMA = {
    "recipe": COMMON_SECTIONS["recipe"],
    "model": COMMON_SECTIONS["model"],
    "data": {
        "dataset": Field(str, "number_translation", "a translation dataset",
                         choices=("number_translation", "ted_hrlr_translate/pt_to_en")),
        "num_train": Field(int, 40000, "an int > 0 (number_translation: training sentences)", positive),
        "num_validation": Field(int, 1000, "an int > 0 (number_translation: sentences that pick the best epoch)", positive),
        "num_test": Field(int, 1000, "an int > 0 (number_translation: held-out sentences scored after training)", positive),
        "vocabulary_size": Field(int, 8000, "an int > 3 (subword vocabulary, TED)", lambda v: v > 3),
        "max_tokens": Field(int, 64, "an int > 0 (longest training sentence in subwords, TED)", positive),
        "data_dir": Field(str, "", "a tensorflow-datasets data directory ('' for tfds' default)"),
        "tokenizer_path": Field(str, "", "a file for the subword tokenizer, trained once from the training split ('': retrain each run)"),
    },
    "train": COMMON_SECTIONS["train"],
    "optimizer": {
        "name": Field(str, "adam", "an optimizer", choices=("adam",)),
        "schedule": Field(str, "transformer", "a schedule ('transformer': the paper's eq. 3)",
                          choices=("transformer", "constant")),
        "warmup_steps": Field(int, 4000, "an int > 0", positive),
        "scale": Field(float, 1.0, "a float > 0 (multiplies the transformer schedule)", positive),
        "learning_rate": Field(float, 1e-4, "a float > 0 (the 'constant' schedule's rate)", positive),
        "beta_1": Field(float, 0.9, "a float in [0, 1)", below_one),
        "beta_2": Field(float, 0.98, "a float in [0, 1)", below_one),
        "epsilon": Field(float, 1e-9, "a float > 0", positive),
        # An average of the recent weights, like the paper's averaged last 5 checkpoints (section 6.1).
        "ema": Field(bool, False, "true or false"),
        "ema_momentum": Field(float, 0.999, "a float in [0, 1)", below_one),
        **GRADIENT_FIELDS,
    },
    "evaluate": {
        "metric": Field(str, "exact_match", "a held-out metric", choices=("exact_match", "bleu")),
        "split": Field(str, "test", "the split decoded after training", choices=("test", "validation")),
        "max_length": Field(int, 0, "an int >= 0 (0: the dataset's longest target)", non_negative),
        "num_beams": Field(int, 4, "an int >= 1 (1: greedy only)", positive),
        "length_penalty": Field(float, 0.6, "a float >= 0", non_negative),
    },
}

_VALIDATION_BATCH_SIZE = 500  # evaluation only: as large as memory comfortably allows


class TranslationData:
    """What `Task.build_data` returns: `.train` (shuffled each epoch) and
    `.validation` teacher-forcing batches for `fit`, the raw id `.splits`
    ({"validation"|"test": {"source", "target"[, "references"]}}),
    `.vocabulary_size`, `.max_target_length` and `.tokenizer` (None when
    the vocabulary is whole words)."""

    def __init__(self, splits, train_split, vocabulary_size, batch_size, seed, tokenizer=None):
        for split_name, split in {"train": train_split, **splits}.items():
            for key in ("source", "target"):
                check_token_ids(split[key], vocabulary_size, f"{split_name} {key}")
        self.splits = splits
        self.train = ArrayBatches(*teacher_forcing_pairs(train_split), batch_size, shuffle=True, seed=seed,
                                  drop_remainder=True)
        self.validation = ArrayBatches(
            *teacher_forcing_pairs(splits["validation"]), _VALIDATION_BATCH_SIZE, shuffle=False
        )
        self.steps_per_epoch = len(self.train)
        self.vocabulary_size = vocabulary_size
        self.max_target_length = train_split["target"].shape[1]
        self.tokenizer = tokenizer


def _number_translation(recipe):
    from keras_zoo.data import number_translation

    config, train = recipe["data"], recipe["train"]
    splits = number_translation.load_number_translation(
        config["num_train"], config["num_validation"], config["num_test"], seed=train["seed"]
    )
    # Three disjoint sets of numbers: validation picks the best epoch by its
    # loss, test is translated once after training.
    return TranslationData(splits, splits["train"], len(number_translation.vocabulary()),
                           train["batch_size"], train["seed"])


def _ted_translation(recipe):
    from keras_zoo.data.ted_translation import load_ted_translation

    config, train = recipe["data"], recipe["train"]
    splits, tokenizer = load_ted_translation(
        config["dataset"].split("/")[1], config["vocabulary_size"], config["max_tokens"],
        data_dir=config["data_dir"], tokenizer_path=config["tokenizer_path"] or None,
    )
    return TranslationData(splits, splits["train"], tokenizer.vocabulary_size, train["batch_size"],
                           train["seed"], tokenizer=tokenizer)


_DATASETS = {"number_translation": _number_translation, "ted_hrlr_translate/pt_to_en": _ted_translation}


def build_translation_data(recipe):
    return _DATASETS[recipe["data"]["dataset"]](recipe)


def build_translation_model(recipe, data):
    from keras_zoo import create_model

    return create_model(recipe["model"]["name"], **{
        "vocabulary_size": data.vocabulary_size, "seed": recipe["train"]["seed"], **model_overrides(recipe)})


def build_translation_optimizer(recipe, model):
    """Adam on the paper's schedule (section 5.3, eq. 3), or a constant rate;
    optionally keeping an exponential moving average of the weights."""
    config = recipe["optimizer"]
    if config["schedule"] == "transformer":
        learning_rate = TransformerSchedule(model.hidden_dim, config["warmup_steps"], config["scale"])
    else:
        learning_rate = config["learning_rate"]
    # With `ema`, the trainer validates and checkpoints the averaged weights (SwapEMAWeights).
    return keras.optimizers.Adam(
        learning_rate, beta_1=config["beta_1"], beta_2=config["beta_2"], epsilon=config["epsilon"],
        use_ema=config["ema"], ema_momentum=config["ema_momentum"], **gradient_options(config),
    )


def compile_translation_model(recipe, model, data=None):
    model.compile(
        optimizer=build_translation_optimizer(recipe, model),
        loss=build_translation_loss(recipe),
        metrics=build_translation_metrics(recipe),
    )


def build_translation_loss(recipe):
    # Padding (id 0) contributes nothing to the loss nor to the accuracy.
    return MaskedLabelSmoothedCrossEntropy(recipe["train"].get("label_smoothing", 0.0))


def build_translation_metrics(recipe):
    return [MaskedTokenAccuracy(name="accuracy")]


def translation_results(recipe, model, data):
    """Held-out figures of a trained model: exact match (the share of
    sentences translated word for word) or corpus BLEU, greedy and with
    the recipe's beam search."""
    evaluation = recipe["evaluate"]
    split = data.splits[evaluation["split"]]
    max_length = evaluation["max_length"] or data.max_target_length
    searches = {"greedy": {"num_beams": 1}}
    if evaluation["num_beams"] > 1:
        searches["beam"] = {"num_beams": evaluation["num_beams"], "length_penalty": evaluation["length_penalty"]}
    results = {}
    for search, kwargs in searches.items():
        if evaluation["metric"] == "exact_match":
            results[f"exact_match_{search}"] = exact_match(model, split, max_length, **kwargs)
        else:
            hypotheses = translate(model, data.tokenizer, split, max_length, **kwargs)
            results[f"bleu_{search}"] = corpus_bleu(hypotheses, split["references"])
    results["num_beams"] = evaluation["num_beams"]
    results["sentences"] = len(split["source"])
    return results


def translation_headline(result):
    metric = "exact_match" if "exact_match_greedy" in result.results else "bleu"
    scale, unit = (100.0, "%") if metric == "exact_match" else (1.0, "")
    figures = [f"greedy {result.results[f'{metric}_greedy'] * scale:.1f}{unit}"]
    if f"{metric}_beam" in result.results:
        figures.append(f"beam {result.results['num_beams']} {result.results[f'{metric}_beam'] * scale:.1f}{unit}")
    return (f"held-out {metric.replace('_', ' ')} on {result.results['sentences']} sentences "
            f"{', '.join(figures)} (best val_loss {result.best:.4f})")


def exact_match(model, split, max_length=None, num_beams=1, length_penalty=0.6, batch_size=500):
    """Share of sentences whose generated translation equals the reference
    word for word (end token included); `max_length` None: the number
    task's longest target."""
    from keras_zoo.data import number_translation

    max_length = max_length or number_translation.TARGET_LENGTH
    correct = 0
    for start in range(0, len(split["source"]), batch_size):
        source = split["source"][start : start + batch_size]
        reference = split["target"][start : start + batch_size]
        ids = model.generate(source, max_length, number_translation.START, number_translation.END,
                             num_beams=num_beams, length_penalty=length_penalty)
        correct += int(np.sum(np.all(ids[:, : reference.shape[1]] == reference, axis=1)))
    return correct / len(split["source"])


def translate(model, tokenizer, split, max_length, num_beams=4, length_penalty=0.6, batch_size=64):
    """Decoded hypotheses (texts) for every source row of `split`."""
    from keras_zoo.data.subword_tokenizer import END, START

    hypotheses = []
    for start in range(0, len(split["source"]), batch_size):
        ids = model.generate(split["source"][start : start + batch_size], max_length, START, END,
                             num_beams=num_beams, length_penalty=length_penalty)
        hypotheses += [tokenizer.decode(row[1:]) for row in ids]
    return hypotheses


def corpus_bleu(hypotheses, references):
    """Corpus BLEU (sacrebleu's default 13a tokenisation)."""
    try:
        import sacrebleu
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "BLEU needs sacrebleu: pip install 'keras-zoo[translation]' (or pip install sacrebleu)."
        ) from None

    return sacrebleu.corpus_bleu(hypotheses, [references]).score



TASK = register_task("translation", Task(
    schema=SCHEMA,
    open_sections=("model",),
    build_data=build_translation_data,
    build_model=build_translation_model,
    build_loss=build_translation_loss,
    build_metrics=build_translation_metrics,
    # Teacher-forced token accuracy saturates at 1.0 within a few epochs
    # on the number task; the label-smoothed loss goes on falling.
    monitor="val_loss",
    monitor_mode="min",
    compile_model=compile_translation_model,
    after_fit=translation_results,
    headline=translation_headline,
))
