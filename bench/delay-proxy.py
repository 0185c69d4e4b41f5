#!/usr/bin/env python3
"""An ssh ProxyCommand that makes a link slow: `delay-proxy.py HOST PORT MS` connects to
HOST:PORT and relays stdin to it and its answers to stdout, every chunk held back MS
milliseconds from when it arrived (each way: a round trip costs 2 x MS). Latency only, no
bandwidth limit: chunks queue behind each other, not behind each other's delay."""

import os
import socket
import sys
import threading
import time
from collections import deque


def relay(read, write, delay):
    queue, ready = deque(), threading.Condition()
    done = []

    def reader():
        while True:
            data = read()
            with ready:
                queue.append((time.monotonic() + delay, data))
                ready.notify()
            if not data:
                return

    threading.Thread(target=reader, daemon=True).start()
    while True:
        with ready:
            while not queue:
                ready.wait()
            due, data = queue.popleft()
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        if not data:
            done.append(True)
            return
        write(data)


def main():
    host, port, ms = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    delay = ms / 1000
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def to_host():
        relay(lambda: os.read(0, 65536), s.sendall, delay)
        s.shutdown(socket.SHUT_WR)

    threading.Thread(target=to_host, daemon=True).start()

    def write_out(data):
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

    relay(lambda: s.recv(65536), write_out, delay)


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, ConnectionError, KeyboardInterrupt):
        pass
