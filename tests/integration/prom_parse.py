#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Read the Prometheus text exposition format on standard input and print
each sample in one normal form, so that a file and a scrape of it compare
equal: name{label="value",...} value, labels sorted, empty labels left out
(Prometheus treats them as absent), integral values without a fraction.
Comment lines are dropped; --types prints "TYPE name type" lines instead.
Exits 1 on a line it cannot parse.
"""
import sys


def parse_labels(text, i):
    """Labels from text[i] just after '{'; returns (dict, index after '}')."""
    labels = {}
    while True:
        while text[i] in " ,":
            i += 1
        if text[i] == "}":
            return labels, i + 1
        eq = text.index("=", i)
        name = text[i:eq].strip()
        if text[eq + 1] != '"':
            raise ValueError("label value without quotes")
        i, value = eq + 2, []
        while text[i] != '"':
            if text[i] == "\\":
                value.append({"\\": "\\", '"': '"', "n": "\n"}[text[i + 1]])
                i += 2
            else:
                value.append(text[i])
                i += 1
        labels[name] = "".join(value)
        i += 1


def quote(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main():
    types = "--types" in sys.argv[1:]
    for n, line in enumerate(sys.stdin.read().split("\n"), 1):
        try:
            if not line:
                continue
            if line.startswith("#"):
                parts = line.split(None, 3)
                if types and len(parts) == 4 and parts[1] == "TYPE":
                    print("TYPE", parts[2], parts[3])
                continue
            brace = line.find("{")
            space = line.find(" ")
            if brace != -1 and (space == -1 or brace < space):
                name = line[:brace]
                labels, i = parse_labels(line, brace + 1)
                rest = line[i:].split()
            else:
                name, labels, rest = line[:space], {}, line[space:].split()
            value = float(rest[0])
            if types:
                continue
            shown = ",".join(f'{k}="{quote(v)}"' for k, v in sorted(labels.items()) if v)
            num = int(value) if value.is_integer() and abs(value) < 2**53 else value
            print(f"{name}{{{shown}}} {num}" if shown else f"{name} {num}")
        except (ValueError, IndexError, KeyError) as e:
            sys.exit(f"line {n}: cannot parse {line!r}: {e}")


if __name__ == "__main__":
    main()
