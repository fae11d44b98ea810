# Pitfall 1: CPU-bound pure-Python work in threads takes turns under the GIL.
import threading


def spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def worker():
    for _ in range(5):
        spin(60000)


def main():
    threads = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
