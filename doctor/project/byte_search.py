"""Which of many files hold any of a few words: searched once in all of them joined.

Looking for a word in each file in turn costs a call per file and word, more than the search
itself for a thousand small files; searching the files joined costs one call per word, and a
jump to the next file at each hit. The files are joined with a newline, which no word or
pattern searched here holds, so a hit never spans two files.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable


def holding(datas: list[bytes], words: Iterable[bytes] = (), pattern: re.Pattern[bytes] | None = None) -> set[int]:
    """The indexes of the texts that hold one of `words`, or a match of `pattern`."""
    starts, offset = [], 0
    for data in datas:
        starts.append(offset)
        offset += len(data) + 1
    joined = b"\n".join(datas)
    found: set[int] = set()

    def search(find) -> None:  # noqa: ANN001 - the position of the next hit from a position, or -1
        position = find(0)
        while position >= 0:
            index = bisect_right(starts, position) - 1
            found.add(index)
            position = find(starts[index + 1]) if index + 1 < len(starts) else -1

    for word in words:
        search(lambda at, word=word: joined.find(word, at))
    if pattern is not None:
        search(lambda at: match.start() if (match := pattern.search(joined, at)) else -1)
    return found
