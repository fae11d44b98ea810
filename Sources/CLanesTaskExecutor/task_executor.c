// See lanes_task_executor.h.
#define _GNU_SOURCE
#include "lanes_task_executor.h"
#include "lanes_task_writer.h"
#include <dlfcn.h>
#include <stddef.h>

// libdispatch's C interface, declared here rather than through its headers (the Swift toolchain's copy is not
// on a C target's include path). The Dispatch module LanesRecord imports links the library.
typedef void *lanes_dispatch_queue;
typedef void (*lanes_dispatch_work)(void *);
extern void dispatch_async_f(lanes_dispatch_queue queue, void *context, lanes_dispatch_work work);
extern void dispatch_after_f(uint64_t when, lanes_dispatch_queue queue, void *context, lanes_dispatch_work work);
extern lanes_dispatch_queue dispatch_get_global_queue(intptr_t identifier, uintptr_t flags);
extern uint64_t dispatch_time(uint64_t when, int64_t delta);
extern struct lanes_dispatch_main_q_s _dispatch_main_q;

// Exported by libswift_Concurrency (or linked into a static program). Both take their arguments as C
// functions do on x86_64 and arm64.
extern void *swift_task_getCurrent(void);
extern uint64_t swift_task_getJobTaskId(void *job);
// swift_job_run(Job *, SerialExecutorRef): the executor reference is two words, passed as two arguments;
// (0, 0) is the generic executor, as the runtime's own global-queue runner passes it. Running a job on a
// task executor instead would make every default actor's job a separate drain job rather than running it
// in the caller's slice, as the runtime does without Lanes.
extern void swift_job_run(void *job, uintptr_t identity, uintptr_t implementation) __attribute__((swiftcall));

static lanes_te_main_runner main_runner;

static uint64_t task_of_job(void *job) { return swift_task_getJobTaskId(job); }

static uint64_t current_task_id(void) {
    void *task = swift_task_getCurrent();
    return task ? swift_task_getJobTaskId(task) : 0;
}

static void run_any(void *job) { swift_job_run(job, 0, 0); }
static void run_main(void *job) { main_runner(job); }

static void run_any_recorded(void *job) { lanes_tw_run(job, 0, run_any); }
static void run_main_recorded(void *job) { lanes_tw_run(job, LANES_TW_MAIN_QUEUE, run_main); }
static void run_any_after_recorded(void *job) { lanes_tw_run(job, LANES_TW_AFTER, run_any); }
static void run_main_after_recorded(void *job) {
    lanes_tw_run(job, LANES_TW_MAIN_QUEUE | LANES_TW_AFTER, run_main);
}

int lanes_te_start(const char *path, lanes_te_main_runner run_main_job) {
    main_runner = run_main_job;
    if (lanes_tw_open(path, task_of_job, current_task_id) != 0) return -1;
    lanes_tw_enable();
    return 0;
}

void lanes_te_enqueue(void *job, int main, int64_t delay_ns) {
    uint32_t word = lanes_tw_job_flags(job);
    uint8_t priority = (uint8_t)(word >> 8);
    int after = delay_ns >= 0;
    // The runtime's job priorities are dispatch's QoS classes (0 unspecified: the default class, 0x15).
    lanes_dispatch_queue queue = main ? (lanes_dispatch_queue)&_dispatch_main_q
                                      : dispatch_get_global_queue(priority ? priority : 0x15, 0);
    if (!queue) queue = dispatch_get_global_queue(0x15, 0);  // a priority that is no QoS class
    uint64_t deadline = after ? dispatch_time(0, delay_ns) : 0;
    lanes_dispatch_work work;
    if (lanes_tw_enabled() && !lanes_tw_kind_known((uint8_t)word))
        lanes_tw_notice("a job of an unknown kind (this runtime's job layout is not the one expected)");
    if (lanes_tw_enabled()) {
        lanes_tw_enqueue(job, (uint8_t)((main ? LANES_TW_MAIN_QUEUE : 0) | (after ? LANES_TW_AFTER : 0)), deadline);
        work = main ? (after ? run_main_after_recorded : run_main_recorded)
                    : (after ? run_any_after_recorded : run_any_recorded);
    } else {
        work = main ? run_main : run_any;
    }
    if (after)
        dispatch_after_f(deadline, queue, job, work);
    else
        dispatch_async_f(queue, job, work);
}

int lanes_te_preload_active(void) {
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "lanes_task_recorder_active");
    return active && active();
}
