// The task recording writer. See lanes_task_writer.h, and TASKS_FORMAT.md in CLanesTaskRecorder for
// what it writes.
#define _GNU_SOURCE
#include "lanes_task_writer.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#pragma GCC visibility push(hidden)

// MARK: records and chunks (TASKS_FORMAT.md)

enum { REC_SLICE = 1, REC_ENQUEUE = 2 };
enum { FLAG_MAIN_QUEUE = 1, FLAG_AFTER = 2, FLAG_CUT = 4 };
enum { CHUNK_RECORDS = 1, CHUNK_NOTICE = 2, CHUNK_START = 3, CHUNK_END = 4 };
#define CHUNK_MAGIC 0x4B534154u  // "TASK" little-endian
#define FORMAT_VERSION 1

typedef struct rec {
    uint8_t type, kind, priority, flags;
    uint32_t reserved;
    uint64_t task;   // the job's task id (0 for actor drain jobs)
    uint64_t t0;     // slice start, or enqueue time
    uint64_t t1;     // slice end, or the deadline of a dispatch_after_f (0 for dispatch_async_f)
    uint64_t other;  // slice: the job's address; enqueue: the task current at the enqueue (0 if none)
} rec;
_Static_assert(sizeof(rec) == 40, "record is 40 bytes");

typedef struct chunk_header {
    uint32_t magic;
    uint16_t type, version;
    uint32_t pid, tid;
    uint32_t length;  // payload bytes after this header
    uint32_t crc;     // CRC-32 of the header (this field 0) and the payload
    uint64_t ticks;   // the timestamp source now ...
    uint64_t mono;    // ... and CLOCK_MONOTONIC ns now: pairs give the conversion
} chunk_header;
_Static_assert(sizeof(chunk_header) == 40, "header is 40 bytes");

#define CAP 1636  // records per buffer: 40 + 1636 * 40 = 65,480 bytes

typedef struct buffer {
    struct buffer *next_all;   // every buffer ever made (never freed)
    struct buffer *next_free;  // buffers of exited threads, for reuse
    uint32_t tid;
    uint32_t count;    // records written (owner stores with release)
    uint32_t flushed;  // records before this were written by the exit flush
    int lock;          // taken to write the buffer out (rare; never per record)
    int running;       // 1 while `current` describes a job this thread is running
    rec current;       // that job's slice so far (end 0): written, cut, if the process exits meanwhile
    rec recs[CAP];
} buffer;

// MARK: state

static int fd = -1;
static int enabled;  // 1 while recording
static int use_tsc;
static lanes_tw_job_task_fn job_task_id;
static lanes_tw_current_task_fn current_task_id;
static buffer *all_buffers;
static buffer *free_buffers;
static pthread_mutex_t buffers_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static __thread buffer *tls_buffer __attribute__((tls_model("initial-exec")));
static int told;  // the switch-off notice was given
// Capture into memory (a `Recorder` session of LanesRecord recording the jobs of a `TracingTaskExecutor`): chunks
// go to blocks of memory instead of a file while `capturing`. Blocks are mapped populated and kept for the next
// capture, so a job pays neither a page fault nor a copy of what was captured before; chunks are written once
// per full buffer, so a mutex.
static int capturing;
static int initialised;  // the clock, checksum and thread-exit key are set up (once per process)
static pthread_mutex_t memory_mutex = PTHREAD_MUTEX_INITIALIZER;
#define BLOCK_BYTES ((size_t)4 << 20)
#define MEMORY_LIMIT ((size_t)512 << 20)  // 512 MiB, about 6.7 million jobs; chunks past it are dropped
typedef struct block {
    struct block *next;
    size_t used;
    char data[];
} block;
static block *first_block, *last_block;  // this capture's, in order
static block *spare_blocks;              // earlier captures', for reuse
static size_t captured_bytes;
static void (*capture_notify)(void *);  // told of each chunk captured (under memory_mutex)
static void *capture_notify_context;

// MARK: clock

static inline uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t now(void) {
#if defined(__x86_64__)
    if (__builtin_expect(use_tsc, 1)) return __builtin_ia32_rdtsc();
#endif
    return mono_ns();
}

