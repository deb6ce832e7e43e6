#!/usr/bin/env python3
"""Reads SwiftPM's debug build plan for scripts/fuzz.sh: what linking TributaryServer into a fuzz target needs.

    fuzz_server_plan.py DESCRIPTION_JSON OUT_DIR MODULE...

Writes to OUT_DIR:
  deps.txt          TributaryServer's dependency closure, one module a line, without TributaryCore and CYAML (fuzz.sh
                    builds those instrumented) and without the MODULEs (compiled instrumented from source).
  MODULE.flags      per MODULE: the swiftc flags SwiftPM used that matter for compiling it again (language mode,
                    features, package name, defines, C module maps and include paths), one argument a line.
  MODULE.sources    per MODULE: its source files.
  imports.txt       the C module maps and include paths of TributaryServer's flags: what a module importing
                    TributaryServer needs.
"""
import json
import sys

OURS = {"TributaryCore", "CYAML"}


def flags(arguments):
    """The arguments worth keeping, as (language, imports): mode, features, package name and defines (minus DEBUG);
    C module maps and include paths (minus CYAML: fuzz.sh passes its own)."""
    language, imports, i = [], [], 0
    while i < len(arguments):
        arg = arguments[i]
        if arg in ("-swift-version", "-enable-upcoming-feature", "-enable-experimental-feature", "-package-name"):
            language += arguments[i:i + 2]
            i += 2
        elif arg.startswith("-D") and arg != "-DDEBUG":
            language.append(arg)
            i += 1
        elif arg == "-Xcc" and arguments[i + 1].startswith("-fmodule-map-file="):
            if "/CYAML/" not in arguments[i + 1]:
                imports += arguments[i:i + 2]
            i += 2
        elif arguments[i:i + 3] == ["-Xcc", "-I", "-Xcc"]:
            if "/CYAML/" not in arguments[i + 3]:
                imports += arguments[i:i + 4]
            i += 4
        else:
            i += 1
    return language, imports


def write_lines(path, lines):
    with open(path, "w") as file:
        file.writelines(f"{line}\n" for line in lines)


def main():
    plan, out, modules = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3:]
    commands = {c["moduleName"]: c for c in plan["swiftCommands"].values() if "moduleName" in c}
    closure = plan["targetDependencyMap"]["TributaryServer"]
    write_lines(f"{out}/deps.txt", [m for m in closure if m not in OURS and m not in modules])
    write_lines(f"{out}/imports.txt", flags(commands["TributaryServer"]["otherArguments"])[1])
    for module in modules:
        language, imports = flags(commands[module]["otherArguments"])
        write_lines(f"{out}/{module}.flags", language + imports)
        write_lines(f"{out}/{module}.sources", commands[module]["sources"])


if __name__ == "__main__":
    main()
