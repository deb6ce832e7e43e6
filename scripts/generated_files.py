"""Shared by the generators in scripts/: write generated files, or check that the committed ones are current."""
import os
import sys


def write_or_check(out_dir, files, script):
    """`files` maps a file name in `out_dir` to a function returning its text. With `--check` on the command line,
    writes nothing and returns 1 when a file differs from what would be generated; otherwise writes what changed."""
    check = "--check" in sys.argv[1:]
    stale = []
    for name, build in files.items():
        path = os.path.join(out_dir, name)
        text = build()
        current = open(path).read() if os.path.exists(path) else None
        if current == text:
            continue
        if check:
            stale.append(name)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("out of date (run scripts/%s): %s" % (script, ", ".join(stale)))
        return 1
    return 0
