#!/usr/bin/env python3
"""A TCP impairment proxy for the network-namespace tests: forwards LISTEN -> TARGET and adds a
fixed one-way delay to every byte in both directions (this kernel has no netem qdisc).

    delay_proxy.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS

Order is kept per direction; a direction's backlog is bounded (the reader stops reading past
BACKLOG_LIMIT bytes, so a slow peer slows the sender instead of growing memory). Runs until
killed. A connection whose target does not answer is closed, as a router would drop it."""
import asyncio
import sys
import time

BACKLOG_LIMIT = 8 * 1024 * 1024


def split(address):
    host, port = address.rsplit(":", 1)
    return host, int(port)


async def pump(reader, writer, delay):
    queue = asyncio.Queue()
    queued = [0]
    space = asyncio.Event()
    space.set()

    async def sender():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            queued[0] -= len(data)
            if queued[0] < BACKLOG_LIMIT:
                space.set()
            await writer.drain()
        writer.close()

    task = asyncio.create_task(sender())
    try:
        while True:
            await space.wait()
            data = await reader.read(65536)
            if not data:
                break
            queued[0] += len(data)
            if queued[0] >= BACKLOG_LIMIT:
                space.clear()
            queue.put_nowait((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((0, None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


async def handle(client_reader, client_writer, target, delay):
    try:
        upstream_reader, upstream_writer = await asyncio.wait_for(asyncio.open_connection(*target), 5)
    except (OSError, asyncio.TimeoutError):
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, upstream_writer, delay), pump(upstream_reader, client_writer, delay),
                         return_exceptions=True)


async def main():
    listen, target, delay_ms = split(sys.argv[1]), split(sys.argv[2]), float(sys.argv[3])
    server = await asyncio.start_server(lambda r, w: handle(r, w, target, delay_ms / 1000), *listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
