// Helpers for the recorder's hot path that Swift cannot express on its own:
// the CPU timestamp counter, gettid, and thread-local recorder state.
#ifndef LANES_SUPPORT_H
#define LANES_SUPPORT_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

/// One recorded event: four machine words, 32 bytes.
typedef struct lanes_record {
    uint64_t w0;  // start time (ticks), or the event's time
    uint64_t w1;  // end time (ticks), or a value
    uint64_t w2;  // kind << 56 | flags << 48 | name (static string address or interned id)
    uint64_t w3;  // span id << 32 | parent id, or the span a wait belongs to
} lanes_record;

/// The recording state of one thread. It lives in thread-local storage; the
/// recorder keeps its address while the thread is registered.
typedef struct lanes_thread_state {
    lanes_record *cursor;     // next free record; published with release stores
    lanes_record *limit;      // end of the current buffer (cursor == limit: take the slow path)
    lanes_record *base;       // start of the current buffer
    lanes_record *flushed;    // records before this were already taken by the recorder
    uint32_t seq;             // last span sequence number issued on this thread
    uint32_t current;         // sequence number of the innermost open span, 0 if none
    uint32_t slot;            // the thread's index in the recorder + 1; 0 = not registered
    uint32_t drop_generation; // the recording during which drop_backoff was set
    int64_t tid;              // the thread's kernel id, cached at registration
    uint64_t dropped;         // events this thread dropped at the memory bound (atomic)
    uint64_t drop_backoff;    // drops left before the thread asks for a buffer again
} lanes_thread_state;

extern __thread lanes_thread_state lanes_tls __attribute__((tls_model("initial-exec")));

/// Nonzero while a recorder is active; 2 when per-span CPU time is recorded.
extern int lanes_active;

static inline lanes_thread_state *lanes_state(void) { return &lanes_tls; }

static inline int lanes_recording_mode(void) { return __atomic_load_n(&lanes_active, __ATOMIC_RELAXED); }

static inline void lanes_set_recording_mode(int mode) { __atomic_store_n(&lanes_active, mode, __ATOMIC_RELEASE); }

/// Counts recordings started in this process.
extern uint32_t lanes_generation;

static inline uint32_t lanes_current_generation(void) { return __atomic_load_n(&lanes_generation, __ATOMIC_ACQUIRE); }

static inline void lanes_next_generation(void) { __atomic_fetch_add(&lanes_generation, 1, __ATOMIC_ACQ_REL); }

/// Reads the timestamp source: the TSC where it is invariant, else CLOCK_MONOTONIC in ns.
extern int lanes_use_tsc;

static inline uint64_t lanes_now(void) {
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_expect(__atomic_load_n(&lanes_use_tsc, __ATOMIC_RELAXED), 1)) return __builtin_ia32_rdtsc();
#endif
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/// Appends a record if the buffer has room; returns 0 when the caller must take the slow path.
static inline int lanes_append(lanes_thread_state *st, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) {
    lanes_record *c = st->cursor;
    if (__builtin_expect(c == st->limit, 0)) return 0;
    c->w0 = w0;
    c->w1 = w1;
    c->w2 = w2;
    c->w3 = w3;
    __atomic_store_n(&st->cursor, c + 1, __ATOMIC_RELEASE);
    return 1;
}

/// Moves the cursor (slow path only).
static inline void lanes_store_cursor(lanes_thread_state *st, lanes_record *c) {
    __atomic_store_n(&st->cursor, c, __ATOMIC_RELEASE);
}

/// The cursor as another thread may read it.
static inline lanes_record *lanes_published_cursor(lanes_thread_state *st) {
    return __atomic_load_n(&st->cursor, __ATOMIC_ACQUIRE);
}

static inline void lanes_add_dropped(lanes_thread_state *st, uint64_t n) {
    __atomic_fetch_add(&st->dropped, n, __ATOMIC_RELAXED);
}

static inline uint64_t lanes_take_dropped(lanes_thread_state *st) {
    return __atomic_exchange_n(&st->dropped, 0, __ATOMIC_RELAXED);
}

/// Reads CLOCK_MONOTONIC in ns.
uint64_t lanes_monotonic_ns(void);
/// Reads this thread's CPU clock in ns.
uint64_t lanes_thread_cpu_ns(void);
/// The calling thread's kernel id.
int64_t lanes_gettid(void);
/// 1 if the CPU's timestamp counter is invariant (constant and nonstop), from CPUID.
int lanes_cpu_has_invariant_tsc(void);
/// Reads the TSC directly (for calibration), or 0 where there is none.
uint64_t lanes_read_tsc(void);
/// Chooses the timestamp source for lanes_now: 1 for the TSC, 0 for CLOCK_MONOTONIC.
void lanes_set_use_tsc(int use);
/// Names the calling thread for the OS (at most 15 bytes are kept).
int lanes_set_thread_name(const char *name);
/// Copies the calling thread's OS name into `buffer`.
int lanes_get_thread_name(char *buffer, size_t size);
/// The Swift runtime's current task (an AsyncTask*), or NULL outside a task.
void *lanes_current_task(void);
/// The id of the current task, as task executors see it on its jobs; 0 outside a task.
uint64_t lanes_current_task_id(void);

/// The id of the task a job belongs to (0 for jobs that are not tasks).
uint64_t lanes_job_task_id(void *job);

/// CRC-32C (Castagnoli) of `n` bytes, continuing from `crc` (start with 0): the checksum of the task
/// recorder's chunks. Uses the SSE4.2 instruction where the CPU has it.
uint32_t lanes_crc32c(uint32_t crc, const void *bytes, size_t n);

/// Advances a CRC-32 (IEEE) state (the running value before the final inversion, 0xFFFFFFFF at the start) over
/// a prefix of `bytes` with carry-less multiplication where the CPU has it; returns how many bytes it consumed (0
/// when it cannot: fewer than 64 bytes, or no PCLMULQDQ). The caller checksums the rest with a table.
size_t lanes_crc32_fold(uint32_t *state, const void *bytes, size_t n);

/// Registers `destructor` to run with `value` when the calling thread exits.
int lanes_on_thread_exit(void (*destructor)(void *), void *value);

#endif
