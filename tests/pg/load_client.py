#!/usr/bin/env python3
"""load_client.py - the load of tests/cli/pg_nodes.sh: one thread per node URL sends GET /api/v1/ping with every
key listed in KEYFILE (lines "LABEL KEY", re-read every round, so keys can be added while it runs) until STOPFILE
exists, and logs each answer as "SEND_TIME NODE LABEL STATUS" to LOG (SEND_TIME: time.time() just before the
request was sent; STATUS: the HTTP status and error code, or ERR when there was no answer within 5 s). A fresh
connection per request, so every answer is that node's verdict at that moment.

usage: load_client.py KEYFILE STOPFILE LOG NODE=URL...
       load_client.py --analyze LOG EVENTS   (EVENTS lines "revoked LABEL TIME"; prints a summary as JSON)
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def read_keys(path):
    keys = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    keys.append((parts[0], parts[1]))
    except OSError:
        pass
    return keys


def worker(name, url, keyfile, stopfile, out, lock):
    u = urllib.parse.urlsplit(url)
    while not os.path.exists(stopfile):
        keys = read_keys(keyfile)
        if not keys:
            time.sleep(0.01)
            continue
        for label, key in keys:
            sent = time.time()
            try:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
                conn.request("GET", "/api/v1/ping", headers={"X-API-Key": key, "Connection": "close"})
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                status = str(resp.status)
                if resp.status != 200:
                    try:
                        status += ":" + json.loads(body).get("error", "")
                    except ValueError:
                        status += ":?"
            except (OSError, http.client.HTTPException):
                status = "ERR"
            with lock:
                out.write("%.6f %s %s %s\n" % (sent, name, label, status))
                out.flush()


def run(keyfile, stopfile, log, nodes):
    lock = threading.Lock()
    with open(log, "a") as out:
        threads = []
        for spec in nodes:
            name, url = spec.split("=", 1)
            t = threading.Thread(target=worker, args=(name, url, keyfile, stopfile, out, lock), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join()


def analyze(log, events):
    revoked = {}
    with open(events) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "revoked":
                revoked[parts[1]] = float(parts[2])
    total = 0
    violations = []
    per = {}
    with open(log) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 4:
                continue
            sent, node, label, status = float(parts[0]), parts[1], parts[2], parts[3]
            total += 1
            per.setdefault((node, label), []).append((sent, status))
            if status == "200" and label in revoked and sent > revoked[label]:
                violations.append(line.strip())
    summary = {
        "requests": total,
        "violations": len(violations),
        "first_violations": violations[:5],
        "statuses": {"%s/%s" % k: sorted(set(s for _, s in v)) for k, v in sorted(per.items())},
        "last": {"%s/%s" % k: v[-1][1] for k, v in sorted(per.items())},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--analyze":
        analyze(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5:
        run(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
