"""The GAN's two optimizers, seen by Keras' trainers as one `model.optimizer`."""


class GANOptimizers:
    """Holds the critic's and the generator's optimizers.

    Keras' JAX trainer threads `model.optimizer.variables` through its
    stateless `train_step`; listing both optimizers' variables here puts
    both states into that thread. Both are built by `GAN.compile`.
    """

    def __init__(self, d_optimizer, g_optimizer):
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def variables(self):
        return list(self.d_optimizer.variables) + list(self.g_optimizer.variables)

    @property
    def built(self):
        return self.d_optimizer.built and self.g_optimizer.built

    def build(self, variables):
        del variables  # each optimizer is built on its own network's variables

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    def scale_loss(self, loss):
        return loss
