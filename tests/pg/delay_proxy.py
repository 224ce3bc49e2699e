#!/usr/bin/env python3
"""delay_proxy.py - a TCP forwarder on 127.0.0.1 that can hold every byte back for a while, so a node behind it
hears of a change later than the others (tests/cli/pg_nodes.sh: an action that returned without waiting for that
node's acknowledgement is then caught on the node's next request). SIGUSR1 turns the delay on, SIGUSR2 off; order
within each direction is kept. Prints its port on stdout once it listens.

usage: delay_proxy.py TARGET_PORT DELAY_MS [LISTEN_PORT]
"""
import collections
import signal
import socket
import sys
import threading
import time

target_port = int(sys.argv[1])
delay_s = int(sys.argv[2]) / 1000.0
listen_port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
active = [0.0]


def on_signal(signum, _frame):
    active[0] = delay_s if signum == signal.SIGUSR1 else 0.0


def pump(src, dst):
    """Reads src; each chunk goes to dst once its time (arrival + delay) has come."""
    queue = collections.deque()
    cond = threading.Condition()
    done = [False]

    def sender():
        while True:
            with cond:
                while not queue and not done[0]:
                    cond.wait()
                if not queue:
                    break
                due, data = queue[0]
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with cond:
                queue.popleft()
            try:
                dst.sendall(data)
            except OSError:
                break
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        with cond:
            if not data:
                done[0] = True
                cond.notify()
                break
            queue.append((time.monotonic() + active[0], data))
            cond.notify()
    t.join()


def serve(client):
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)
        upstream.settimeout(None)
    except OSError:
        client.close()
        return
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a = threading.Thread(target=pump, args=(client, upstream), daemon=True)
    a.start()
    pump(upstream, client)
    a.join()
    client.close()
    upstream.close()


def main():
    signal.signal(signal.SIGUSR1, on_signal)
    signal.signal(signal.SIGUSR2, on_signal)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(128)
    print(srv.getsockname()[1], flush=True)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
