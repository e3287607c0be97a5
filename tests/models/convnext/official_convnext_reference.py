"""An independent PyTorch ConvNeXt with the parameter names of the official
facebookresearch/ConvNeXt code (downsample_layers, stages.i.j.dwconv,
pwconv1, pwconv2, gamma, norm, head), for parity tests by weight transfer."""

import torch
from torch import nn
from torch.nn import functional as F


class ChannelsFirstLayerNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):  # (B, C, H, W), normalised over C
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        return x + y.permute(0, 3, 1, 2)


class OfficialConvNeXt(nn.Module):
    def __init__(self, depths, dims, num_classes=1000):
        super().__init__()
        self.downsample_layers = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(3, dims[0], 4, stride=4), ChannelsFirstLayerNorm(dims[0]))]
            + [
                nn.Sequential(ChannelsFirstLayerNorm(dims[i]), nn.Conv2d(dims[i], dims[i + 1], 2, stride=2))
                for i in range(3)
            ]
        )
        self.stages = nn.ModuleList(
            [nn.Sequential(*[Block(dims[i]) for _ in range(depths[i])]) for i in range(4)]
        )
        self.norm = nn.LayerNorm(dims[-1], eps=1e-6)
        self.head = nn.Linear(dims[-1], num_classes)

    def forward(self, x):
        for downsample, stage in zip(self.downsample_layers, self.stages):
            x = stage(downsample(x))
        return self.head(self.norm(x.mean([-2, -1])))


def randomize_(module, seed=0):
    """Gives every parameter random values of a sensible scale, so that layer
    scales and norms far from their 1e-6 / 1 / 0 initial values take part."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():
            if param.ndim == 1 and ("gamma" in name or "norm" in name or name.endswith("weight")):
                param.copy_(0.5 + torch.rand(param.shape, generator=generator))
            elif param.ndim == 1:
                param.copy_(0.1 * torch.randn(param.shape, generator=generator))
            else:
                fan_in = param[0].numel()
                param.copy_(torch.randn(param.shape, generator=generator) / fan_in**0.5)
    return module.eval()
