#!/usr/bin/env python3
"""Release helpers for .github/workflows/release.yml (Python 3.11+, no dependencies).

    server/cli/release.py check v0.2.0   # the tag matches every version in the repository
    server/cli/release.py notes 0.2.0    # the changelog section of a version, for release notes

`check` compares the tag with the workspace version (Cargo.toml), the pre-commit shim
(pyproject.toml: its version and its qlint-cli pin), the VS Code extension (package.json) and
the changelog (a `## X.Y.Z` section must exist). It prints every mismatch and exits 1.
"""

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = ROOT / "server" / "cli" / "CHANGELOG.md"


def changelog_section(version: str) -> str | None:
    """The lines under `## version` up to the next `## ` heading, stripped; None when absent."""
    lines = CHANGELOG.read_text(encoding="utf-8").splitlines()
    heading = re.compile(rf"^## \[?{re.escape(version)}\]?(\s|$)")
    start = next((i for i, line in enumerate(lines) if heading.match(line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start + 1 : end]).strip()


def found_versions() -> dict[str, str]:
    """Where a version is written down -> the version written there."""
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))
    shim = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d.split("==", 1)[1].strip() for d in shim["dependencies"] if d.startswith("qlint-cli==")]
    extension = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    return {
        "Cargo.toml [workspace.package] version": cargo["workspace"]["package"]["version"],
        "pyproject.toml version": shim["version"],
        "pyproject.toml qlint-cli pin": pins[0] if pins else "(missing)",
        "editors/vscode/package.json version": extension["version"],
    }


def check(tag: str) -> int:
    if not re.fullmatch(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?", tag):
        print(f"tag {tag!r} is not vX.Y.Z", file=sys.stderr)
        return 1
    version = tag[1:]
    problems = [f"{where} is {found}, the tag says {version}" for where, found in found_versions().items() if found != version]
    if changelog_section(version) is None:
        problems.append(f"{CHANGELOG.relative_to(ROOT)} has no `## {version}` section")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(version)
    return 1 if problems else 0


def notes(version: str) -> int:
    section = changelog_section(version)
    if section is None:
        print(f"no `## {version}` section in {CHANGELOG}", file=sys.stderr)
        return 1
    print(section)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("check", "notes"):
        print(__doc__, file=sys.stderr)
        return 2
    return check(argv[2]) if argv[1] == "check" else notes(argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