// The TSC ticks at one rate on every core whatever the power state: CPUID says so, or (in virtual machines
// whose CPUID hides it) the kernel's constant_tsc and nonstop_tsc flags do.
static int invariant_tsc(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
    if (a >= 0x80000007u) {
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u), "c"(0));
        if ((d >> 8) & 1) return 1;
    }
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        found = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
        break;
    }
    fclose(f);
    return found;
#else
    return 0;
#endif
}

// MARK: CRC-32C (Castagnoli), with the SSE4.2 instruction where the CPU has it: eight bytes a cycle,
// so checksumming the ~80 bytes a job writes costs about 1 ns.

static uint32_t crc_table[256];
static int crc_hw;

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_update_hw(uint32_t crc, const uint8_t *b, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        c = __builtin_ia32_crc32di(c, v);
        b += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *b++);
    return c32;
}
#endif

// The running CRC (start with 0xFFFFFFFF, finish with ~).
static uint32_t crc_update(uint32_t crc, const void *p, size_t n) {
    const uint8_t *b = p;
#if defined(__x86_64__)
    if (crc_hw) return crc_update_hw(crc, b, n);
#endif
    while (n--) crc = crc_table[(crc ^ *b++) & 0xFF] ^ (crc >> 8);
    return crc;
}

// MARK: writing chunks

static block *take_block(void) {
    block *b = spare_blocks;
    if (b) {
        spare_blocks = b->next;
    } else {
        void *m = mmap(NULL, BLOCK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m == MAP_FAILED) return NULL;
        b = m;
    }
    b->next = NULL;
    b->used = 0;
    return b;
}

// Appends a whole chunk to the capture; drops it past the bound or when memory runs out (the reader then has
// fewer records).
static void capture_chunk(const chunk_header *h, const void *payload, uint32_t length) {
    size_t size = sizeof *h + length;
    pthread_mutex_lock(&memory_mutex);
    if (__atomic_load_n(&capturing, __ATOMIC_ACQUIRE) && captured_bytes + size <= MEMORY_LIMIT) {
        block *b = last_block;
        if (!b || b->used + size > BLOCK_BYTES - sizeof(block)) {
            block *n = take_block();
            if (n) {
                if (b) b->next = n;
                else first_block = n;
                last_block = n;
            }
            b = n;
        }
        if (b) {
            memcpy(b->data + b->used, h, sizeof *h);
            if (length) memcpy(b->data + b->used + sizeof *h, payload, length);
            b->used += size;
            captured_bytes += size;
            if (capture_notify) capture_notify(capture_notify_context);
        }
    }
    pthread_mutex_unlock(&memory_mutex);
}

static void write_chunk(uint16_t type, uint32_t tid, const void *payload, uint32_t length) {
    if (fd < 0 && !__atomic_load_n(&capturing, __ATOMIC_ACQUIRE)) return;
    chunk_header h = {CHUNK_MAGIC, type, FORMAT_VERSION, (uint32_t)getpid(), tid, length, 0, now(), mono_ns()};
    uint32_t crc = crc_update(0xFFFFFFFFu, &h, sizeof h);
    crc = ~crc_update(crc, payload, length);
    h.crc = crc;
    if (fd < 0) return capture_chunk(&h, payload, length);
    struct iovec v[2] = {{&h, sizeof h}, {(void *)payload, length}};
    // O_APPEND: one writev of a regular file lands whole, after every other chunk of every process.
    ssize_t want = (ssize_t)(sizeof h + length), done = writev(fd, v, length ? 2 : 1);
    (void)want;
    (void)done;
}

void lanes_tw_notice(const char *why) {
    if (__atomic_exchange_n(&told, 1, __ATOMIC_ACQ_REL)) return;
    __atomic_store_n(&enabled, 0, __ATOMIC_RELEASE);
    char line[512];
    int n = snprintf(line, sizeof line, "lanes: task recording is off in pid %d: %s\n", (int)getpid(), why);
    if (n > 0) {
        if (n >= (int)sizeof line) n = sizeof line - 1;
        ssize_t w = write(2, line, (size_t)n);
        (void)w;
        write_chunk(CHUNK_NOTICE, 0, line, (uint32_t)n);
    }
}

