// The task-recording preload library. See TASKS_FORMAT.md beside this file for what it writes.
//
// The Swift concurrency runtime on Linux hands every job to libdispatch with
// dispatch_async_f(queue, job, runner) or dispatch_after_f(when, queue, job, runner), where
// `runner` is a static function of libswift_Concurrency.so. This library defines both functions;
// a call whose work function lies in libswift_Concurrency's executable segment is a job: the
// enqueue is recorded and the job is passed on with a recording trampoline in place of the
// runner. The real functions come from dlsym(RTLD_NEXT). No lock and no allocation per job:
// records go into a per-thread buffer that is written to the file (one write, O_APPEND) when full,
// when its thread exits, and at process exit.
#define _GNU_SOURCE
#include "lanes_task_recorder.h"
#include "lanes_task_writer.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

typedef void (*work_fn)(void *);
typedef void *queue_t;

// MARK: state

static uintptr_t text_lo, text_hi;  // libswift_Concurrency's executable segment
static void *main_queue;
static work_fn real_async;
typedef void (*after_fn)(uint64_t, queue_t, void *, work_fn);
static after_fn real_after;
typedef void (*async_fn)(queue_t, void *, work_fn);
typedef uint64_t (*job_task_id_fn)(void *) __attribute__((swiftcall));
typedef void *(*current_task_fn)(void) __attribute__((swiftcall));
static job_task_id_fn job_task_id;
static current_task_fn current_task;

static uint64_t task_of_job(void *job) { return job_task_id(job); }
static uint64_t current_task_id(void) {
    void *cur = current_task();
    return cur ? job_task_id(cur) : 0;
}

int lanes_task_recorder_active(void) { return lanes_tw_enabled(); }

void lanes_task_recorder_flush(void) { lanes_tw_flush(); }

// MARK: the job runners

#define RUNNERS 4
static work_fn runners[RUNNERS];  // the runtime's job runners, learned on first sight

static inline void run_recorded(void *job, int index, uint8_t flags) {
    lanes_tw_run(job, flags, __atomic_load_n(&runners[index], __ATOMIC_RELAXED));
}

#define TRAMPOLINES(i)                                                                        \
    static void run_any_##i(void *job) { run_recorded(job, i, 0); }                          \
    static void run_main_##i(void *job) { run_recorded(job, i, LANES_TW_MAIN_QUEUE); }           \
    static void run_any_after_##i(void *job) { run_recorded(job, i, LANES_TW_AFTER); }           \
    static void run_main_after_##i(void *job) { run_recorded(job, i, LANES_TW_MAIN_QUEUE | LANES_TW_AFTER); }
TRAMPOLINES(0)
TRAMPOLINES(1)
TRAMPOLINES(2)
TRAMPOLINES(3)
static const work_fn trampolines[RUNNERS][4] = {
    {run_any_0, run_main_0, run_any_after_0, run_main_after_0},
    {run_any_1, run_main_1, run_any_after_1, run_main_after_1},
    {run_any_2, run_main_2, run_any_after_2, run_main_after_2},
    {run_any_3, run_main_3, run_any_after_3, run_main_after_3},
};

