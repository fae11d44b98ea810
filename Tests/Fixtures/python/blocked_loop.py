# Pitfall 2: a coroutine that calls time.sleep blocks the event loop for everyone.
import asyncio
import time


async def ticker(n):
    for _ in range(n):
        await asyncio.sleep(0.02)


async def slow_handler():
    await asyncio.sleep(0.1)
    time.sleep(0.5)  # the blocking call


async def main():
    await asyncio.gather(ticker(40), ticker(40), slow_handler())


if __name__ == "__main__":
    asyncio.run(main())
