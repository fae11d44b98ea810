# Sleeping "downloads" in a thread pool: I/O-bound, threads are right.
import time
from concurrent.futures import ThreadPoolExecutor


def download(i):
    time.sleep(0.1)
    return i


def main():
    with ThreadPoolExecutor(max_workers=8) as pool:
        print(sum(pool.map(download, range(32))))


if __name__ == "__main__":
    main()