static void spin_lock(int *l) {
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) sched_yield();
}
static void spin_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

// Writes the records not yet written; `reset` (the owner, buffer full or thread exit) empties it.
static void flush_buffer(buffer *b, int reset) {
    spin_lock(&b->lock);
    uint32_t count = __atomic_load_n(&b->count, __ATOMIC_ACQUIRE);
    uint32_t from = b->flushed;
    if (count > from) write_chunk(CHUNK_RECORDS, b->tid, &b->recs[from], (count - from) * (uint32_t)sizeof(rec));
    if (reset) {
        b->flushed = 0;
        __atomic_store_n(&b->count, 0, __ATOMIC_RELEASE);
    } else {
        b->flushed = count;
    }
    spin_unlock(&b->lock);
}

static void thread_exit(void *p) {
    buffer *b = p;
    flush_buffer(b, 1);
    tls_buffer = NULL;
    pthread_mutex_lock(&buffers_mutex);
    b->next_free = free_buffers;
    free_buffers = b;
    pthread_mutex_unlock(&buffers_mutex);
}

static buffer *thread_buffer(void) {
    buffer *b = tls_buffer;
    if (__builtin_expect(b != NULL, 1)) return b;
    pthread_mutex_lock(&buffers_mutex);
    b = free_buffers;
    if (b) {
        free_buffers = b->next_free;
    } else {
        void *m = mmap(NULL, sizeof(buffer), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m == MAP_FAILED) {
            pthread_mutex_unlock(&buffers_mutex);
            return NULL;
        }
        b = m;
        b->next_all = all_buffers;
        __atomic_store_n(&all_buffers, b, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&buffers_mutex);
    uint32_t tid = (uint32_t)syscall(SYS_gettid);
    // Under the buffer's lock: a flush from another thread (lanes_tw_flush) may be reading a reused buffer.
    spin_lock(&b->lock);
    b->tid = tid;
    b->flushed = 0;
    __atomic_store_n(&b->count, 0, __ATOMIC_RELEASE);
    spin_unlock(&b->lock);
    tls_buffer = b;
    pthread_setspecific(exit_key, b);
    return b;
}

static inline void append(uint8_t type, uint8_t kind, uint8_t priority, uint8_t flags, uint64_t task, uint64_t t0,
                          uint64_t t1, uint64_t other) {
    buffer *b = thread_buffer();
    if (__builtin_expect(b == NULL, 0)) return;
    uint32_t i = b->count;  // only this thread writes count
    if (__builtin_expect(i == CAP, 0)) {
        flush_buffer(b, 1);
        i = 0;
    }
    rec *r = &b->recs[i];
    r->type = type;
    r->kind = kind;
    r->priority = priority;
    r->flags = flags;
    r->reserved = 0;
    r->task = task;
    r->t0 = t0;
    r->t1 = t1;
    r->other = other;
    __atomic_store_n(&b->count, i + 1, __ATOMIC_RELEASE);
}

void lanes_tw_flush(void) {
    for (buffer *b = __atomic_load_n(&all_buffers, __ATOMIC_ACQUIRE); b; b = b->next_all) flush_buffer(b, 0);
}

int lanes_tw_enabled(void) { return __atomic_load_n(&enabled, __ATOMIC_ACQUIRE); }

void lanes_tw_enable(void) { __atomic_store_n(&enabled, 1, __ATOMIC_RELEASE); }

// MARK: recording jobs

void lanes_tw_enqueue(void *job, uint8_t flags, uint64_t deadline) {
    uint32_t word = lanes_tw_job_flags(job);
    if ((uint8_t)word != 0) return;
    append(REC_ENQUEUE, 0, (uint8_t)(word >> 8), flags, job_task_id(job), now(), deadline, current_task_id());
}

// Runs the job through `run(job)` or `run_with(job, context)` and records its slice on this thread.
static inline void run_recorded(void *job, uint8_t flags, void (*run)(void *), void (*run_with)(void *, void *),
                                void *context) {
#define RUN_JOB() (run ? run(job) : run_with(job, context))
    if (!__atomic_load_n(&enabled, __ATOMIC_RELAXED)) return RUN_JOB();
    // Read before running: the job may be freed when it returns.
    uint32_t word = lanes_tw_job_flags(job);
    uint8_t kind = (uint8_t)word;
    uint64_t task = kind == 0 ? job_task_id(job) : 0;
    buffer *b = thread_buffer();
    if (__builtin_expect(b == NULL, 0)) return RUN_JOB();
    // The job in flight, for the exit flush: a job still running when the process exits (or whose record
    // would come after the exit it let happen) is written cut at the exit.
    int outer = b->running;
    rec saved;
    if (__builtin_expect(outer, 0)) saved = b->current;  // a job run inside a job: rare
    uint64_t t0 = now();
    b->current = (rec){REC_SLICE, kind, (uint8_t)(word >> 8), (uint8_t)(flags | FLAG_CUT), 0, task, t0, 0,
                       (uint64_t)(uintptr_t)job};
    __atomic_store_n(&b->running, 1, __ATOMIC_RELEASE);
    RUN_JOB();
    uint64_t t1 = now();
    append(REC_SLICE, kind, (uint8_t)(word >> 8), flags, task, t0, t1, (uint64_t)(uintptr_t)job);
    if (outer) b->current = saved;
    __atomic_store_n(&b->running, outer, __ATOMIC_RELEASE);
#undef RUN_JOB
}

void lanes_tw_run(void *job, uint8_t flags, void (*run)(void *)) { run_recorded(job, flags, run, NULL, NULL); }

void lanes_tw_run_with(void *job, uint8_t flags, void (*run)(void *, void *), void *context) {
    run_recorded(job, flags, NULL, run, context);
}

// MARK: set-up

// Writes the jobs running now as slices cut at this moment, then every buffer: a job that ends in between has
// its whole record in the flush (its thread stores the record before it clears `running`), so none falls
// between the two.
static void write_running_and_flush(void) {
    uint64_t t = now();
    for (buffer *b = __atomic_load_n(&all_buffers, __ATOMIC_ACQUIRE); b; b = b->next_all) {
        if (!__atomic_load_n(&b->running, __ATOMIC_ACQUIRE)) continue;
        rec cut = b->current;  // a racy copy at worst: the reader drops a cut slice that has a whole twin
        cut.t1 = t;
        write_chunk(CHUNK_RECORDS, b->tid, &cut, sizeof cut);
    }
    lanes_tw_flush();
}

static void at_exit(void) {
    if (fd < 0) return;
    write_running_and_flush();
    write_chunk(CHUNK_END, 0, NULL, 0);
}

// A child forked without exec starts with copies of the parent's buffers: those records are the parent's,
// so the child drops them (their owner writes them) and records its own from here, under its own pid.
static void after_fork_in_child(void) {
    for (buffer *b = all_buffers; b; b = b->next_all) {
        b->count = 0;
        b->flushed = 0;
        b->running = 0;
        b->lock = 0;
    }
    pthread_mutex_init(&buffers_mutex, NULL);
    pthread_mutex_init(&memory_mutex, NULL);
    if (fd < 0) {
        // A capture in memory is the parent's recorder's: nobody would read the child's.
        __atomic_store_n(&capturing, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&enabled, 0, __ATOMIC_RELEASE);
        first_block = last_block = spare_blocks = NULL;  // the parent's copies: left alone
        captured_bytes = 0;
        capture_notify = NULL;  // the parent's recorder's
        return;
    }
    uint32_t info[2] = {(uint32_t)use_tsc, (uint32_t)sizeof(rec)};
    write_chunk(CHUNK_START, 0, info, sizeof info);
}

// The clock, the checksum and the thread-exit key, once per process (a file and captures share them).
static void initialise(void) {
    if (initialised) return;
    initialised = 1;
    crc_init();
#if defined(__x86_64__)
    use_tsc = invariant_tsc() && !getenv("LANES_TASKS_NO_TSC");
#endif
    pthread_key_create(&exit_key, thread_exit);
    pthread_atfork(NULL, NULL, after_fork_in_child);
}

int lanes_tw_open(const char *path, lanes_tw_job_task_fn job_task, lanes_tw_current_task_fn current_task) {
    if (fd >= 0) return 0;
    job_task_id = job_task;
    current_task_id = current_task;
    initialise();
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        char line[600];
        int n = snprintf(line, sizeof line, "lanes: task recording is off in pid %d: cannot open %s\n", (int)getpid(),
                         path);
        if (n > 0) {
            ssize_t w = write(2, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
            (void)w;
        }
        return -1;
    }
    // A capture under way ends here: from now on everything goes to the file.
    __atomic_store_n(&capturing, 0, __ATOMIC_RELEASE);
    uint32_t info[2] = {(uint32_t)use_tsc, (uint32_t)sizeof(rec)};
    write_chunk(CHUNK_START, 0, info, sizeof info);
    atexit(at_exit);
    return 0;
}

// The capture's blocks go back to the spares (under memory_mutex).
static void release_blocks(void) {
    while (first_block) {
        block *b = first_block;
        first_block = b->next;
        b->next = spare_blocks;
        spare_blocks = b;
    }
    last_block = NULL;
    captured_bytes = 0;
}

int lanes_tw_capture_begin(lanes_tw_job_task_fn job_task, lanes_tw_current_task_fn current_task) {
    if (fd >= 0) return 0;
    pthread_mutex_lock(&buffers_mutex);
    if (!initialised) {
        job_task_id = job_task;
        current_task_id = current_task;
    }
    initialise();
    pthread_mutex_unlock(&buffers_mutex);
    // Records of jobs that ended after the last capture: not this one's (nothing is written while not capturing).
    lanes_tw_flush();
    pthread_mutex_lock(&memory_mutex);
    release_blocks();
    __atomic_store_n(&capturing, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&memory_mutex);
    uint32_t info[2] = {(uint32_t)use_tsc, (uint32_t)sizeof(rec)};
    write_chunk(CHUNK_START, 0, info, sizeof info);
    lanes_tw_enable();
    return 1;
}

size_t lanes_tw_capture_end(void) {
    if (!__atomic_load_n(&capturing, __ATOMIC_ACQUIRE)) return 0;
    __atomic_store_n(&enabled, 0, __ATOMIC_RELEASE);
    // A job still running (one that let the recorder's caller go on, and is finishing) is cut at the end.
    write_running_and_flush();
    write_chunk(CHUNK_END, 0, NULL, 0);
    pthread_mutex_lock(&memory_mutex);
    __atomic_store_n(&capturing, 0, __ATOMIC_RELEASE);
    size_t length = captured_bytes;
    pthread_mutex_unlock(&memory_mutex);
    return length;
}

void lanes_tw_capture_copy(void *destination) {
    pthread_mutex_lock(&memory_mutex);
    char *d = destination;
    for (block *b = first_block; b; b = b->next) {
        memcpy(d, b->data, b->used);
        d += b->used;
    }
    release_blocks();
    pthread_mutex_unlock(&memory_mutex);
}

size_t lanes_tw_capture_size(void) {
    pthread_mutex_lock(&memory_mutex);
    size_t n = captured_bytes;
    pthread_mutex_unlock(&memory_mutex);
    return n;
}

const void *lanes_tw_capture_at(size_t at, size_t *length) {
    const void *p = NULL;
    *length = 0;
    pthread_mutex_lock(&memory_mutex);
    size_t start = 0;  // the capture offset of block b's first byte
    for (block *b = first_block; b; start += b->used, b = b->next) {
        if (at < start + b->used) {
            p = b->data + (at - start);
            *length = start + b->used - at;
            break;
        }
    }
    pthread_mutex_unlock(&memory_mutex);
    return p;
}

void lanes_tw_capture_notify(void (*notify)(void *), void *context) {
    pthread_mutex_lock(&memory_mutex);
    capture_notify = notify;
    capture_notify_context = context;
    pthread_mutex_unlock(&memory_mutex);
}

#pragma GCC visibility pop
