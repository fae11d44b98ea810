#include "floor.h"

__thread floor_record floor_buffer[FLOOR_RECORDS] __attribute__((tls_model("initial-exec")));
__thread uint32_t floor_index __attribute__((tls_model("initial-exec")));

uint64_t floor_loop(uint64_t n) {
    for (uint64_t i = 0; i < n; i++) floor_span(i);
    return floor_buffer[(floor_index - 1) & (FLOOR_RECORDS - 1)].w1;
}
