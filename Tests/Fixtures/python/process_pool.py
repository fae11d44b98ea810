# CPU-bound work in a process pool: runs in parallel, one interpreter per process.
from concurrent.futures import ProcessPoolExecutor


def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def main():
    with ProcessPoolExecutor(max_workers=2) as pool:
        print(sum(pool.map(spin, [300000] * 8)))


if __name__ == "__main__":
    main()
