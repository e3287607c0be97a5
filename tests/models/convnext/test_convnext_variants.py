import pytest

import keras_zoo
from keras_zoo.models.convnext import CONVNEXT_VARIANTS, convnext_macs

# Exact counts at 1000 classes (the paper's 28M / 50M / 89M / 198M / 350M;
# identical to timm's and the official code's).
PARAMETER_COUNTS = {
    "convnext_tiny": 28_589_128,
    "convnext_small": 50_223_688,
    "convnext_base": 88_591_464,
    "convnext_large": 197_767_336,
    "convnext_xlarge": 350_196_968,
}
# The paper's Table (ImageNet-1K, 224x224) "FLOPs", which are multiply-adds.
PAPER_GMACS = {
    "convnext_tiny": 4.5,
    "convnext_small": 8.7,
    "convnext_base": 15.4,
    "convnext_large": 34.4,
    "convnext_xlarge": 60.9,
}


def test_tiny_parameter_count():
    assert keras_zoo.create_model("convnext_tiny").count_params() == PARAMETER_COUNTS["convnext_tiny"]


@pytest.mark.parametrize("name", ["convnext_small", "convnext_base", "convnext_large", "convnext_xlarge"])
def test_large_variant_parameter_counts(name):
    # The count does not depend on the backend; building 350M weights does
    # cost seconds, so the large variants are built on one backend (tests/expected_skips.py).
    model = keras_zoo.create_model(name)
    assert model.count_params() == PARAMETER_COUNTS[name]
    assert model.output_shape == (None, 1000)


@pytest.mark.parametrize("name", sorted(PAPER_GMACS))
def test_macs_rounded_as_the_paper_rounds_are_the_papers(name):
    gmacs = convnext_macs(**CONVNEXT_VARIANTS[name]) / 1e9
    assert round(gmacs, 1) == PAPER_GMACS[name], gmacs


@pytest.mark.parametrize("name", sorted(PAPER_GMACS))
def test_macs_equal_torchs_flop_count_of_timm(name):
    # An independent count, exact: torch's FlopCounterMode over timm's model on
    # the meta device (shapes only, nothing allocated) counts 2 FLOPs per
    # multiply-add of every convolution and matrix product.
    import timm
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        reference = timm.create_model(name, pretrained=False)
        images = torch.empty(1, 3, 224, 224)
    with FlopCounterMode(display=False) as counter:
        reference(images)
    assert convnext_macs(**CONVNEXT_VARIANTS[name]) == counter.get_total_flops() // 2


def test_macs_count_a_known_block_by_hand():
    # One stage-1 block at 56x56, 96 channels: 7*7*96 + 2*4*96*96 per pixel.
    one = convnext_macs(depths=(1, 0, 0, 0), dims=(96, 192, 384, 768), image_size=224, num_classes=0)
    zero = convnext_macs(depths=(0, 0, 0, 0), dims=(96, 192, 384, 768), image_size=224, num_classes=0)
    assert one - zero == 56 * 56 * (7 * 7 * 96 + 8 * 96 * 96)


def test_registry_lists_every_variant():
    assert keras_zoo.list_models("convnext_*") == sorted(CONVNEXT_VARIANTS)
