#!/usr/bin/env python3
"""Runs a command and prints the CPU time every process of the machine used meanwhile, by kind.

Reads /proc once a second: a process that lives less than a second is missed (count those with
process accounting, Debian's acct). Java processes are told apart by their command line: the
Maven JVM, the Surefire fork, the runtime pods, the operator pods and the model fetches (the
operator image), and the packaged operator run on the host. Used for docs/development.md, "Where
the CPU of the e2e phase goes":

    python3 e2e/bench/cpu_by_process.py -- ./mvnw -B -ntp -pl e2e verify
"""

import collections
import os
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def kind(pid: str, comm: str) -> str:
    if comm.startswith("kworker"):
        return "kworker"
    if comm != "java":
        return comm
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            args = f.read().split("\0")
    except OSError:
        return comm
    line = " ".join(args)
    if "surefire" in line:
        return "java: test JVM (Surefire)"
    if "plexus-classworlds" in line:
        return "java: Maven"
    if "/app/quarkus-run.jar" in line:
        if "serve" in args:
            return "java: runtime pods"
        if "fetch" in args:
            return "java: model fetches"
        return "java: operator pods"
    if "quarkus-run.jar" in line:
        return "java: operator on the host"
    return "java: other"


def snapshot(kinds: dict) -> dict:
    """pid -> (kind, CPU ticks so far); kinds caches each (pid, comm)'s kind."""
    now = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        key = (pid, comm)
        if key not in kinds:
            kinds[key] = kind(pid, comm)
        now[pid] = (kinds[key], int(fields[11]) + int(fields[12]))
    return now


def machine_busy_ticks() -> int:
    """The whole machine's non-idle CPU time so far (/proc/stat), short-lived processes included."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return sum(fields[:8]) - fields[3] - fields[4]


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    kinds: dict = {}
    totals: collections.Counter = collections.Counter()
    last = snapshot(kinds)
    busy_before = machine_busy_ticks()
    start = time.monotonic()
    command = subprocess.Popen(sys.argv[2:])
    while command.poll() is None:
        time.sleep(1)
        now = snapshot(kinds)
        for pid, (name, ticks) in now.items():
            totals[name] += ticks - (last[pid][1] if pid in last else 0)
        kinds = {k: v for k, v in kinds.items() if k[0] in now}
        last = now
    elapsed = time.monotonic() - start
    seen = sum(totals.values()) / HZ
    busy = (machine_busy_ticks() - busy_before) / HZ
    print(f"\n{elapsed:.0f} s, {seen:.0f} CPU-seconds in processes seen ({seen / elapsed:.0%} of a core)")
    print(f"the whole machine: {busy:.0f} CPU-seconds ({busy / elapsed:.0%} of a core); the difference is"
          " processes that lived under a second, and the kernel's own work")
    print("| process | CPU-seconds |\n| --- | --- |")
    for name, ticks in totals.most_common(20):
        print(f"| {name} | {ticks / HZ:.1f} |")
    return command.returncode


if __name__ == "__main__":
    sys.exit(main())
