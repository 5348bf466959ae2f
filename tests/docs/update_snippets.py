#!/usr/bin/env python3
"""Rewrites the snippet blocks of docs/*.md and README.md from the files they quote.

The check (check_doc_snippets.cmake, test docs.snippets.<page>) fails when a block and its source
differ; after a rename or a reformat, run this from the checkout's root, then read the diff:
    python3 tests/docs/update_snippets.py
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
marker_re = re.compile(r"<!-- snippet: (\S+)(?: (\S+))? -->")


def part(path, marker):
    lines = (root / path).read_text().split("\n")
    if marker is None:
        while lines and lines[-1] == "":
            lines.pop()
        return lines
    ends = [i for i, l in enumerate(lines) if l.rstrip().endswith("[" + marker + "]")]
    if len(ends) < 2:
        sys.exit(f"{path}: marker [{marker}] not found twice")
    return lines[ends[0] + 1 : ends[1]]


def update(page):
    lines = page.read_text().split("\n")
    out, i, changed = [], 0, False
    while i < len(lines):
        out.append(lines[i])
        m = marker_re.search(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            out.append(lines[i + 1])
            j = i + 2
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            new = part(m.group(1), m.group(2))
            changed = changed or new != lines[i + 2 : j]
            out.extend(new)
            i = j
            continue
        i += 1
    if changed:
        page.write_text("\n".join(out))
        print("updated", page.relative_to(root))


for page in sorted((root / "docs").glob("*.md")) + [root / "README.md"]:
    update(page)
