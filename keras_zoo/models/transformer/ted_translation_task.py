"""Decoding and BLEU for the real-corpus Transformer recipe: TED talks
Portuguese -> English (recipes/transformer_ted_pt_en.toml; tensorflow-datasets
`ted_hrlr_translate/pt_to_en`, a shared BPE vocabulary trained offline from
the training split, corpus BLEU with sacrebleu from the `translation` extra).
Needs the tfds download; not run by the test suite (its data pipeline is,
on mock data).

    keras-zoo train transformer_ted_pt_en        # or, from Python:
    from keras_zoo.models.transformer.ted_translation_task import train_ted_translation
"""

from keras_zoo.data.subword_tokenizer import END, START

RECIPE = "transformer_ted_pt_en"


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
    try:
        import sacrebleu
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "BLEU needs sacrebleu: pip install 'keras-zoo[translation]' (or pip install sacrebleu)."
        ) from None

    return sacrebleu.corpus_bleu(hypotheses, [references]).score


def train_ted_translation(overrides=(), runs_root="saved_models", verbose=2):
    """`keras-zoo train transformer_ted_pt_en [--set ...]` from Python;
    returns the trainer's `RunResult` (`.results["bleu_beam"]`, ...)."""
    from keras_zoo.recipes import load_recipe
    from keras_zoo.training import train_recipe

    return train_recipe(load_recipe(RECIPE, overrides), runs_root=runs_root, verbose=verbose)
