"""Text a language model generates from one fixed prompt and seed, written
to a file as training goes and printed once at the end, to read what the
losses mean (the text counterpart of `SampleGrid`)."""

import os

import keras


class TextSamples(keras.callbacks.Callback):
    """Appends `path` with the model's continuation of `prompt` after every
    `every_epochs` epochs (0: only after the last) and prints the last one.

    Args:
        path: the text file (its folder is created if missing).
        tokenizer: `encode(text) -> ids` and `decode(ids) -> text`.
        prompt: the text continued each time.
        new_tokens: how many tokens each sample adds.
        every_epochs: an int >= 0.
        seed, temperature, top_k: the sampling, the same each time, so that
            samples differ only by what the model learnt.
    """

    def __init__(self, path, tokenizer, prompt, new_tokens=200, every_epochs=0, seed=0, temperature=0.8,
                 top_k=40):
        super().__init__()
        if not prompt:
            raise ValueError("`prompt` must be a non-empty text: generation continues it.")
        if every_epochs < 0 or new_tokens < 1:
            raise ValueError(f"`every_epochs` must be >= 0 and `new_tokens` >= 1. Received: "
                             f"every_epochs={every_epochs}, new_tokens={new_tokens}")
        self.path, self.tokenizer, self.prompt = path, tokenizer, prompt
        self.new_tokens, self.every_epochs = new_tokens, every_epochs
        self.sampling = {"do_sample": True, "seed": seed, "temperature": temperature, "top_k": top_k}
        self.last_text = None
        self._last_epoch = -1

    def sample(self, model):
        ids = self.tokenizer.encode(self.prompt)
        generated = model.generate([ids], max_new_tokens=self.new_tokens, **self.sampling)[0]
        return self.tokenizer.decode(generated)

    def _write(self, epoch):
        self.last_text = self.sample(self.model)
        self._last_epoch = epoch
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(f"=== epoch {epoch + 1} ===\n{self.last_text}\n\n")

    def on_epoch_end(self, epoch, logs=None):
        self._epoch = epoch
        if self.every_epochs and (epoch + 1) % self.every_epochs == 0:
            self._write(epoch)

    def on_train_end(self, logs=None):
        epoch = getattr(self, "_epoch", None)
        if epoch is None:
            return
        if self._last_epoch != epoch:
            self._write(epoch)
        print(f"Sample after epoch {epoch + 1} ({self.path}):\n{self.last_text}", flush=True)
