#!/usr/bin/python3
"""Paces a candump log with python-can's MessageSync and prints its lateness as JSON.

Lateness is measured as roadrig's bench measures it: the monotonic time at which each message
is handed over, minus its ideal deadline (the schedule start plus the message's recorded
distance from the first message), the schedule start being the latest one that no message
precedes. MessageSync hands over messages up to 0.1 ms early (it does not sleep shorter than
that); fitting the schedule this way counts that as jitter rather than hiding it.

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
    starts = []
    first_ts = None
    for message in can.MessageSync(reader, timestamps=True, gap=gap):
        now = time.perf_counter_ns()
        if first_ts is None:
            first_ts = message.timestamp
        starts.append(now - round((message.timestamp - first_ts) * 1e9))
    anchor = min(starts) if starts else 0
    lateness = sorted(start - anchor for start in starts)
    json.dump(
        {
            "count": len(lateness),
            "p50": quantile(lateness, 0.5),
            "p99": quantile(lateness, 0.99),
            "p999": quantile(lateness, 0.999),
            "max": lateness[-1] if lateness else 0,
            "python_can": can.__version__,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
