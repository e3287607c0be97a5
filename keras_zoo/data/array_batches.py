import keras
import numpy as np


class ArrayBatches(keras.utils.PyDataset):
    """Batches of in-memory arrays for `model.fit`, on every backend without
    tf.data: `inputs` (an array or a dict of arrays) and `labels`, reshuffled
    each epoch from `seed` when `shuffle` is on. `drop_remainder` leaves out
    the last, partial batch (other rows each epoch when shuffled): training
    batches then always split over a JAX mesh's devices."""

    def __init__(self, inputs, labels, batch_size, shuffle=True, seed=0, drop_remainder=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size}")
        if drop_remainder and len(labels) < batch_size:
            raise ValueError(f"Fewer examples ({len(labels)}) than one batch (batch_size={batch_size}) "
                             "with drop_remainder=True: no batch would be left.")
        self.inputs, self.labels = inputs, labels
        self.batch_size, self.shuffle, self.drop_remainder = batch_size, shuffle, drop_remainder
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(labels))
        self.on_epoch_end()

    def __len__(self):
        if self.drop_remainder:
            return len(self.labels) // self.batch_size
        return -(-len(self.labels) // self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        inputs = ({k: v[rows] for k, v in self.inputs.items()} if isinstance(self.inputs, dict)
                  else self.inputs[rows])
        return inputs, self.labels[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)
