// The C half of `recordAllTasks()` (LanesRecord): the executors it installs hand each job to
// libdispatch here, with a runner that records the job's slice, as the runtime's own executors
// would hand it over without one.
#ifndef LANES_TASK_EXECUTOR_H
#define LANES_TASK_EXECUTOR_H

#include <stdint.h>

/// Runs a job of the main executor (jobs of the global queues run on the generic executor, as the
/// runtime runs them).
typedef void (*lanes_te_main_runner)(void *job);

/// Opens the task recording file and starts recording; `run_main_job` runs the main executor's jobs.
/// 0 on success, -1 when the file cannot be opened (said on standard error).
int lanes_te_start(const char *path, lanes_te_main_runner run_main_job);

/// Hands `job` to the main queue (`main` 1) or the global queue of the job's priority, to run now or,
/// when `delay_ns` >= 0, after that many nanoseconds.
void lanes_te_enqueue(void *job, int main, int64_t delay_ns);

/// 1 when the preload library (libLanesTaskRecorder.so) is loaded and recording this process already.
int lanes_te_preload_active(void);

#endif
