#!/usr/bin/env python3
"""The receiving end of systemd's notification protocol ($NOTIFY_SOCKET): a datagram socket that prints each
message it gets as one JSON line and flushes, until killed. Usage: notify_receiver.py SOCKET_PATH."""
import json
import os
import socket
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind(path)
print(json.dumps({"listening": path}), flush=True)
while True:
    message = receiver.recv(4096).decode()
    print(json.dumps({"message": message}), flush=True)
