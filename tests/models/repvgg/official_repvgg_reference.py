"""The official RepVGG (DingXiaoH/RepVGG, `repvgg.py`), written out again in
torch.nn as an independent reference: its module names (the official
checkpoint layout), its layer-indexed groups and its own branch fusion
(`get_equivalent_kernel_bias`), SE and checkpointing left out."""

import copy

import numpy as np
import torch
from torch import nn

# The official `optional_groupwise_layers`: layers 2, 4, ..., 26 of the network.
G4_MAP = {layer: 4 for layer in range(2, 27, 2)}


def _conv_bn(in_channels, out_channels, kernel_size, stride, padding, groups):
    result = nn.Sequential()
    result.add_module("conv", nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups,
                                        bias=False))
    result.add_module("bn", nn.BatchNorm2d(out_channels))
    return result


class OfficialRepVGGBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1, groups=1, deploy=False):
        super().__init__()
        self.groups = groups
        self.in_channels = in_channels
        self.nonlinearity = nn.ReLU()
        if deploy:
            self.rbr_reparam = nn.Conv2d(in_channels, out_channels, 3, stride, 1, groups=groups, bias=True)
        else:
            self.rbr_identity = nn.BatchNorm2d(in_channels) if out_channels == in_channels and stride == 1 else None
            self.rbr_dense = _conv_bn(in_channels, out_channels, 3, stride, 1, groups)
            self.rbr_1x1 = _conv_bn(in_channels, out_channels, 1, stride, 0, groups)

    def forward(self, inputs):
        if hasattr(self, "rbr_reparam"):
            return self.nonlinearity(self.rbr_reparam(inputs))
        id_out = 0 if self.rbr_identity is None else self.rbr_identity(inputs)
        return self.nonlinearity(self.rbr_dense(inputs) + self.rbr_1x1(inputs) + id_out)

    def get_equivalent_kernel_bias(self):
        kernel3x3, bias3x3 = self._fuse_bn_tensor(self.rbr_dense)
        kernel1x1, bias1x1 = self._fuse_bn_tensor(self.rbr_1x1)
        kernelid, biasid = self._fuse_bn_tensor(self.rbr_identity)
        return kernel3x3 + nn.functional.pad(kernel1x1, [1, 1, 1, 1]) + kernelid, bias3x3 + bias1x1 + biasid

    def _fuse_bn_tensor(self, branch):
        if branch is None:
            return 0, 0
        if isinstance(branch, nn.Sequential):
            kernel, bn = branch.conv.weight, branch.bn
        else:
            input_dim = self.in_channels // self.groups
            kernel_value = np.zeros((self.in_channels, input_dim, 3, 3), dtype=np.float32)
            for i in range(self.in_channels):
                kernel_value[i, i % input_dim, 1, 1] = 1
            kernel, bn = torch.from_numpy(kernel_value), branch
        std = (bn.running_var + bn.eps).sqrt()
        t = (bn.weight / std).reshape(-1, 1, 1, 1)
        return kernel * t, bn.bias - bn.running_mean * bn.weight / std

    def switch_to_deploy(self):
        kernel, bias = self.get_equivalent_kernel_bias()
        conv = self.rbr_dense.conv
        self.rbr_reparam = nn.Conv2d(conv.in_channels, conv.out_channels, 3, conv.stride, 1, groups=conv.groups,
                                     bias=True)
        self.rbr_reparam.weight.data = kernel
        self.rbr_reparam.bias.data = bias
        for name in ("rbr_dense", "rbr_1x1", "rbr_identity"):
            self.__delattr__(name)


class OfficialRepVGG(nn.Module):
    def __init__(self, num_blocks, num_classes, width_multiplier, override_groups_map=None, deploy=False):
        super().__init__()
        self.deploy = deploy
        self.override_groups_map = override_groups_map or {}
        self.in_planes = min(64, int(64 * width_multiplier[0]))
        self.stage0 = OfficialRepVGGBlock(3, self.in_planes, stride=2, deploy=deploy)
        self.cur_layer_idx = 1
        self.stage1 = self._make_stage(int(64 * width_multiplier[0]), num_blocks[0])
        self.stage2 = self._make_stage(int(128 * width_multiplier[1]), num_blocks[1])
        self.stage3 = self._make_stage(int(256 * width_multiplier[2]), num_blocks[2])
        self.stage4 = self._make_stage(int(512 * width_multiplier[3]), num_blocks[3])
        self.gap = nn.AdaptiveAvgPool2d(output_size=1)
        self.linear = nn.Linear(int(512 * width_multiplier[3]), num_classes)

    def _make_stage(self, planes, num_blocks):
        blocks = []
        for stride in [2] + [1] * (num_blocks - 1):
            groups = self.override_groups_map.get(self.cur_layer_idx, 1)
            blocks.append(OfficialRepVGGBlock(self.in_planes, planes, stride, groups, self.deploy))
            self.in_planes = planes
            self.cur_layer_idx += 1
        return nn.ModuleList(blocks)

    def forward(self, x):
        out = self.stage0(x)
        for stage in (self.stage1, self.stage2, self.stage3, self.stage4):
            for block in stage:
                out = block(out)
        return self.linear(self.gap(out).flatten(1))


def official_convert(model):
    """The official `repvgg_model_convert`: a deploy copy, every block switched."""
    model = copy.deepcopy(model)
    for module in model.modules():
        if hasattr(module, "switch_to_deploy"):
            module.switch_to_deploy()
    return model
