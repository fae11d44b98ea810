# asyncio handing blocking calls to a thread pool with run_in_executor: the loop stays free.
import asyncio
import time


def blocking_io(i):
    time.sleep(0.1)
    return i


async def main():
    loop = asyncio.get_running_loop()
    results = await asyncio.gather(*(loop.run_in_executor(None, blocking_io, i) for i in range(12)))
    print(sum(results))


if __name__ == "__main__":
    asyncio.run(main())
