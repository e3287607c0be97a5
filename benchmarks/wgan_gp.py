"""WGAN-GP training steps/s (one step: `n_critic` critic updates with the
gradient penalty, then one generator update; Gulrajani et al. 2017,
Algorithm 1) on the networks of the default recipe
(recipes/gan_digits_wgan_gp.toml: 8x8 digits, batch 64), for keras_zoo's
`GAN` on each backend and for the training step of keras-io's wgan_gp.py
(A. K. Nain, "WGAN-GP overriding Model.train_step"; TensorFlow only),
rebuilt here around the same two networks, optimizers and batch.

    python -m benchmarks.wgan_gp                       # all rows
    python -m benchmarks.wgan_gp --device cpu --repeats 5

Every row runs `train_on_batch` on one fixed batch of digits, compiled as
`fit` compiles it (Keras' defaults: XLA off on a CPU-only TensorFlow);
`keras_zoo:compile/torch` asks for `torch.compile` (jit_compile=True), which
cannot differentiate the penalty twice and runs the step eagerly after its
attempt (keras_zoo.backend.compiled_steps): its first step says what the
attempt costs.
"""

import argparse
import os
import sys
import tomllib

from benchmarks import harness

DEFAULT_ROWS = ["keras_zoo/jax", "keras_zoo/tensorflow", "keras_zoo/torch", "keras_zoo:compile/torch",
                "keras_io/tensorflow"]
YARDSTICK = "keras_io/tensorflow"
RECIPE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes", "gan_digits_wgan_gp.toml")


def _recipe():
    with open(RECIPE, "rb") as file:
        return tomllib.load(file)


def _optimizer(recipe):
    import keras

    return keras.optimizers.Adam(**{k: v for k, v in recipe["optimizer"].items() if k != "name"})


def keras_zoo_model(recipe, image_shape):
    from keras_zoo import create_model

    model = dict(recipe["model"])
    return create_model(model.pop("name"), image_shape=image_shape, seed=0,
                        d_optimizer=_optimizer(recipe), g_optimizer=_optimizer(recipe), **model)


def keras_io_model(recipe, image_shape):
    """keras-io's WGAN class (examples/generative/wgan_gp.py), its
    train_step and gradient_penalty as published, on our networks."""
    import keras
    import tensorflow as tf

    from keras_zoo.models.gan.dcgan_networks import build_dcgan_critic
    from keras_zoo.models.gan.dcgan_networks import build_dcgan_generator

    class WGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim, discriminator_extra_steps, gp_weight):
            super().__init__()
            self.discriminator, self.generator = discriminator, generator
            self.latent_dim, self.d_steps, self.gp_weight = latent_dim, discriminator_extra_steps, gp_weight

        def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
            self.d_loss_fn, self.g_loss_fn = d_loss_fn, g_loss_fn

        def gradient_penalty(self, batch_size, real_images, fake_images):
            alpha = tf.random.uniform([batch_size, 1, 1, 1], 0.0, 1.0)
            interpolated = real_images + alpha * (fake_images - real_images)
            with tf.GradientTape() as gp_tape:
                gp_tape.watch(interpolated)
                pred = self.discriminator(interpolated, training=True)
            grads = gp_tape.gradient(pred, [interpolated])[0]
            norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
            return tf.reduce_mean((norm - 1.0) ** 2)

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = tf.shape(real_images)[0]
            for _ in range(self.d_steps):
                random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
                with tf.GradientTape() as tape:
                    fake_images = self.generator(random_latent_vectors, training=True)
                    fake_logits = self.discriminator(fake_images, training=True)
                    real_logits = self.discriminator(real_images, training=True)
                    d_cost = self.d_loss_fn(real_img=real_logits, fake_img=fake_logits)
                    gp = self.gradient_penalty(batch_size, real_images, fake_images)
                    d_loss = d_cost + gp * self.gp_weight
                d_gradient = tape.gradient(d_loss, self.discriminator.trainable_variables)
                self.d_optimizer.apply_gradients(zip(d_gradient, self.discriminator.trainable_variables))
            random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                generated_images = self.generator(random_latent_vectors, training=True)
                g_loss = self.g_loss_fn(self.discriminator(generated_images, training=True))
            gen_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
            self.g_optimizer.apply_gradients(zip(gen_gradient, self.generator.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss}

    config = recipe["model"]
    generator = build_dcgan_generator(image_shape, config["latent_dim"], config["base_filters"], batch_norm=True)
    critic = build_dcgan_critic(image_shape, config["base_filters"], batch_norm=False)
    model = WGAN(critic, generator, config["latent_dim"], config["n_critic"], config["gradient_penalty_weight"])
    model.compile(
        d_optimizer=_optimizer(recipe), g_optimizer=_optimizer(recipe),
        d_loss_fn=lambda real_img, fake_img: tf.reduce_mean(fake_img) - tf.reduce_mean(real_img),
        g_loss_fn=lambda fake_img: -tf.reduce_mean(fake_img),
    )
    model.d_optimizer.build(critic.trainable_variables)  # variables before tracing
    model.g_optimizer.build(generator.trainable_variables)
    return model


def worker(row, args):
    implementation, backend = row.split("/")
    os.environ["KERAS_BACKEND"] = backend
    harness.serve_built(lambda: train_phase(implementation))


def train_phase(implementation):
    from keras_zoo.data.gan_images import digits_gan_images

    recipe = _recipe()
    size, channels = recipe["data"]["image_size"], recipe["data"]["channels"]
    build = keras_zoo_model if implementation.split(":")[0] == "keras_zoo" else keras_io_model
    model = build(recipe, (size, size, channels))
    if implementation == "keras_zoo:compile":  # torch.compile; falls back to eager where it cannot
        model.jit_compile = True
    batch = digits_gan_images("train", size)[: recipe["train"]["batch_size"]]
    return {"train": lambda: model.train_on_batch(batch)}  # returns numpy logs: synchronised


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.standard_arguments(parser, DEFAULT_ROWS, "benchmarks/results/wgan_gp.json")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args)
    recipe = _recipe()
    title = (f"WGAN-GP, digits recipe networks ({recipe['data']['image_size']}x{recipe['data']['image_size']}, "
             f"batch {recipe['train']['batch_size']}, n_critic {recipe['model']['n_critic']}), float32")
    report = harness.measure("benchmarks.wgan_gp", title, args, ["train"], rates={"train": (1, "steps/s")},
                             yardstick=YARDSTICK, group_of=lambda row: "all")
    print(harness.format_rates(report))


if __name__ == "__main__":
    sys.exit(main())