// The index of `work` among the runtime's runners (learning it if new), or -1.
static inline int runner_index(work_fn work) {
    for (int i = 0; i < RUNNERS; i++) {
        work_fn r = __atomic_load_n(&runners[i], __ATOMIC_ACQUIRE);
        if (r == work) return i;
        if (r == NULL) {
            work_fn expected = NULL;
            if (__atomic_compare_exchange_n(&runners[i], &expected, work, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return i;
            if (expected == work) return i;
        }
    }
    return -1;
}

// Records the enqueue of a runtime job and returns the trampoline to run it with, or NULL.
static inline work_fn intercept(void *job, work_fn work, queue_t queue, uint64_t deadline, int after) {
    if (!lanes_tw_enabled()) return NULL;
    uintptr_t w = (uintptr_t)work;
    if (w < text_lo || w >= text_hi || job == NULL) return NULL;
    uint8_t kind = (uint8_t)lanes_tw_job_flags(job);
    if (__builtin_expect(!lanes_tw_kind_known(kind), 0)) {
        char why[128];
        snprintf(why, sizeof why, "a job of unknown kind %u (this runtime's job layout is not the one expected)",
                 (unsigned)kind);
        lanes_tw_notice(why);
        return NULL;
    }
    int i = runner_index(work);
    if (i < 0) {
        lanes_tw_notice("more job runners than expected in libswift_Concurrency");
        return NULL;
    }
    int main = queue == main_queue;
    // The enqueue of a task's job: its creation, or its wake-up and by whom. Other jobs (an actor's drain,
    // a continuation's resume) are seen when they run.
    lanes_tw_enqueue(job, (uint8_t)((main ? LANES_TW_MAIN_QUEUE : 0) | (after ? LANES_TW_AFTER : 0)), deadline);
    return trampolines[i][(main ? 1 : 0) | (after ? 2 : 0)];
}

// MARK: the interposed functions

static void resolve_real(void);

void dispatch_async_f(queue_t queue, void *context, work_fn work) {
    if (__builtin_expect(real_async == NULL, 0)) resolve_real();
    work_fn t = intercept(context, work, queue, 0, 0);
    ((async_fn)real_async)(queue, context, t ? t : work);
}

void dispatch_after_f(uint64_t when, queue_t queue, void *context, work_fn work) {
    if (__builtin_expect(real_after == NULL, 0)) resolve_real();
    work_fn t = intercept(context, work, queue, when, 1);
    real_after(when, queue, context, t ? t : work);
}

// MARK: set-up

static int find_concurrency(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    const char *name = info->dlpi_name;
    if (!name || !strstr(name, "libswift_Concurrency.so")) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD && (p->p_flags & PF_X)) {
            text_lo = info->dlpi_addr + p->p_vaddr;
            text_hi = text_lo + p->p_memsz;
            return 1;
        }
    }
    return 0;
}

static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static void resolve_real_once(void) {
    // Absent in a program without libdispatch (a shell the command runs): then nothing calls these.
    real_async = (work_fn)dlsym(RTLD_NEXT, "dispatch_async_f");
    real_after = (after_fn)dlsym(RTLD_NEXT, "dispatch_after_f");
}

// Called when a dispatch function is called: a caller of dispatch_async_f without libdispatch loaded
// cannot be served (it would have failed to link without the library too).
static void resolve_real(void) {
    pthread_once(&real_once, resolve_real_once);
    if (!real_async || !real_after) {
        const char msg[] = "lanes: libLanesTaskRecorder: libdispatch's dispatch_async_f not found\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        abort();
    }
}

__attribute__((constructor)) static void start(void) {
    pthread_once(&real_once, resolve_real_once);
    const char *path = getenv("LANES_TASKS_FILE");
    if (!path || !*path) return;
    if (lanes_tw_open(path, task_of_job, current_task_id) != 0) return;
    dl_iterate_phdr(find_concurrency, NULL);
    if (text_lo == 0 || !real_async || !real_after) {
        // Not a Swift program (a shell, a tool it runs), or a static Swift runtime: nothing to record.
        if (getenv("LANES_TASKS_REQUIRE")) lanes_tw_notice("libswift_Concurrency.so is not loaded (a static Swift runtime?)");
        return;
    }
    job_task_id = (job_task_id_fn)dlsym(RTLD_DEFAULT, "swift_task_getJobTaskId");
    current_task = (current_task_fn)dlsym(RTLD_DEFAULT, "swift_task_getCurrent");
    main_queue = dlsym(RTLD_DEFAULT, "_dispatch_main_q");
    if (!job_task_id || !current_task || !main_queue) {
        lanes_tw_notice("swift_task_getJobTaskId, swift_task_getCurrent or _dispatch_main_q not found in this runtime");
        return;
    }
    lanes_tw_enable();
}
