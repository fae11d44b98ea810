// The C half of `recordAllTasks()` (LanesRecord): the executors it installs hand each job to
// libdispatch here, with a runner that records the job's slice, as the runtime's own executors
// would hand it over without one.
#ifndef LANES_TASK_EXECUTOR_H
#define LANES_TASK_EXECUTOR_H

#include <stddef.h>
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

/// Starts recording the jobs of LanesRecord's task executors into memory (a `Recorder` session began): 1 when
/// started, 0 when `recordAllTasks()` writes a file already (their records go there).
int lanes_te_capture_begin(void);

/// Ends the capture: the bytes captured (chunks of the task recording format), 0 when none was under way.
size_t lanes_te_capture_end(void);

/// Copies the captured bytes to `destination` (as many as `lanes_te_capture_end` returned) and frees them.
void lanes_te_capture_copy(void *destination);

/// Captures the records every thread has buffered so far (the buffers keep filling).
void lanes_te_capture_flush(void);

/// The bytes captured so far (whole chunks).
size_t lanes_te_capture_size(void);

/// Where captured byte `at` is and how many captured bytes follow it there (`length`); NULL past the end. They stay
/// there, unchanged, until the capture ends.
const void *lanes_te_capture_at(size_t at, size_t *length);

/// Calls `notify(context)`, quickly and with a lock held, each time a thread's records are captured; NULL stops it.
void lanes_te_capture_notify(void (*notify)(void *context), void *context);

/// Records that a task executor of LanesRecord was handed `job` (its task, and the task running now: the
/// parent of a new task, the waker of a resumed one), while recording.
void lanes_te_record_enqueue(void *job);

/// Runs `job` through `run(job, context)` and records its slice, while recording.
void lanes_te_run_job(void *job, void (*run)(void *job, void *context), void *context);

#endif
