"""GAN variants as data: objective, critic updates per generator update,
Lipschitz constraint and critic normalization. Each variant trains with the
optimizer of its paper (`gan_model.paper_optimizer`)."""

GAN_VARIANTS = {
    # Radford et al. 2016: minimax loss (non-saturating), batch norm in both nets.
    "dcgan": {"loss": "minimax", "n_critic": 1, "critic_batch_norm": True},
    # Arjovsky et al. 2017, Algorithm 1: n_critic 5, clip c = 0.01, RMSprop 5e-5.
    "wgan": {"loss": "wasserstein", "n_critic": 5, "clip_value": 0.01, "critic_batch_norm": True},
    # Gulrajani et al. 2017, Algorithm 1: lambda 10, n_critic 5, Adam(1e-4, 0, 0.9),
    # no batch norm in the critic (Section 4).
    "wgan_gp": {"loss": "wasserstein", "n_critic": 5, "gradient_penalty_weight": 10.0, "critic_batch_norm": False},
}
