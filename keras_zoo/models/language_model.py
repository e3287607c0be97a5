"""What every keras_zoo language model shares: its token ids are checked
against the vocabulary wherever their values are known."""

from keras_zoo.models.backbone import FunctionalModel
from keras_zoo.utils.token_ids import check_token_ids


class LanguageModel(FunctionalModel):
    """A functional model over int token ids. `__call__` and `predict`
    check ids given as numpy arrays or lists (integers inside the
    vocabulary, or a `ValueError` says which id is where); tensors, whose
    values a compiled graph does not know, are not checked.

    A subclass with other inputs than "token_ids" (or a bare ids tensor)
    overrides `token_vocabularies()`: `{input name: vocabulary size}`."""

    def token_vocabularies(self):
        return {"token_ids": self.vocabulary_size}

    def _check_ids(self, inputs):
        for name, size in self.token_vocabularies().items():
            ids = inputs.get(name) if isinstance(inputs, dict) else (inputs if name == "token_ids" else None)
            check_token_ids(ids, size, name)

    def __call__(self, inputs, *args, **kwargs):
        self._check_ids(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        self._check_ids(x)
        return super().predict(x, *args, **kwargs)
