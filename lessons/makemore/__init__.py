"""Provides the makemore lessons' shared code (lessons 2-6): names data, vocabulary, pairs, splits,
the lecture's sampler and dataset builder, imported as `zerohero_lessons.makemore`.

Probes, checks and training runs all import it, so it holds only lecture-faithful reference code
and plain data: no expected values and no mistakes.
"""

from zerohero_lessons.makemore.dataset import build_dataset
from zerohero_lessons.makemore.madeup import alphabet, words
from zerohero_lessons.makemore.names import load_names
from zerohero_lessons.makemore.pairs import bigram_pairs, count_bigrams, count_trigrams, trigrams
from zerohero_lessons.makemore.sampling import lecture_draw
from zerohero_lessons.makemore.splits import lecture_split
from zerohero_lessons.makemore.vocab import LECTURE_WORDS, itos_of, stoi_of, vocabulary

__all__ = ["LECTURE_WORDS", "alphabet", "bigram_pairs", "build_dataset", "count_bigrams", "count_trigrams",
           "itos_of", "lecture_draw", "lecture_split", "load_names", "stoi_of", "trigrams", "vocabulary", "words"]
