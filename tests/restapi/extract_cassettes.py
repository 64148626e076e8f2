#!/usr/bin/env python3
"""Extracts the HTTP interactions of VCR cassettes into one JSON file.

Usage: extract_cassettes.py OUTPUT.json CASSETTE.yml...

Writes {"interactions": [{"cassette", "index", "method", "uri", "status",
"body"}, ...]} for the C++ mapping tests, which then need no YAML library.

Only the standard library is needed: VCR cassettes use a small, regular YAML
subset (block mappings and sequences whose scalars are plain, single-quoted
or double-quoted, possibly folded over several lines), read here by
`read_cassette`. When PyYAML happens to be installed, every cassette is also
loaded with it and the two readings must agree, so the small reader is
checked wherever the tests run with PyYAML present.
"""

import json
import os
import re
import sys

_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[A-Za-z_][\w-]*):(?: (?P<rest>.*))?$")


def _fold(lines):
    """Joins the raw lines of a multi-line flow scalar as YAML folds them."""
    parts = []
    pending_newlines = 0
    for number, line in enumerate(lines):
        text = line if number == 0 else line.lstrip(" \t")
        if number < len(lines) - 1:
            text = text.rstrip(" \t")
        if number > 0:
            if text == "" and number < len(lines) - 1:
                pending_newlines += 1
                continue
            parts.append("\n" * pending_newlines if pending_newlines else " ")
            pending_newlines = 0
        parts.append(text)
    return "".join(parts)


def _single_quoted(lines):
    text = _fold(lines)
    assert text.startswith("'") and text.endswith("'"), text[:40]
    return text[1:-1].replace("''", "'")


_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
    "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
    "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}


def _double_quoted(lines):
    # An escaped line break (backslash at the end of a line) joins the lines
    # without the folding space; mark it before folding.
    marked = []
    for number, line in enumerate(lines):
        stripped = line.rstrip(" \t")
        trailing_backslashes = len(stripped) - len(stripped.rstrip("\\"))
        if number < len(lines) - 1 and trailing_backslashes % 2 == 1:
            marked.append(stripped[:-1] + "\x00JOIN\x00")
        else:
            marked.append(line)
    text = _fold(marked).replace("\x00JOIN\x00 ", "").replace("\x00JOIN\x00", "")
    assert text.startswith('"') and text.endswith('"'), text[:40]
    text = text[1:-1]
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = text[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            out.append(chr(int(text[i + 2:i + 2 + width], 16)))
            i += 2 + width
        else:
            raise ValueError("unknown escape \\" + e)
    return "".join(out)


def _scalar(lines):
    first = lines[0]
    if first.startswith("'"):
        return _single_quoted(lines)
    if first.startswith('"'):
        return _double_quoted(lines)
    text = _fold(lines).strip()
    if text in ("", "~", "null"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _scalar_is_complete(lines):
    text = "\n".join(lines)
    if text.startswith("'"):
        # Closed by a quote that is not part of a '' pair.
        body = text[1:].replace("''", "")
        return "'" in body
    if text.startswith('"'):
        i = 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == '"':
                return True
            i += 1
        return False
    return True


def read_cassette(path):
    """Returns [{"method", "uri", "status", "body"}] of one VCR cassette."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    interactions = []
    current = None
    section = None  # "request" or "response"
    sub = None  # key at indent 4 ("body", "status", ...)
    i = 0
    while i < len(lines):
        match = _KEY_LINE.match(lines[i])
        if not match:
            i += 1
            continue
        indent = len(match.group("indent")) + (2 if match.group("dash") else 0)
        key = match.group("key")
        rest = match.group("rest")
        # Gather continuation lines of a multi-line scalar value.
        value_lines = None
        if rest is not None and rest != "":
            value_lines = [rest]
            while not _scalar_is_complete(value_lines) or (
                    not rest.startswith(("'", '"')) and i + 1 < len(lines)
                    and lines[i + 1].startswith(" " * (indent + 2))
                    and not _KEY_LINE.match(lines[i + 1])
                    and not lines[i + 1].lstrip().startswith("- ")):
                i += 1
                value_lines.append(lines[i])
        i += 1
        if indent == 2 and key == "request":
            current = {"method": None, "uri": None, "status": None, "body": None}
            interactions.append(current)
            section, sub = "request", None
        elif indent == 2 and key == "response":
            section, sub = "response", None
        elif indent == 2:
            section, sub = None, None
        elif indent == 4:
            sub = key
            if section == "request" and key in ("method", "uri"):
                current[key] = _scalar(value_lines)
        elif indent == 6 and section == "response":
            if sub == "status" and key == "code":
                current["status"] = _scalar(value_lines)
            elif sub == "body" and key == "string":
                current["body"] = _scalar(value_lines)
    return interactions


def read_cassette_with_pyyaml(yaml, path):
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    return [{
        "method": item["request"]["method"],
        "uri": item["request"]["uri"],
        "status": item["response"]["status"]["code"],
        "body": item["response"]["body"].get("string"),
    } for item in document["http_interactions"]]


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    output, cassettes = argv[1], sorted(argv[2:])
    try:
        import yaml  # Optional: a cross-check of the reader above.
    except ImportError:
        yaml = None
    interactions = []
    for path in cassettes:
        found = read_cassette(path)
        if yaml is not None:
            expected = read_cassette_with_pyyaml(yaml, path)
            if found != expected:
                sys.stderr.write("extract_cassettes.py: %s reads differently "
                                 "than with PyYAML\n" % path)
                return 1
        for index, interaction in enumerate(found):
            interaction.update(cassette=os.path.basename(path), index=index)
            interactions.append(interaction)
    temporary = output + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump({"interactions": interactions}, f, indent=1, sort_keys=True)
    os.replace(temporary, output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
