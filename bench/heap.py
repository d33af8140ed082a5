"""What a page's heap holds and what holds it: ``python -m bench.heap A B``.

A heap snapshot of Chromium (DevTools' ``HeapProfiler``) holds JavaScript's
objects and, named, Blink's own garbage-collected ones (``blink::...``: text
shapes, canvases, performance entries). Taken after a full garbage
collection, two snapshots of one page tell which kinds of object grew in
between (``A B``), and ``--owners NAME`` follows each object of a kind up to
what keeps it (a canvas, a document, a cache), grouped by path: how S9's
renderer growth was told apart from what a document holds (bench/README.md).
"""

from __future__ import annotations

import argparse
import collections
import json
import typing as t
from pathlib import Path

if t.TYPE_CHECKING:
    from bench.cdp import Page

#: Where a retaining path stops: the objects that tell who holds something
#: (an element, a window, a document's performance timeline, the roots).
HOLDER_PREFIXES = ("<canvas", "<iframe", "Window ")
HOLDERS = {"HTMLDocument", "Performance", "(GC roots)"}


def is_holder(name: str) -> bool:
    return name in HOLDERS or name.startswith(HOLDER_PREFIXES)


def take(page: Page, path: Path) -> None:
    """Write a heap snapshot of ``page``, after a full garbage collection, to
    ``path``. (Chromium sends the chunks before its answer, on one pipe.)"""
    chunks: list[str] = []

    def chunk(params: dict[str, t.Any]) -> None:
        chunks.append(params["chunk"])

    method = "HeapProfiler.addHeapSnapshotChunk"
    page.browser.on(method, chunk, page.session)
    try:
        page.send("HeapProfiler.enable")
        page.send("HeapProfiler.collectGarbage")
        page.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    finally:
        page.browser.off(method, chunk, page.session)
        page.send("HeapProfiler.disable")
    path.write_text("".join(chunks))


class Snapshot:
    """A heap snapshot's objects: each one's name and own size, and (for
    :meth:`owners`) who refers to it (weak references left out)."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text())
        meta = data["snapshot"]["meta"]
        fields, edge_fields = meta["node_fields"], meta["edge_fields"]
        width, edge_width = len(fields), len(edge_fields)
        nodes, strings = data["nodes"], data["strings"]
        name, size = fields.index("name"), fields.index("self_size")
        edges = fields.index("edge_count")
        count = len(nodes) // width
        self.names = [strings[nodes[i * width + name]] for i in range(count)]
        self.sizes = [nodes[i * width + size] for i in range(count)]
        self._edges = data["edges"]
        self._edge_counts = [nodes[i * width + edges] for i in range(count)]
        self._edge_width, self._width = edge_width, width
        self._weak = meta["edge_types"][0].index("weak")
        self._referrers: list[list[int]] | None = None

    def totals(self) -> tuple[collections.Counter[str], collections.Counter[str]]:
        """Objects and bytes by name."""
        counts: collections.Counter[str] = collections.Counter(self.names)
        sizes: collections.Counter[str] = collections.Counter()
        for name, size in zip(self.names, self.sizes, strict=True):
            sizes[name] += size
        return counts, sizes

    def referrers(self) -> list[list[int]]:
        if self._referrers is None:
            referrers: list[list[int]] = [[] for _ in self.names]
            edge = 0
            for node, edge_count in enumerate(self._edge_counts):
                for _ in range(edge_count):
                    if self._edges[edge] != self._weak:
                        referrers[self._edges[edge + 2] // self._width].append(node)
                    edge += self._edge_width
            self._referrers = referrers
        return self._referrers

    def path_up(self, node: int, depth: int = 12) -> list[str]:
        """The names on the shortest path from ``node`` up to a holder."""
        referrers = self.referrers()
        came_from: dict[int, int | None] = {node: None}
        frontier = [node]
        for _ in range(depth):
            following = []
            for current in frontier:
                for referrer in referrers[current]:
                    if referrer in came_from:
                        continue
                    came_from[referrer] = current
                    if is_holder(self.names[referrer]):
                        path: list[str] = []
                        step: int | None = referrer
                        while step is not None:
                            path.append(self.names[step][:60])
                            step = came_from[step]
                        return path[::-1]
                    following.append(referrer)
            frontier = following
        return [self.names[node][:60], "(no holder within reach)"]

    def owners(self, name: str) -> collections.Counter[str]:
        """How many objects called ``name`` each retaining path holds."""
        paths: collections.Counter[str] = collections.Counter()
        for node, found in enumerate(self.names):
            if found == name:
                paths[" <- ".join(self.path_up(node))] += 1
        return paths


def growth(before: Snapshot, after: Snapshot, top: int = 15) -> list[dict[str, t.Any]]:
    """The kinds of object that grew most in bytes from ``before`` to ``after``."""
    counts_before, bytes_before = before.totals()
    counts_after, bytes_after = after.totals()
    grown = sorted(
        bytes_after, key=lambda n: bytes_after[n] - bytes_before[n], reverse=True
    )
    return [
        {
            "name": name[:80],
            "kb": round((bytes_after[name] - bytes_before[name]) / 1024, 1),
            "objects": counts_after[name] - counts_before[name],
            "kb_now": round(bytes_after[name] / 1024, 1),
        }
        for name in grown[:top]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "snapshots", nargs="+", type=Path, help="one, or before and after"
    )
    parser.add_argument("--owners", help="a kind of object: what holds each one")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    after = Snapshot(args.snapshots[-1])
    if len(args.snapshots) > 1:
        for row in growth(Snapshot(args.snapshots[0]), after, args.top):
            grew = f"{row['kb']:+10.1f} KB {row['objects']:+8d}"
            print(f"{grew}  {row['kb_now']:9.1f} KB  {row['name']}")
    total = sum(after.sizes) / 2**20
    print(f"{total:.1f} MB in {len(after.names)} objects")
    if args.owners:
        for path, count in after.owners(args.owners).most_common(args.top):
            print(f"{count:6d}  {path}")


if __name__ == "__main__":
    main()
