#!/usr/bin/env python3
"""Faults against `doctor serve` over its Unix socket, with asyncio (a client we did not write the server for).

Usage: faults.py SOCKET. Prints one JSON object with what it saw; the Swift test asserts on it.

1. A client connects and never sends: the server must close it after its idle timeout, and answer others meanwhile.
2. A client subscribes to /events and drops mid-stream: the server goes on.
3. 1,000 concurrent connections each ask /health: every one gets a complete HTTP answer.
4. While a run hangs on a check (POST /run in flight), /health still answers at once, saying a run is in progress.
"""
import asyncio
import json
import resource
import sys
import time

SOCKET = sys.argv[1]


async def request(path, method="GET", timeout=20.0):
    reader, writer = await asyncio.open_unix_connection(SOCKET)
    try:
        writer.write(f"{method} {path} HTTP/1.1\r\nHost: doctor\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, body


async def silent_client():
    reader, writer = await asyncio.open_unix_connection(SOCKET)
    started = time.monotonic()
    try:
        data = await asyncio.wait_for(reader.read(), 30)
        return {"closed_after": round(time.monotonic() - started, 2), "bytes": len(data)}
    except asyncio.TimeoutError:
        return {"closed_after": None}
    finally:
        writer.close()


async def dropping_subscriber():
    reader, writer = await asyncio.open_unix_connection(SOCKET)
    writer.write(b"GET /events HTTP/1.1\r\nHost: doctor\r\n\r\n")
    await writer.drain()
    first = await asyncio.wait_for(reader.readuntil(b"retry: 2000\n\n"), 10)
    writer.transport.abort()  # gone without a goodbye
    return first.startswith(b"HTTP/1.1 200")


async def many(count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count * 2 + 64)), hard))
    connections = await asyncio.gather(*(asyncio.open_unix_connection(SOCKET) for _ in range(count)))
    for _, writer in connections:
        writer.write(b"GET /health HTTP/1.1\r\nHost: doctor\r\nConnection: close\r\n\r\n")
    async def answer(reader, writer):
        try:
            data = await asyncio.wait_for(reader.read(), 30)
            return data.startswith(b"HTTP/1.1 ") and b'"status"' in data
        finally:
            writer.close()
    results = await asyncio.gather(*(answer(r, w) for r, w in connections), return_exceptions=True)
    return sum(1 for r in results if r is True)


async def during_a_hung_run():
    run = asyncio.create_task(request("/run", "POST", timeout=60))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    status, body = await request("/health")
    took = time.monotonic() - started
    health = json.loads(body)
    run_status, run_body = await run
    return {
        "health_status": status,
        "health_seconds": round(took, 3),
        "run_in_progress": health.get("run_in_progress"),
        "run_status": run_status,
        "run_error": json.loads(run_body)["summary"]["error"],
    }


async def main():
    silent = asyncio.create_task(silent_client())
    dropped = await dropping_subscriber()
    answered = await many(1000)
    hung = await during_a_hung_run()
    after_status, _ = await request("/health")
    print(json.dumps({
        "silent": await silent,
        "dropped_subscriber_saw_stream": dropped,
        "answered_of_1000": answered,
        "hung_run": hung,
        "health_after": after_status,
    }))


asyncio.run(main())
