#ifndef LANES_PNG_H
#define LANES_PNG_H

#include <stddef.h>
#include <stdint.h>

/// Row filters for lanes_png_encode (mapped to libpng's PNG_FILTER_* masks).
enum {
    LANES_PNG_FILTER_NONE = 0,
    LANES_PNG_FILTER_SUB = 1,
    LANES_PNG_FILTER_UP = 2,
    LANES_PNG_FILTER_AVERAGE = 3,
    LANES_PNG_FILTER_PAETH = 4,
    LANES_PNG_FILTER_ADAPTIVE = 5
};

/// A growable byte buffer owned by C; release it with lanes_png_buffer_free.
typedef struct lanes_png_buffer {
    unsigned char *data;
    size_t size;
    size_t capacity;
} lanes_png_buffer;

/// Encodes 8-bit straight RGBA rows as a PNG into `out` with libpng's
/// low-level writer. The setjmp/longjmp error handling stays inside this
/// function: libpng errors never abort the process.
///
/// When `drop_alpha` is non-zero the image is written as RGB (the fourth byte
/// of every pixel is ignored). Returns 0 on success; otherwise a non-zero code
/// and a NUL-terminated message in `errbuf` (at most `errlen` bytes), and `out`
/// holds nothing that needs freeing.
int lanes_png_encode(const unsigned char *rgba, uint32_t width, uint32_t height,
                     size_t stride, int drop_alpha, int level, int filter,
                     lanes_png_buffer *out, char *errbuf, size_t errlen);

/// Frees the bytes of a buffer filled by lanes_png_encode and zeroes it.
void lanes_png_buffer_free(lanes_png_buffer *buffer);

#endif
