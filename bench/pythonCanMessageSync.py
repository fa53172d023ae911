#!/usr/bin/python3
"""Paces a candump log with python-can's MessageSync and prints its lateness as JSON.

Lateness is measured as roadrig's bench measures it: the monotonic time at which each message
is handed over, minus its ideal deadline (the first message's hand-over time plus the message's
recorded distance from the first message).

Usage: pythonCanMessageSync.py LOG [--gap SECONDS]
"""
import json
import math
import sys
import time

import can


def quantile(sorted_values, q):
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def main(argv):
    path = argv[1]
    gap = float(argv[argv.index("--gap") + 1]) if "--gap" in argv else 0.0001
    reader = can.CanutilsLogReader(path)
    lateness = []
    early = 0
    max_early = 0
    anchor = None
    first_ts = None
    for message in can.MessageSync(reader, timestamps=True, gap=gap):
        now = time.perf_counter_ns()
        if anchor is None:
            anchor = now
            first_ts = message.timestamp
        deadline = anchor + round((message.timestamp - first_ts) * 1e9)
        late = now - deadline
        if late < 0:
            early += 1
            max_early = max(max_early, -late)
            late = 0
        lateness.append(late)
    lateness.sort()
    json.dump(
        {
            "count": len(lateness),
            "p50": quantile(lateness, 0.5),
            "p99": quantile(lateness, 0.99),
            "p999": quantile(lateness, 0.999),
            "max": lateness[-1] if lateness else 0,
            "early": early,
            "maxEarly": max_early,
            "python_can": can.__version__,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
