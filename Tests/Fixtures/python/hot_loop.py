# One CPU-bound pure-Python function in one thread: its sampled stack changes only now and then (a line, the loop),
# so a py-spy trace of it has stretches without events that are computing, not waiting.
def hot():
    s = 0
    for i in range(20_000_000):
        s += i * i
    return s


def main():
    print(hot())


if __name__ == "__main__":
    main()
