#!/usr/bin/env python3
"""Writes bqbroker-config(5)'s scdoc source: the hand-written page (TEMPLATE) with its {{KEYS}} line
replaced by the key tables of docs/configuration.md, so that the man page's keys, types, ranges,
defaults and meanings come from the one document and cannot drift from it.

    config_keys.py CONFIGURATION_MD TEMPLATE OUTPUT

Fails (exit 1, naming the line) when the "## Keys" section has a table row it cannot read, a
table without rows, or no table at all: a changed layout must break the build, not drop keys."""

import re
import sys

ROW = re.compile(r"^\| `([a-z_]+)` \| (.+?) \| (.+?) \| (.+) \|$")
# A Markdown table cell may hold "\|" for a literal bar.
CELL_BAR = re.compile(r"\\\|")


def scdoc_text(markdown):
    """Markdown inline text as scdoc: `code` in bold, [text](target) as text, scdoc's markup
    characters escaped."""
    text = CELL_BAR.sub("|", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = text.replace("\\", "\\\\").replace("*", "\\*")
    return re.sub(r"`([^`]+)`", r"*\1*", text)


def plain(markdown):
    """A type or default cell without Markdown: `"info"` → "info"."""
    return CELL_BAR.sub("|", markdown).replace("`", "").replace("\\", "\\\\").replace("*", "\\*")


def key_entries(lines, source):
    """@returns the scdoc lines of every key table under "## Keys", one subsection per table."""
    out = []
    in_keys = False
    section = None
    rows_in_section = 0

    def end_section(lineno):
        if section is not None and rows_in_section == 0:
            sys.exit(f"{source}:{lineno}: no key rows under '### {section}'")

    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if line.startswith("## "):
            if in_keys:
                end_section(lineno)
                section = None
            in_keys = line == "## Keys"
            continue
        if not in_keys:
            continue
        if line.startswith("### "):
            end_section(lineno)
            section = line[4:].strip("`")
            rows_in_section = 0
            out += ["", f"## {section}", ""]
            continue
        if not line.startswith("|") or line.startswith("| key ") or line.startswith("|---"):
            continue
        match = ROW.match(line)
        if section is None or not match:
            sys.exit(f"{source}:{lineno}: a key row the man page cannot read: {line}")
        key, type_, default, meaning = match.groups()
        out += [f"*{key}* ({plain(type_)}; default: {plain(default)})",
                "\t" + scdoc_text(meaning), ""]
        rows_in_section += 1
    if in_keys:
        end_section(len(lines))
    if not out:
        sys.exit(f"{source}: no '## Keys' section with key tables")
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: config_keys.py CONFIGURATION_MD TEMPLATE OUTPUT")
    markdown, template, output = sys.argv[1:]
    with open(markdown, encoding="utf-8") as f:
        entries = key_entries(f.readlines(), markdown)
    with open(template, encoding="utf-8") as f:
        page = f.read()
    if page.count("{{KEYS}}\n") != 1:
        sys.exit(template + ": needs exactly one line '{{KEYS}}'")
    with open(output, "w", encoding="utf-8") as f:
        f.write(page.replace("{{KEYS}}\n", "\n".join(entries).lstrip("\n") + "\n"))


if __name__ == "__main__":
    main()
