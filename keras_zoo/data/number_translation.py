"""A small translation task that needs no download: numbers from 0 to
999,999 spelled out in English, translated into German.

    "three hundred forty seven thousand twenty one"
 -> "drei hundert sieben und vierzig tausend ein und zwanzig"

German puts units before tens ("sieben und vierzig", seven-and-forty) and
inflects one ("eins", "ein und zwanzig", "ein tausend"), so the model must
reorder and agree, not copy. Words are tokens; both languages share one
vocabulary (the Transformer ties its embeddings) with 0 = padding,
1 = start, 2 = end. Splits are drawn with a fixed seed and are disjoint.
"""

import numpy as np

PAD, START, END = 0, 1, 2
SPECIAL_TOKENS = ("<pad>", "<start>", "<end>")
MAX_NUMBER = 999_999
SOURCE_LENGTH = 10  # longest English: 10 words
TARGET_LENGTH = 14  # longest German: 12 words, plus start and end

_EN_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_DE_ONES = ("null eins zwei drei vier fuenf sechs sieben acht neun zehn elf zwoelf dreizehn "
            "vierzehn fuenfzehn sechzehn siebzehn achtzehn neunzehn").split()
_DE_TENS = "_ _ zwanzig dreissig vierzig fuenfzig sechzig siebzig achtzig neunzig".split()


def english_words(number):
    """0 <= number <= 999999 -> English words, e.g. [..., "forty", "seven"]."""
    if number < 20:
        return [_EN_ONES[number]]
    if number < 100:
        return [_EN_TENS[number // 10]] + ([_EN_ONES[number % 10]] if number % 10 else [])
    if number < 1000:
        rest = english_words(number % 100) if number % 100 else []
        return [_EN_ONES[number // 100], "hundred"] + rest
    rest = english_words(number % 1000) if number % 1000 else []
    return english_words(number // 1000) + ["thousand"] + rest


def german_words(number, before_noun=False):
    """0 <= number <= 999999 -> German words, units before tens. One is
    "eins" alone and "ein" before "und", "hundert" or "tausend"."""
    if number == 1:
        return ["ein" if before_noun else "eins"]
    if number < 20:
        return [_DE_ONES[number]]
    if number < 100:
        tens, units = divmod(number, 10)
        if units == 0:
            return [_DE_TENS[tens]]
        return german_words(units, before_noun=True) + ["und", _DE_TENS[tens]]
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        tail = german_words(rest, before_noun) if rest else []
        return german_words(hundreds, before_noun=True) + ["hundert"] + tail
    thousands, rest = divmod(number, 1000)
    tail = german_words(rest) if rest else []
    return german_words(thousands, before_noun=True) + ["tausend"] + tail


def vocabulary():
    """The shared token list: specials first, then every word, sorted."""
    words = set(_EN_ONES + _EN_TENS[2:] + _DE_ONES + _DE_TENS[2:])
    words |= {"hundred", "thousand", "hundert", "tausend", "und", "ein"}
    return list(SPECIAL_TOKENS) + sorted(words)


def _encode(words, length, index, wrap):
    ids = [index[w] for w in words]
    if wrap:
        ids = [START] + ids + [END]
    return ids + [PAD] * (length - len(ids))


def sample_numbers(count, rng, exclude=(), min_digits=1, max_share=1.0):
    """`count` distinct numbers, the number of digits uniform in
    min_digits..6 so that short numbers are as common as long ones, taking
    at most `max_share` of the numbers of each length (at least one)."""
    excluded, chosen = set(exclude), []
    seen = set()
    cap = {d: max(1, int(max_share * (10 if d == 1 else 9 * 10 ** (d - 1)))) for d in range(1, 7)}
    taken = dict.fromkeys(cap, 0)
    if sum(cap[d] for d in range(min_digits, 7)) < count:
        raise ValueError(f"Cannot draw {count} numbers of {min_digits}-6 digits with max_share={max_share}.")
    while len(chosen) < count:
        digits = int(rng.integers(min_digits, 7))
        if taken[digits] >= cap[digits]:
            continue
        low = 0 if digits == 1 else 10 ** (digits - 1)
        number = int(rng.integers(low, 10**digits))
        if number not in excluded and number not in seen:
            seen.add(number)
            chosen.append(number)
            taken[digits] += 1
    return chosen


def encode_numbers(numbers):
    """Numbers -> {"source": (N, 10) int32 English ids, "target": (N, 14)
    int32 German ids with start and end}."""
    index = {w: i for i, w in enumerate(vocabulary())}
    source = [_encode(english_words(n), SOURCE_LENGTH, index, wrap=False) for n in numbers]
    target = [_encode(german_words(n), TARGET_LENGTH, index, wrap=True) for n in numbers]
    return {"source": np.array(source, "int32"), "target": np.array(target, "int32")}


def load_number_translation(num_train=30000, num_validation=1000, num_test=1000, seed=0):
    """Returns {"train", "validation", "test"}: dicts of "source", "target"
    id arrays and "number" (N,) int64. The three sets of numbers are
    disjoint, so the numbers that pick the best epoch are not the ones
    that score it."""
    rng = np.random.default_rng(seed)
    # There are only 10 one-digit and 90 two-digit numbers. The test set takes
    # a fifth of each length at most, so that every length it scores also
    # occurs in training (drawn freely, it took 94 of the 100 short numbers,
    # and all the model's mistakes were on those lengths it had never seen
    # end). Validation draws from the plentiful 4- to 6-digit numbers.
    test_numbers = sample_numbers(num_test, rng, max_share=0.2)
    validation_numbers = sample_numbers(num_validation, rng, exclude=test_numbers, min_digits=4)
    train_numbers = sample_numbers(num_train, rng, exclude=set(test_numbers) | set(validation_numbers))
    splits = {}
    for name, numbers in (("train", train_numbers), ("validation", validation_numbers), ("test", test_numbers)):
        splits[name] = encode_numbers(numbers)
        splits[name]["number"] = np.array(numbers, "int64")
    return splits


def decode_ids(ids):
    """Token ids -> the words up to the end token (specials dropped)."""
    words = vocabulary()
    out = []
    for i in ids:
        if i == END:
            break
        if i > END:
            out.append(words[i])
    return " ".join(out)


def teacher_forcing_pairs(split):
    """(inputs, labels) for `fit`: the decoder reads the target without its
    last token and predicts it shifted left by one."""
    inputs = {"source": split["source"], "target": split["target"][:, :-1]}
    return inputs, split["target"][:, 1:]
