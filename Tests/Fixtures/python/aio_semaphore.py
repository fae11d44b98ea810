# Many asyncio downloads bounded by a semaphore: I/O-bound, asyncio is right.
import asyncio


async def fetch(sem, i):
    async with sem:
        await asyncio.sleep(0.05)
        return i


async def main():
    sem = asyncio.Semaphore(5)
    print(sum(await asyncio.gather(*(fetch(sem, i) for i in range(40)))))


if __name__ == "__main__":
    asyncio.run(main())
