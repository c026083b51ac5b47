#!/usr/bin/env python3
"""Compares a folder before and after `qlint fmt`: how many files changed, and whether each
changed file kept its non-whitespace characters in order (a `.conf` continuation `\\` + line
break counts as a line break; in Markdown, the `>` a quoted fence gains on a new line is
ignored). Exits 1 if any file differs in more than whitespace.

    cp -r TREE /tmp/after && (cd /tmp/after && qlint fmt .)
    python3 tests/fmt_tree_compare.py TREE /tmp/after
"""

import os
import re
import sys


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def same_but_whitespace(name: str, before: str, after: str) -> bool:
    if name.endswith(".conf"):
        before, after = before.replace("\\\n", "\n"), after.replace("\\\n", "\n")
    if squeeze(before) == squeeze(after):
        return True
    return name.endswith(".md") and squeeze(before).replace(">", "") == squeeze(after).replace(">", "")


def main() -> int:
    before_root, after_root = sys.argv[1:3]
    changed, differ = 0, []
    for folder, _, files in os.walk(before_root):
        for name in files:
            before_path = os.path.join(folder, name)
            after_path = os.path.join(after_root, os.path.relpath(before_path, before_root))
            with open(before_path, encoding="utf-8") as f:
                before = f.read()
            with open(after_path, encoding="utf-8") as f:
                after = f.read()
            if before != after:
                changed += 1
                if not same_but_whitespace(name, before, after):
                    differ.append(before_path)
    print(f"files changed: {changed}; changed in more than whitespace: {len(differ)}")
    for path in differ[:10]:
        print(f"  {path}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
