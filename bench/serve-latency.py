#!/usr/bin/env python3
"""Time `opsbook serve` from saving a service doc to the `reload` event that open pages get.

Usage: bench/serve-latency.py BOOK [--opsbook target/release/opsbook] [--saves 9]
                              [--save in-place|rename]

Starts `opsbook serve BOOK --port 0`, listens to its event stream, then saves one service doc
(the middle one, by path) again and again with a changed title, and prints each latency and
the median. The doc is restored afterwards. Standard library only.
"""

import argparse
import pathlib
import re
import statistics
import subprocess
import threading
import time
import urllib.request


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=pathlib.Path)
    parser.add_argument("--opsbook", default="target/release/opsbook")
    parser.add_argument("--saves", type=int, default=9)
    parser.add_argument(
        "--save",
        choices=["in-place", "rename"],
        default="in-place",
        help="write the doc in place, or write a temporary file and rename it over the doc "
        "(as editors that save safely do)",
    )
    args = parser.parse_args()

    docs = sorted(args.book.glob("services/*/service.md"))
    if not docs:
        raise SystemExit(f"no services/*/service.md under {args.book}")
    doc = docs[len(docs) // 2]
    original = doc.read_text()

    server = subprocess.Popen(
        [args.opsbook, "serve", str(args.book), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = wait_for_url(server)
        reloads = listen(url)
        latencies = [
            save_and_time(doc, original, i, reloads, args.save) for i in range(args.saves)
        ]
    finally:
        doc.write_text(original)
        server.terminate()
        server.wait()
    print("save-to-reload ms:", [round(ms) for ms in latencies])
    print(f"median {statistics.median(latencies):.0f} ms over {len(latencies)} saves of {doc}")


def wait_for_url(server):
    for line in server.stdout:
        found = re.search(r" at (http://\S+)", line)
        if found:
            return found.group(1)
    raise SystemExit("opsbook serve stopped before printing its address")


def listen(url):
    """Collects the arrival time of every reload event, on a thread of its own."""
    reloads = []
    connected = threading.Event()

    def run():
        with urllib.request.urlopen(url + "__opsbook/events") as stream:
            for line in stream:
                if line.startswith(b"event: hello"):
                    connected.set()
                if line.startswith(b"event: reload"):
                    reloads.append(time.monotonic())

    threading.Thread(target=run, daemon=True).start()
    if not connected.wait(10):
        raise SystemExit("no hello on the event stream within 10 s")
    return reloads


def save_and_time(doc, original, index, reloads, how):
    before = len(reloads)
    edited = re.sub(r"^# .*$", f"# Edited {index}", original, count=1, flags=re.M)
    started = time.monotonic()
    if how == "rename":
        temporary = doc.with_name(doc.name + ".saving")
        temporary.write_text(edited)
        temporary.replace(doc)
    else:
        doc.write_text(edited)
    deadline = started + 10
    while len(reloads) == before:
        if time.monotonic() > deadline:
            raise SystemExit("no reload within 10 s of a save")
        time.sleep(0.002)
    latency = (reloads[before] - started) * 1000
    time.sleep(0.3)  # let the page's own requests and the watcher settle
    return latency


if __name__ == "__main__":
    main()
