#!/usr/bin/env python3
"""Shares of CPU samples by the library that owns them, from `perf script` output of a .NET process.

Usage (the process must run with DOTNET_PerfMapEnabled=1 so JIT-compiled frames have names):

    perf record -F 499 -g -p <pid> -o perf.data -- sleep 20
    perf script -i perf.data -F comm,tid,ip,sym,dso | tests/Etter.Benchmarks/tools/perf-owners.py [--top N]

Each sample goes to the first owner found walking its stack from the leaf towards the root, so a sample in
CoreLib, libc or the kernel counts for the library that called it (a string copy inside EF Core is EF Core's).
Inclusive shares mislead here: await continuations often run inline on whatever stack completed the awaited task
(a semaphore release, a channel write), so frames of unrelated code sit under many samples. Owning by the nearest
known frame avoids that. Stacks that reach the kernel through libc lose their user frames (libc has no frame
pointers); those samples show as kernel.
"""
import argparse
import collections
import re
import sys

OWNERS = [
    ("EF Core", r"Microsoft\.EntityFrameworkCore"),
    ("SQLite (managed and native)", r"Microsoft\.Data\.Sqlite|SQLitePCL|libe_sqlite3"),
    ("Npgsql", r"\[Npgsql"),
    ("System.Text.Json", r"System\.Text\.Json"),
    ("Etter", r"\[Etter\."),
    ("MassTransit", r"\[MassTransit"),
    ("RabbitMQ.Client", r"\[RabbitMQ\.Client"),
    ("Dependency injection", r"Microsoft\.Extensions\.DependencyInjection"),
    ("System.Threading.Channels", r"System\.Threading\.Channels"),
    ("Thread pool (dispatch, spinning, waking)", r"ThreadPoolWorkQueue|PortableThreadPool|LowLevelLifoSemaphore|LowLevelSpinWaiter"),
    ("JIT", r"libclrjit"),
]


def samples(lines):
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line[0] in " \t":
            frames.append(line.strip())
    if frames:
        yield frames


def owner(frames):
    for frame in frames:
        for name, pattern in OWNERS:
            if re.search(pattern, frame):
                return name
    return "kernel (no owner above it)" if "kernel" in frames[0] else "runtime and libc (no owner above it)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="perf script output (default: stdin)")
    parser.add_argument("--top", type=int, default=0, help="also list the N most frequent leaf frames of each owner")
    args = parser.parse_args()
    source = open(args.file, errors="replace") if args.file else sys.stdin
    shares = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    total = 0
    for frames in samples(source):
        total += 1
        name = owner(frames)
        shares[name] += 1
        leaves[name][re.sub(r"^[0-9a-f]+\s+", "", frames[0])[:120]] += 1
    if total == 0:
        sys.exit("no samples: was perf script given -F comm,tid,ip,sym,dso and a recording made with -g?")
    print(f"{total} samples")
    for name, count in shares.most_common():
        print(f"{100 * count / total:6.1f} %  {name}")
        for leaf, n in leaves[name].most_common(args.top):
            print(f"           {100 * n / total:5.2f} %  {leaf}")


if __name__ == "__main__":
    main()
