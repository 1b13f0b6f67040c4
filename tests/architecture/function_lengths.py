#!/usr/bin/env python3
"""Fails when a function in the sources is longer than the project's limit (TigerBeetle's 70).

C++ (models/, sim/, tests/): a function is a brace block at namespace or class scope whose header
ends like a signature (`...)`, then qualifiers, a trailing return type or a constructor's member
initialisers); lambdas and blocks inside a function count toward it. Its length runs from the
first line of its header to its closing brace. Python (analysis/, tests/): every def, from its
line to its last (nested defs count toward their parent too).

usage: python3 tests/architecture/function_lengths.py [--max 70] [ROOT]
Exit 1 with one line per function over the limit, 0 when none is. `--self-test` checks the
parser on known shapes.
"""
import argparse
import ast
import re
import sys
from pathlib import Path

LINES_MAX = 70
CPP_FOLDERS = ("models", "sim", "tests")
PY_FOLDERS = ("analysis", "tests")
CONTROL = re.compile(r"^(if|for|while|switch|catch|do|else|try)\b")
SIGNATURE_END = re.compile(
    r"\)\s*(const|noexcept(\([^()]*\))?|override|final|mutable|&|&&|\s)*(->[^{;]*)?$")
INIT_LIST = re.compile(r"\)\s*(noexcept\s*)?:\s*[A-Za-z_]")


def strip_cpp(text):
    """The text with comments, string and character literals blanked, newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i):
            delimiter_end = text.find("(", i)
            close = ")" + text[i + 2:delimiter_end] + '"'
            j = text.find(close, delimiter_end)
            j = n if j < 0 else j + len(close)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def header_kind(header, in_init_list):
    """What a `{` at namespace or class scope opens, from the text before it."""
    h = " ".join(header.split())
    if in_init_list and re.search(r"[A-Za-z_0-9>]$", h):
        return "init"  # a member initialiser's braces: `b_{y}` before the body
    if re.search(r"\bnamespace\b", h) or h.startswith('extern "C"'):
        return "namespace"
    head = h.split("(")[0]
    if re.search(r"\b(class|struct|union|enum)\b", head) and "=" not in head:
        return "class"
    if "=" in head or CONTROL.match(h):
        return "block"
    if SIGNATURE_END.search(h) or INIT_LIST.search(h):
        return "function"
    return "block"


def cpp_functions(text):
    """(first line, last line) of every function in C++ text."""
    code = strip_cpp(text)
    stack, found = [], []  # stack of (kind, first line)
    header, header_line, line = "", 1, 1
    for c in code:
        if c == "\n":
            line += 1
        if any(kind == "function" for kind, _ in stack):
            if c == "{":
                stack.append(("block", line))
            elif c == "}":
                kind, first = stack.pop()
                if kind == "function":
                    found.append((first, line))
                    header, header_line = "", line
            continue
        if c == "{":
            kind = header_kind(header, bool(INIT_LIST.search(" ".join(header.split()))))
            stack.append((kind, header_line if kind == "function" else line))
            if kind != "init":
                header, header_line = "", line
            else:
                header += c
        elif c == "}":
            if stack:
                kind, _ = stack.pop()
                if kind == "init":
                    header += c
                    continue
            header, header_line = "", line
        elif c == ";":
            header, header_line = "", line
        else:
            if not header.strip() and not c.isspace():
                header_line = line
            if c.strip() or header:
                header += c
    return found


def python_functions(text):
    tree = ast.parse(text)
    return [(node.name, node.lineno, node.end_lineno) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def too_long(root, lines_max):
    problems = []
    for folder in CPP_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".hpp") or "node_modules" in path.parts:
                continue
            for first, last in cpp_functions(path.read_text(errors="replace")):
                if last - first + 1 > lines_max:
                    problems.append(f"{path.relative_to(root)}:{first}: {last - first + 1} lines")
    for folder in PY_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            for name, first, last in python_functions(path.read_text()):
                if last - first + 1 > lines_max:
                    problems.append(
                        f"{path.relative_to(root)}:{first}: {name}() {last - first + 1} lines")
    return problems


def self_test():
    sample = """
namespace a {
struct S {
  int f() const { return 1; }
  S() : x_(1), y_{2} {
    int z{3};
  }
  int x_ = 0, y_{0};
};
int g(int v) {
  auto h = [&] { return v; };
  if (v) { return h(); }
  return 0;
}
const char* t = "{ not a brace }";  // { nor this
}  // namespace a
TEST_CASE("x", "[y]") {
  CHECK(true);
}
"""
    got = cpp_functions(sample)
    want = [(4, 4), (5, 7), (10, 14), (17, 19)]
    if got != want:
        print(f"function_lengths self-test: found {got}, expected {want}")
        return 1
    print("function_lengths self-test: ok")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=Path(__file__).resolve().parents[2], type=Path)
    parser.add_argument("--max", type=int, default=LINES_MAX)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    problems = too_long(args.root, args.max)
    for p in problems:
        print(f"{p} (limit {args.max}): split it into named parts")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
