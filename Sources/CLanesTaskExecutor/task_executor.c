// See lanes_task_executor.h.
#define _GNU_SOURCE
#include "lanes_task_executor.h"
#include "lanes_task_writer.h"
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

// libdispatch's C interface, declared here rather than through its headers (the Swift toolchain's copy is not
// on a C target's include path). The Dispatch module LanesRecord imports links the library.
typedef void *lanes_dispatch_queue;
typedef void (*lanes_dispatch_work)(void *);
extern void dispatch_async_f(lanes_dispatch_queue queue, void *context, lanes_dispatch_work work);
extern void dispatch_after_f(uint64_t when, lanes_dispatch_queue queue, void *context, lanes_dispatch_work work);
extern uint64_t dispatch_time(uint64_t when, int64_t delta);
extern struct lanes_dispatch_main_q_s _dispatch_main_q;
extern struct lanes_dispatch_queue_attr_s _dispatch_queue_attr_concurrent;
extern void *dispatch_queue_attr_make_with_qos_class(void *attr, unsigned int qos_class, int relative_priority);
extern lanes_dispatch_queue dispatch_queue_create(const char *label, void *attr);
extern void dispatch_queue_set_width(lanes_dispatch_queue queue, long width);
extern void dispatch_release(void *object);

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

// The runtime's global executor on Linux does not use dispatch's global queues, whose thread pool grows when
// work blocks: it makes one concurrent queue per QoS class, as wide as the machine's logical CPUs
// (libdispatch's private DISPATCH_QUEUE_WIDTH_MAX_LOGICAL_CPUS, -3), so a task that blocks holds one of a
// fixed few threads. Recording must keep that width, or the blocked cooperative pool it should show would
// not block (measured: 8 tasks blocking 200 ms each took 810 ms on 2 cores without Lanes, 610 ms through
// the global queues).
static _Atomic(lanes_dispatch_queue) cooperative_queues[64];

static lanes_dispatch_queue cooperative_queue(uint8_t qos) {
    _Atomic(lanes_dispatch_queue) *slot = &cooperative_queues[qos & 63];
    lanes_dispatch_queue queue = atomic_load_explicit(slot, memory_order_acquire);
    if (queue) return queue;
    void *attr = dispatch_queue_attr_make_with_qos_class(&_dispatch_queue_attr_concurrent, qos, 0);
    if (!attr) attr = dispatch_queue_attr_make_with_qos_class(&_dispatch_queue_attr_concurrent, 0x15, 0);
    lanes_dispatch_queue created = dispatch_queue_create("org.lanes.cooperative", attr);
    dispatch_queue_set_width(created, -3);
    lanes_dispatch_queue expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, created, memory_order_acq_rel, memory_order_acquire))
        return created;
    dispatch_release(created);
    return expected;
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
    lanes_dispatch_queue queue =
        main ? (lanes_dispatch_queue)&_dispatch_main_q : cooperative_queue(priority ? priority : 0x15);
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

int lanes_te_capture_begin(void) { return lanes_tw_capture_begin(task_of_job, current_task_id); }

size_t lanes_te_capture_end(void) { return lanes_tw_capture_end(); }

void lanes_te_capture_copy(void *destination) { lanes_tw_capture_copy(destination); }

void lanes_te_capture_flush(void) { lanes_tw_flush(); }

size_t lanes_te_capture_size(void) { return lanes_tw_capture_size(); }

const void *lanes_te_capture_at(size_t at, size_t *length) { return lanes_tw_capture_at(at, length); }

void lanes_te_capture_notify(void (*notify)(void *), void *context) { lanes_tw_capture_notify(notify, context); }

void lanes_te_record_enqueue(void *job) {
    if (!lanes_tw_enabled()) return;
    uint8_t kind = (uint8_t)lanes_tw_job_flags(job);
    if (!lanes_tw_kind_known(kind)) {
        lanes_tw_notice("a job of an unknown kind (this runtime's job layout is not the one expected)");
        return;
    }
    lanes_tw_enqueue(job, 0, 0);
}

void lanes_te_run_job(void *job, void (*run)(void *job, void *context), void *context) {
    lanes_tw_run_with(job, 0, run, context);
}
