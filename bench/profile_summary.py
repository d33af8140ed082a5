"""Summarize a py-spy raw profile (``--format raw``): inclusive and self shares.

``python -m bench.profile_summary bench/logs/profile-s1-sse-1000.txt [top]``
"""

from __future__ import annotations

import collections
import re
import sys


def summarize(path: str, top: int = 25) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            n = int(count)
            total += n
            frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] += n
            own[frames[-1]] += n
    out = [f"{total} samples; inclusive:"]
    out += [f"{c / total:6.1%}  {f}" for f, c in inclusive.most_common(top)]
    out.append("self:")
    out += [f"{c / total:6.1%}  {f}" for f, c in own.most_common(top // 2)]
    return "\n".join(out)


if __name__ == "__main__":
    print(summarize(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25))
