"""A byte-pair-encoding subword tokenizer (Sennrich et al., 2016), trained
offline from a corpus in pure Python: the paper's WMT models use BPE
(section 5.1). Small and dependency-free; good for corpora of ~100k
sentences such as TED talks.

Words are split on whitespace and punctuation; a word's last piece carries
the end-of-word marker "</w>", so decoding is exact up to whitespace.
"""

import collections
import heapq
import json
import re

SPECIAL_TOKENS = ("<pad>", "<start>", "<end>", "<unk>")
PAD, START, END, UNKNOWN = 0, 1, 2, 3
END_OF_WORD = "</w>"
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def split_words(text):
    return _WORDS.findall(text.lower())


def _merge(symbols, pair):
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return tuple(merged)


def learn_merges(texts, vocabulary_size, min_frequency=2):
    """Learns BPE merges until the vocabulary (specials, characters and
    merged pieces) reaches `vocabulary_size`. Returns (tokens, merges).

    Pair counts are updated only for the words a merge touches, and the most
    frequent pair comes from a heap with stale entries skipped, so a 50k-
    sentence corpus trains in seconds rather than hours. Ties go to the
    smallest pair, so training is deterministic.
    """
    counts = collections.Counter(w for text in texts for w in split_words(text))
    words = [list(w[:-1]) + [w[-1] + END_OF_WORD] for w in counts]
    frequencies = list(counts.values())
    tokens = sorted({s for word in words for s in word})
    pair_counts = collections.Counter()
    holders = collections.defaultdict(set)  # pair -> indices of words holding it
    for index, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += frequencies[index]
            holders[pair].add(index)
    heap = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while heap and len(SPECIAL_TOKENS) + len(tokens) < vocabulary_size:
        count, pair = heapq.heappop(heap)
        if -count != pair_counts.get(pair, 0):
            continue  # stale entry
        if -count < min_frequency:
            break
        merges.append(pair)
        tokens.append(pair[0] + pair[1])
        changed = set()
        for index in list(holders.pop(pair, ())):
            word, frequency = words[index], frequencies[index]
            for old in zip(word, word[1:]):
                pair_counts[old] -= frequency
                changed.add(old)
            word = list(_merge(tuple(word), pair))
            words[index] = word
            for new in zip(word, word[1:]):
                pair_counts[new] += frequency
                holders[new].add(index)
                changed.add(new)
        for changed_pair in changed:
            if pair_counts[changed_pair] > 0:
                heapq.heappush(heap, (-pair_counts[changed_pair], changed_pair))
            else:
                pair_counts.pop(changed_pair, None)
    return list(SPECIAL_TOKENS) + tokens, merges


class SubwordTokenizer:
    """Encodes text to ids and back with learned BPE merges."""

    def __init__(self, tokens, merges):
        self.tokens = list(tokens)
        self.merges = [tuple(m) for m in merges]
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self._rank = {pair: i for i, pair in enumerate(self.merges)}
        self._cache = {}

    @classmethod
    def train(cls, texts, vocabulary_size, min_frequency=2):
        return cls(*learn_merges(texts, vocabulary_size, min_frequency))

    @property
    def vocabulary_size(self):
        return len(self.tokens)

    def _pieces(self, word):
        if word not in self._cache:
            symbols = tuple(word[:-1]) + (word[-1] + END_OF_WORD,)
            while len(symbols) > 1:
                ranked = [(self._rank.get(p, len(self._rank)), p) for p in zip(symbols, symbols[1:])]
                rank, pair = min(ranked)
                if rank == len(self._rank):
                    break
                symbols = _merge(symbols, pair)
            self._cache[word] = symbols
        return self._cache[word]

    def encode(self, text):
        return [self.ids.get(p, UNKNOWN) for w in split_words(text) for p in self._pieces(w)]

    def decode(self, ids):
        """Ids up to the end token -> text (specials dropped)."""
        words, current = [], ""
        for i in ids:
            i = int(i)
            if i == END:
                break
            if i < len(SPECIAL_TOKENS) or i >= len(self.tokens):
                continue
            current += self.tokens[i]
            if current.endswith(END_OF_WORD):
                words.append(current[: -len(END_OF_WORD)])
                current = ""
        return " ".join(words + ([current] if current else []))

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"tokens": self.tokens, "merges": self.merges}, f, ensure_ascii=False)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(**json.load(f))
