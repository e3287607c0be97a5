import pytest

from keras_zoo.utils.validation import check_positive_int, check_rate, offset_seed


@pytest.mark.parametrize("value", [0, -1, 2.0, True, None, "3"])
def test_positive_int_rejects_with_name_and_value(value):
    with pytest.raises(ValueError, match=rf"`num_heads` must be a positive int. Received: num_heads={value!r}"):
        check_positive_int(key_dim=4, num_heads=value)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, True, None])
def test_rate_rejects_with_name_and_value(value):
    with pytest.raises(ValueError, match=r"`dropout` must be in \[0, 1\). Received: dropout="):
        check_rate(dropout=value)


def test_valid_values_pass_and_seeds_offset():
    check_positive_int(a=1, b=1024)
    check_rate(a=0, b=0.0, c=0.999)
    assert offset_seed(None, 3) is None and offset_seed(10, 3) == 13
