#define _GNU_SOURCE
#include "lanes_support.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

__thread lanes_thread_state lanes_tls __attribute__((tls_model("initial-exec")));
// Read on every span by every thread: kept on cache lines of their own, so no write to a
// neighbouring variable makes recording threads miss.
__attribute__((aligned(64))) int lanes_active = 0;
__attribute__((aligned(64))) int lanes_use_tsc = 0;
uint32_t lanes_generation = 0;

uint64_t lanes_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t lanes_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t lanes_gettid(void) { return (int64_t)syscall(SYS_gettid); }

int lanes_cpu_has_invariant_tsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) return 0;
    __get_cpuid(0x80000007u, &a, &b, &c, &d);
    return (d >> 8) & 1;
#else
    return 0;
#endif
}

uint64_t lanes_read_tsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static void (*exit_destructor)(void *);  // set once; read by exiting threads, so accessed atomically
static void run_exit_destructor(void *value) {
    void (*destructor)(void *) = __atomic_load_n(&exit_destructor, __ATOMIC_ACQUIRE);
    if (destructor) destructor(value);
}
static void make_exit_key(void) { pthread_key_create(&exit_key, run_exit_destructor); }

int lanes_on_thread_exit(void (*destructor)(void *), void *value) {
    pthread_once(&exit_once, make_exit_key);
    __atomic_store_n(&exit_destructor, destructor, __ATOMIC_RELEASE);
    return pthread_setspecific(exit_key, value);
}

void lanes_set_use_tsc(int use) { __atomic_store_n(&lanes_use_tsc, use, __ATOMIC_RELEASE); }

int lanes_set_thread_name(const char *name) {
    char cut[16];
    size_t i = 0;
    for (; i < 15 && name[i]; i++) cut[i] = name[i];
    cut[i] = 0;
    return pthread_setname_np(pthread_self(), cut);
}

int lanes_get_thread_name(char *buffer, size_t size) { return pthread_getname_np(pthread_self(), buffer, size); }

// Exported by libswift_Concurrency. Both take their arguments as C functions do on x86_64 and arm64.
extern void *swift_task_getCurrent(void);
extern uint64_t swift_task_getJobTaskId(void *job);

void *lanes_current_task(void) { return swift_task_getCurrent(); }

uint64_t lanes_job_task_id(void *job) { return job ? swift_task_getJobTaskId(job) : 0; }

uint64_t lanes_current_task_id(void) {
    void *task = swift_task_getCurrent();
    return task ? swift_task_getJobTaskId(task) : 0;
}

static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static int crc32c_hw;
static void crc32c_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        crc32c_table[i] = c;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc32c_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_update(uint32_t crc, const uint8_t *b, size_t n) {
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

uint32_t lanes_crc32c(uint32_t crc, const void *bytes, size_t n) {
    pthread_once(&crc32c_once, crc32c_init);
    const uint8_t *b = bytes;
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (crc32c_hw) return ~crc32c_hw_update(c, b, n);
#endif
    while (n--) c = crc32c_table[(c ^ *b++) & 0xFF] ^ (c >> 8);
    return ~c;
}
