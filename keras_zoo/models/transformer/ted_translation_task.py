"""The real-corpus Transformer recipe: TED talks Portuguese -> English
through tensorflow-datasets, a shared BPE vocabulary trained offline from
the training split, BLEU with sacrebleu. Needs the tfds data and sacrebleu
(`pip install sacrebleu`); not run by the test suite.

    from keras_zoo.models.transformer.ted_translation_task import train_ted_translation
    train_ted_translation()  # {"bleu": ..., ...}
"""

import time

import keras

from keras_zoo.data.subword_tokenizer import END, START
from keras_zoo.data.ted_translation import load_ted_translation
from keras_zoo.data.number_translation import teacher_forcing_pairs
from keras_zoo.models.transformer.transformer_loss import (
    MaskedLabelSmoothedCrossEntropy,
    MaskedTokenAccuracy,
)
from keras_zoo.models.transformer.transformer_schedule import transformer_optimizer

# Twin of recipes/transformer_ted_pt_en.toml.
TED_TRANSLATION_RECIPE = {
    "task": "translation",
    # The TensorFlow tutorial's size for this corpus (the paper's base
    # model overfits 50k sentence pairs).
    "model": {"name": "transformer_tiny", "num_layers": 4, "hidden_dim": 128,
              "intermediate_dim": 512, "num_heads": 8, "dropout": 0.1},
    "data": {"dataset": "ted_hrlr_translate/pt_to_en", "vocabulary_size": 8000,
             "max_tokens": 64, "data_dir": "", "tokenizer_path": "ted_pt_en_bpe.json"},
    "train": {"epochs": 20, "batch_size": 64, "label_smoothing": 0.1, "seed": 0},
    "optimizer": {"name": "adam", "beta_1": 0.9, "beta_2": 0.98, "epsilon": 1e-9,
                  "schedule": "transformer", "warmup_steps": 4000, "scale": 1.0},
    "evaluate": {"metric": "bleu", "split": "test", "num_beams": 4, "length_penalty": 0.6},
}


def translate(model, tokenizer, split, max_length, num_beams=4, length_penalty=0.6,
              batch_size=64):
    """Decoded hypotheses (texts) for every source row of `split`."""
    hypotheses = []
    for start in range(0, len(split["source"]), batch_size):
        ids = model.generate(split["source"][start : start + batch_size], max_length, START, END,
                             num_beams=num_beams, length_penalty=length_penalty)
        hypotheses += [tokenizer.decode(row[1:]) for row in ids]
    return hypotheses


def corpus_bleu(hypotheses, references):
    """Corpus BLEU (sacrebleu's default 13a tokenisation)."""
    import sacrebleu

    return sacrebleu.corpus_bleu(hypotheses, [references]).score


def train_ted_translation(recipe=None, verbose=2, split_texts=None):
    """Trains and evaluates the TED recipe; returns {"bleu", "seconds",
    "model", "tokenizer"}."""
    recipe = recipe or TED_TRANSLATION_RECIPE
    config = recipe["data"]
    keras.utils.set_random_seed(recipe["train"]["seed"])
    splits, tokenizer = load_ted_translation(
        config["dataset"].split("/")[1], config["vocabulary_size"], config["max_tokens"],
        data_dir=config["data_dir"], tokenizer_path=config["tokenizer_path"],
        split_texts=split_texts)
    from keras_zoo import create_model

    overrides = {k: v for k, v in recipe["model"].items() if k != "name"}
    model = create_model(recipe["model"]["name"], vocabulary_size=tokenizer.vocabulary_size,
                         seed=recipe["train"]["seed"], **overrides)
    optimizer = recipe["optimizer"]
    model.compile(optimizer=transformer_optimizer(model.hidden_dim, optimizer["warmup_steps"],
                                                  optimizer["scale"]),
                  loss=MaskedLabelSmoothedCrossEntropy(recipe["train"]["label_smoothing"]),
                  metrics=[MaskedTokenAccuracy(name="accuracy")])
    started = time.time()
    model.fit(*teacher_forcing_pairs(splits["train"]),
              validation_data=teacher_forcing_pairs(splits["validation"]),
              batch_size=recipe["train"]["batch_size"], epochs=recipe["train"]["epochs"],
              verbose=verbose)
    evaluation = recipe["evaluate"]
    test = splits[evaluation["split"]]
    # Outputs as long as the longest training target (start and end included).
    hypotheses = translate(model, tokenizer, test, config["max_tokens"] + 2,
                           evaluation["num_beams"], evaluation["length_penalty"])
    return {"bleu": corpus_bleu(hypotheses, test["references"]),
            "seconds": time.time() - started, "model": model, "tokenizer": tokenizer}
