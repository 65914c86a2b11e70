#!/usr/bin/env python3
"""Measure how opsbook's time and memory grow on hostile input: each shape at 1x, 2x and 4x.

Usage: cargo build --release && bench/growth.py [--shapes dot-nesting,dependency-chain]
           [--timeout 120] [--runs 3] [--opsbook target/release/opsbook] [--work DIR]

Writes each shape at each size as a book of its own under --work (a temporary folder unless
given; /dev/shm keeps disk noise out of `build`), runs `opsbook check` on it, and `opsbook
build` where the cost is in building, each --runs times under `/usr/bin/time -f '%e %M'`, and
prints a Markdown table of the medians: wall seconds, peak RSS in MB, and their ratio to the
1x size, with CPU seconds (user and system), which a shared machine's load disturbs less. A run that passes --timeout is stopped and shown as "> T s", and that shape's larger
sizes are not run. `--shapes` takes names from the list below (`--list` prints them).

The shapes of issue 22, items 3 to 6, come first; the dependency graph shapes after them are
the others tried for item 6. Standard library only.
"""

import argparse
import os
import pathlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

TODAY = "2026-11-28"


def doc(service, front="", body=""):
    return f"---\nservice: {service}\n{front}---\n# {service}\n\n{body}"


def one_doc(body="", front=""):
    """A book of one service doc, `hostile`."""
    return {"hostile": doc("hostile", front, body)}


def dot_nesting(n):
    dot = "digraph {\n" + "subgraph {\n" * n + "}\n" * n + "}\n"
    return one_doc(body=f"```dot\n{dot}```\n")


def services(n, depends_on, tier=lambda i: i % 4 + 1, extra=lambda i: ""):
    """A book of services `s00000`, `s00001`, ...; `depends_on(i)` lists what `s{i}` names."""
    return {
        sid(i): doc(
            sid(i),
            f"tier: {tier(i)}\n{extra(i)}depends_on: [{', '.join(depends_on(i))}]\n",
        )
        for i in range(n)
    }


def sid(i):
    return f"s{i:05d}"


def soft(i):
    return f"{{ service: {sid(i)}, kind: soft }}"


