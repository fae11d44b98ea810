// The task-recording preload library (libLanesTaskRecorder.so). Loaded by LD_PRELOAD into a
// program linked against the Swift runtime, it records every job the concurrency runtime hands
// to libdispatch into the file named by LANES_TASKS_FILE. See TASKS_FORMAT.md for the file.
#ifndef LANES_TASK_RECORDER_H
#define LANES_TASK_RECORDER_H

#include <stdint.h>

/// 1 while the library records, 0 when it is off (no file asked for, or it switched itself off).
int lanes_task_recorder_active(void);

/// Writes every thread's buffered records to the file now (also done at exit).
void lanes_task_recorder_flush(void);

#endif
