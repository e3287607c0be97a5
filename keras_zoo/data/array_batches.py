import keras
import numpy as np


class ArrayBatches(keras.utils.PyDataset):
    """Batches of in-memory arrays for `model.fit`, on every backend without
    tf.data: `inputs` (an array or a dict of arrays) and `labels`, reshuffled
    each epoch from `seed` when `shuffle` is on."""

    def __init__(self, inputs, labels, batch_size, shuffle=True, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size}")
        self.inputs, self.labels = inputs, labels
        self.batch_size, self.shuffle = batch_size, shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(labels))
        self.on_epoch_end()

    def __len__(self):
        return -(-len(self.labels) // self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        inputs = ({k: v[rows] for k, v in self.inputs.items()} if isinstance(self.inputs, dict)
                  else self.inputs[rows])
        return inputs, self.labels[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)