# name: (sizes at 1x, 2x, 4x; what to run; the book's docs for a size)
SHAPES = {
    # Item 3: a ```dot block nesting `subgraph {` N deep.
    "dot-nesting": ((2_500, 5_000, 10_000), ("check", "build"), dot_nesting),
    # Item 4: sanitising a body of N `<div>`, or of N `<ul><li>`.
    "div-body": ((50_000, 100_000, 200_000), ("build",), lambda n: one_doc("<div>" * n)),
    "ul-li-body": ((5_000, 10_000, 20_000), ("build",), lambda n: one_doc("<ul><li>" * n)),
    # Item 5: front matter nesting N deep, never closed.
    "yaml-sequence": (
        (50_000, 100_000, 200_000),
        ("check",),
        lambda n: one_doc(front=f"monitoring: {'[' * n}\n"),
    ),
    "yaml-mapping": (
        (50_000, 100_000, 200_000),
        ("check",),
        lambda n: one_doc(front=f"monitoring: {'{a: ' * n}\n"),
    ),
    # Item 6: each service hard-depends on the one before; tiers cycle 1 to 4.
    "dependency-chain": (
        (1_250, 2_500, 5_000),
        ("check", "build"),
        lambda n: services(n, lambda i: [sid(i - 1)] if i else []),
    ),
    # Other dependency graphs of the same shape.
    "chain-one-tier": (
        (2_500, 5_000, 10_000),
        ("check",),
        lambda n: services(n, lambda i: [sid(i - 1)] if i else [], tier=lambda i: 1),
    ),
    "soft-chain": (
        (2_500, 5_000, 10_000),
        ("check",),
        lambda n: services(n, lambda i: [soft(i - 1)] if i else []),
    ),
    "one-cycle": (
        (1_250, 2_500, 5_000),
        ("check",),
        lambda n: services(n, lambda i: [sid((i - 1) % n)]),
    ),
    "small-cycles": (
        (2_500, 5_000, 10_000),
        ("check",),
        lambda n: services(n, lambda i: [sid(i - 1 if i % 3 else min(i + 2, n - 1))]),
    ),
    # Half the services depend on `x`, which depends on the other half: each of those draws
    # `x` and its dependents on its page.
    "bow-tie": (
        (2_500, 5_000, 10_000),
        ("build",),
        lambda n: {
            **services(n // 2, lambda i: []),
            "x": doc("x", f"depends_on: [{', '.join(sid(i) for i in range(n // 2))}]\n"),
            **{f"t{i:05d}": doc(f"t{i:05d}", "depends_on: [x]\n") for i in range(n - n // 2)},
        },
    ),
    # `s00000` is what everyone depends on; the last service depends on everyone.
    "star": (
        (2_500, 5_000, 10_000),
        ("check", "build"),
        lambda n: services(
            n,
            lambda i: [sid(j) for j in range(n - 1)] if i == n - 1 else [sid(0)] if i else [],
        ),
    ),
    # Every service depends on every one before it.
    "dense": (
        (100, 200, 400),
        ("check", "build"),
        lambda n: services(n, lambda i: [sid(j) for j in range(i)]),
    ),
    "system-per-service": (
        (2_500, 5_000, 10_000),
        ("build",),
        lambda n: services(
            n, lambda i: [sid(i - 1)] if i else [], extra=lambda i: f"system: x{i}\n"
        ),
    ),
    "undocumented-dependencies": (
        (1_000, 2_000, 4_000),
        ("check",),
        lambda n: services(n, lambda i: [f"missing-{i:05d}"]),
    ),
}


def write_book(folder, docs):
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "services").mkdir(parents=True)
    (folder / "book.toml").write_text('[book]\ntitle = "Growth"\nsrc = "services"\n')
    for service, text in docs.items():
        (folder / "services" / service).mkdir()
        (folder / "services" / service / "service.md").write_text(text)


def run_once(opsbook, book, command, out, timeout):
    """(seconds, CPU seconds, MB, how it ended), or None when it passed the timeout."""
    args = ["check"] if command == "check" else ["build", "-o", str(out)]
    shutil.rmtree(out, ignore_errors=True)
    times = book.parent / "time.txt"
    process = subprocess.Popen(
        ["/usr/bin/time", "-f", "%e %U %S %M %x", "-o", str(times), opsbook, *args, "--today", TODAY],
        cwd=book,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        # Stopped, or interrupted: leave no opsbook running.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    lines = times.read_text().splitlines()
    seconds, user, system, kb, status = lines[-1].split()
    signalled = [line for line in lines if line.startswith("Command terminated by signal")]
    ended = signalled[0].removeprefix("Command terminated by ") if signalled else f"exit {status}"
    return float(seconds), float(user) + float(system), int(kb) / 1024, ended


def measure(opsbook, work, name, timeout, runs):
    """Rows of the table for one shape: every command at every size."""
    sizes, commands, make = SHAPES[name]
    rows = []
    for command in commands:
        first = None
        for scale, size in zip((1, 2, 4), sizes):
            book = work / f"{name}-{size}" / "book"
            if not book.exists():
                write_book(book, make(size))
            results = []
            for _ in range(runs):
                result = run_once(opsbook, book, command, book.parent / "site", timeout)
                if result is None:
                    break
                results.append(result)
            row = {"shape": name, "size": f"{size:,} ({scale}x)", "command": command}
            if len(results) < runs:
                row.update(seconds=f"> {timeout:g} s", cpu="", mb="", time_ratio="")
                row.update(memory_ratio="")
                row["ended"] = "stopped"
                rows.append(row)
                print(f"{name} {size} {command}: stopped after {timeout} s", file=sys.stderr)
                break
            seconds, cpu, mb = (statistics.median(r[k] for r in results) for k in range(3))
            first = first or (seconds, mb)
            row.update(
                seconds=f"{seconds:.2f}",
                cpu=f"{cpu:.2f}",
                mb=f"{mb:.0f}",
                time_ratio=f"{seconds / max(first[0], 0.01):.1f}",
                memory_ratio=f"{mb / first[1]:.1f}",
                ended=", ".join(sorted({r[3] for r in results})),
            )
            rows.append(row)
            print(f"{name} {size} {command}: {seconds:.2f} s, {mb:.0f} MB", file=sys.stderr)
    return rows


def table(rows):
    header = ("shape", "size", "command", "seconds", "MB", "time / 1x", "memory / 1x")
    header += ("CPU s", "ended")
    keys = ("shape", "size", "command", "seconds", "mb", "time_ratio", "memory_ratio")
    keys += ("cpu", "ended")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row[key] for key in keys) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", help="comma-separated shape names (default: all)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--opsbook", default="target/release/opsbook")
    parser.add_argument("--work", type=pathlib.Path, help="where the books are written")
    parser.add_argument("--list", action="store_true", help="print the shape names")
    args = parser.parse_args()
    if args.list:
        print("\n".join(SHAPES))
        return
    names = args.shapes.split(",") if args.shapes else list(SHAPES)
    unknown = [name for name in names if name not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shapes: {', '.join(unknown)}; --list shows them")
    opsbook = str(pathlib.Path(args.opsbook).resolve())
    if not os.access(opsbook, os.X_OK):
        raise SystemExit(f"no opsbook binary at {opsbook}: run `cargo build --release`")
    work = args.work or pathlib.Path(tempfile.mkdtemp(prefix="opsbook-growth-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = [row for name in names for row in measure(opsbook, work, name, args.timeout, args.runs)]
    print(table(rows))
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
