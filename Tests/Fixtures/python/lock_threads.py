# Four threads contending for one threading.Lock held across a sleep: they take turns.
import threading
import time

lock = threading.Lock()


def work():
    time.sleep(0.03)


def worker():
    for _ in range(4):
        with lock:
            work()


def main():
    threads = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
