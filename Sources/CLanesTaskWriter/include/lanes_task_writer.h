// The task recording writer shared by the preload library (libLanesTaskRecorder.so) and by
// `recordAllTasks()` in LanesRecord: per-thread buffers of 40-byte records, streamed to the file in
// checksummed chunks (Sources/CLanesTaskRecorder/TASKS_FORMAT.md). No lock and no allocation per job.
// Every symbol is hidden: a program that links LanesRecord and is also preloaded has two writers that
// never see each other's state.
#ifndef LANES_TASK_WRITER_H
#define LANES_TASK_WRITER_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

enum { LANES_TW_MAIN_QUEUE = 1, LANES_TW_AFTER = 2 };

/// The task id of a job (0 for one that is not a task) and the id of the task running now (0 if none).
typedef uint64_t (*lanes_tw_job_task_fn)(void *job);
typedef uint64_t (*lanes_tw_current_task_fn)(void);

/// Opens `path` for appending and writes the start chunk; 0 on success, -1 (and a line on standard
/// error) when it cannot be opened. Records are kept only after `lanes_tw_enable`.
int lanes_tw_open(const char *path, lanes_tw_job_task_fn job_task, lanes_tw_current_task_fn current_task);

/// Starts recording (after a successful open).
void lanes_tw_enable(void);

/// 1 while recording.
int lanes_tw_enabled(void);

/// Switches recording off and says why, once: a line on standard error and a notice chunk.
void lanes_tw_notice(const char *why);

/// Writes every thread's buffered records now.
void lanes_tw_flush(void);

/// Records that `job` (flags word `word`, its byte 0 the kind, byte 1 the priority) was handed over.
/// Only tasks' jobs (kind 0) are recorded: their creation or their wake-up and by whom.
void lanes_tw_enqueue(void *job, uint8_t flags, uint64_t deadline);

/// Runs `run(job)` and records it as a slice of the job's task on this thread.
void lanes_tw_run(void *job, uint8_t flags, void (*run)(void *));

/// As `lanes_tw_run`, running `run(job, context)`.
void lanes_tw_run_with(void *job, uint8_t flags, void (*run)(void *, void *), void *context);

/// Starts recording into memory rather than a file (the jobs of a task executor of LanesRecord while a
/// `Recorder` runs): 1 when started, 0 when the writer already writes a file (the records go there).
int lanes_tw_capture_begin(lanes_tw_job_task_fn job_task, lanes_tw_current_task_fn current_task);

/// Stops a capture: every thread's records written (jobs still running cut at this moment); returns the
/// bytes captured (chunks of the file format), 0 when no capture was under way.
size_t lanes_tw_capture_end(void);

/// Copies the captured bytes (as many as `lanes_tw_capture_end` said) to `destination` and frees them.
void lanes_tw_capture_copy(void *destination);

/// The bytes captured so far: whole chunks, in the order `lanes_tw_capture_copy` would give them.
size_t lanes_tw_capture_size(void);

/// Where captured byte `at` (below `lanes_tw_capture_size()`) is, and in `length` how many captured bytes follow
/// it there contiguously; NULL past the end. The bytes stay where they are, unchanged, until the capture ends (a
/// recorder writes them to its file from there while the capture goes on).
const void *lanes_tw_capture_at(size_t at, size_t *length);

/// Calls `notify(context)` each time a chunk is captured (a thread's buffer filled), with the capture's lock held:
/// it must be quick and must not record. NULL stops it; once that call returned, `notify` is not running.
void lanes_tw_capture_notify(void (*notify)(void *), void *context);

/// The job's flags word (Swift 6.x runtime: at offset 32; byte 0 kind, byte 1 priority).
static inline uint32_t lanes_tw_job_flags(void *job) { return *(const uint32_t *)((const char *)job + 32); }

/// The runtime's job kinds this writer understands: 0 a task, 192-200 actor and runtime jobs.
static inline int lanes_tw_kind_known(uint8_t kind) { return kind == 0 || (kind >= 192 && kind <= 200); }

#pragma GCC visibility pop

#endif
