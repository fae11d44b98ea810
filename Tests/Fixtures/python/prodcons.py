# A bounded queue.Queue between a fast producer and two slow consumers.
import queue
import threading
import time

q = queue.Queue(maxsize=2)
DONE = object()


def producer():
    for i in range(24):
        q.put(i)
    for _ in range(2):
        q.put(DONE)


def consumer():
    while True:
        item = q.get()
        if item is DONE:
            return
        time.sleep(0.04)


def main():
    threads = [threading.Thread(target=producer, name="producer")]
    threads += [threading.Thread(target=consumer, name=f"consumer-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
