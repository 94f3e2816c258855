#!/usr/bin/python3
"""Runs two or more commands alternately, N rounds, and prints each one's median wall time, peak RSS and the ratios.

    bench/side_by_side.py --rounds 5 --name satsr -- CMD A… --name gdal -- CMD B…

Each command runs as a child process; its wall time is measured around it and its peak RSS is the child's ru_maxrss
(os.wait4), so a figure never includes another run. Output files the commands write are removed between rounds by
the commands themselves (give them --overwrite, or a path the command replaces). A command that fails stops the run.
"""
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def parse(argv):
    rounds, commands, name = 5, [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--rounds":
            rounds = int(argv[i + 1]); i += 2
        elif argv[i] == "--name":
            name = argv[i + 1]; i += 2
        elif argv[i] == "--":
            j = i + 1
            while j < len(argv) and argv[j] != "--name":
                j += 1
            commands.append((name or f"cmd{len(commands)}", argv[i + 1:j])); name = None; i = j
        else:
            sys.exit(f"unexpected argument {argv[i]}")
    return rounds, commands


def run(cmd):
    start = time.perf_counter()
    # stderr to a file, not a pipe: a command that writes more than the pipe holds would block until the wait ends.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        log.seek(0)
        err = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {shlex.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def main():
    rounds, commands = parse(sys.argv[1:])
    results = {name: [] for name, _ in commands}
    for r in range(rounds):
        for name, cmd in (commands if r % 2 == 0 else commands[::-1]):
            results[name].append(run(cmd))
            print(f"round {r + 1} {name}: {results[name][-1][0]:.2f} s", file=sys.stderr)
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13}")
    medians = {}
    for name, cmd in commands:
        walls = [w for w, _ in results[name]]
        medians[name] = statistics.median(walls)
        print(f"{name:<16} {medians[name]:>9.2f} {min(walls):>7.2f} {max(m for _, m in results[name]):>13.0f}   {shlex.join(cmd)}")
    first = commands[0][0]
    for name, _ in commands[1:]:
        print(f"speed of {first} relative to {name}: {medians[name] / medians[first]:.2f}×")


if __name__ == "__main__":
    main()
