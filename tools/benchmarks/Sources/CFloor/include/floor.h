#ifndef LANES_FLOOR_H
#define LANES_FLOOR_H
#include <stdint.h>

typedef struct floor_record { uint64_t w0, w1, w2, w3; } floor_record;

#define FLOOR_RECORDS 4096
extern __thread floor_record floor_buffer[FLOOR_RECORDS] __attribute__((tls_model("initial-exec")));
extern __thread uint32_t floor_index __attribute__((tls_model("initial-exec")));

/// The least a span can cost: two reads of the timestamp counter and one 32-byte store into a
/// preallocated thread-local buffer (reused in a ring, so it never leaves the cache's reach).
static inline void floor_span(uint64_t name) {
    uint64_t start = __builtin_ia32_rdtsc();
    uint64_t end = __builtin_ia32_rdtsc();
    floor_record *r = &floor_buffer[floor_index++ & (FLOOR_RECORDS - 1)];
    r->w0 = start;
    r->w1 = end;
    r->w2 = name;
    r->w3 = 0;
}

/// Runs the floor `n` times in C; returns a value so the work is not optimised away.
uint64_t floor_loop(uint64_t n);

#endif
