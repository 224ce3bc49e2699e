#!/usr/bin/env python3
"""rate_load.py - open-loop HTTP load for the many-node rate-limit test (tests/cli/pg_ratelimit.sh): requests with
one X-API-Key sent to several nodes, each at its own fixed rate, in phases; counts the answers.

usage: rate_load.py KEY PATH PHASES_JSON
PHASES_JSON: [{"seconds": 30, "rates": {"URL": per_second, ...}, "kill_before": PID or null}, ...]
Prints one JSON object: per phase, per node, a list of [seconds since the phase started, HTTP status] (0: no
answer). kill_before sends SIGKILL to that pid when the phase starts (a node dying, not leaving)."""
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse


def one(url, path, key):
    u = urllib.parse.urlsplit(url)
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
        c.request("GET", path, headers={"X-API-Key": key, "Connection": "close"})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except OSError:
        return 0


def node_load(url, path, key, rate, start, seconds, out):
    n = 0
    while True:
        due = start + n / rate
        if due >= start + seconds:
            return
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        out.append([round(time.monotonic() - start, 3), one(url, path, key)])
        n += 1


def main():
    key, path, phases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    result = []
    for phase in phases:
        if phase.get("kill_before"):
            os.kill(int(phase["kill_before"]), signal.SIGKILL)
        start = time.monotonic()
        answers = {url: [] for url in phase["rates"]}
        threads = [threading.Thread(target=node_load, args=(url, path, key, rate, start, phase["seconds"],
                                                              answers[url]))
                   for url, rate in phase["rates"].items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.append(answers)
    print(json.dumps(result))


main()
