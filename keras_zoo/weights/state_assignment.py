"""Assigns a converted PyTorch state dict to a Keras model, all or nothing:
the mapping (Keras variable, checkpoint key, conversion) is each family's;
the checks and their messages are shared."""

import re
import warnings


def only_classes_differ(checkpoint_shape, model_shape):
    """(in, classes) shapes, or (classes,) biases, that differ in classes only."""
    return (len(checkpoint_shape) == len(model_shape)
            and tuple(checkpoint_shape[:-1]) == tuple(model_shape[:-1])
            and checkpoint_shape[-1] != model_shape[-1])


def assign_state(state, targets, classifier_prefix, optional_prefixes=(), ignored=(), hint=""):
    """Assigns `state` ({key: np.ndarray}) to the model variables `targets`
    names; any missing, surplus or misshapen tensor raises a ValueError that
    names it, before anything is assigned.

    Args:
        state: the checkpoint's tensors.
        targets: iterable of (keras variable, checkpoint key, conversion);
            a conversion maps the checkpoint's array to the variable's layout.
            Several variables may read one key (a fused qkv projection).
        classifier_prefix: keys of the classifier ("head.fc."). One whose
            shape differs from the model's in the class count only keeps the
            model's initialisation, with a warning (fine-tuning to new classes).
        optional_prefixes: keys a model without them may ignore (a headless
            model loading a classifier checkpoint): not surplus unless the
            model used some key with that prefix.
        ignored: key prefixes or suffixes never loaded (BatchNorm's counters,
            a pooler no keras_zoo model has).
        hint: appended to the surplus-tensor error.
    """
    updates, used = [], set()
    for variable, key, convert in targets:
        if key not in state:
            raise ValueError(
                f"The checkpoint has no tensor '{key}' for model variable "
                f"'{variable.path}' {tuple(variable.shape)}."
            )
        value = convert(state[key])
        if key.startswith(classifier_prefix) and only_classes_differ(value.shape, variable.shape):
            warnings.warn(
                f"Checkpoint classifier '{key}' {tuple(value.shape)} has "
                f"{value.shape[-1]} classes, the model {variable.shape[-1]}: "
                "the classifier keeps its initialisation.", stacklevel=4)
            used.add(key)
            continue
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"Checkpoint tensor '{key}' of shape {tuple(state[key].shape)} "
                f"(converted: {tuple(value.shape)}) does not fit model variable "
                f"'{variable.path}' of shape {tuple(variable.shape)}."
            )
        updates.append((variable, value))
        used.add(key)
    unused_optional = tuple(prefix for prefix in optional_prefixes if not any(k.startswith(prefix) for k in used))
    surplus = [
        key for key in state
        if key not in used and not key.startswith(unused_optional)
        and not any(key.startswith(i) or key.endswith(i) for i in ignored)
    ]
    if surplus:
        raise ValueError(
            f"The checkpoint has {len(surplus)} tensors this model does not use, "
            f"first '{surplus[0]}' {tuple(state[surplus[0]].shape)}.{hint}"
        )
    for variable, value in updates:
        variable.assign(value.astype(variable.dtype))


def renamed_key(key, rules):
    """`key` renamed by the first of `rules` ((regex, replacement), ...)
    that matches it; unchanged if none does."""
    for pattern, replacement in rules:
        new_key, count = re.subn(pattern, replacement, key)
        if count:
            return new_key
    return key
