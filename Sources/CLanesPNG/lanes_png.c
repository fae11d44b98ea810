#include "lanes_png.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct encode_context {
    lanes_png_buffer *out;
    char *errbuf;
    size_t errlen;
} encode_context;

static void set_message(encode_context *ctx, const char *message) {
    if (ctx->errbuf == NULL || ctx->errlen == 0) return;
    if (message == NULL) message = "unknown libpng error";
    size_t n = strlen(message);
    if (n >= ctx->errlen) n = ctx->errlen - 1;
    memcpy(ctx->errbuf, message, n);
    ctx->errbuf[n] = '\0';
}

static void on_error(png_structp png, png_const_charp message) {
    encode_context *ctx = (encode_context *)png_get_error_ptr(png);
    set_message(ctx, message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void on_write(png_structp png, png_bytep data, size_t length) {
    encode_context *ctx = (encode_context *)png_get_io_ptr(png);
    lanes_png_buffer *out = ctx->out;
    if (length > SIZE_MAX - out->size) png_error(png, "PNG output too large");
    size_t needed = out->size + length;
    if (needed > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 64 * 1024;
        while (capacity < needed) {
            if (capacity > SIZE_MAX / 2) { capacity = needed; break; }
            capacity *= 2;
        }
        unsigned char *grown = (unsigned char *)realloc(out->data, capacity);
        if (grown == NULL) png_error(png, "out of memory while encoding PNG");
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, data, length);
    out->size = needed;
}

static void on_flush(png_structp png) {
    (void)png;
}

static int filter_mask(int filter) {
    switch (filter) {
    case LANES_PNG_FILTER_NONE: return PNG_FILTER_NONE;
    case LANES_PNG_FILTER_SUB: return PNG_FILTER_SUB;
    case LANES_PNG_FILTER_UP: return PNG_FILTER_UP;
    case LANES_PNG_FILTER_AVERAGE: return PNG_FILTER_AVG;
    case LANES_PNG_FILTER_PAETH: return PNG_FILTER_PAETH;
    default: return PNG_ALL_FILTERS;
    }
}

int lanes_png_encode(const unsigned char *rgba, uint32_t width, uint32_t height,
                     size_t stride, int drop_alpha, int level, int filter,
                     lanes_png_buffer *out, char *errbuf, size_t errlen) {
    if (errbuf != NULL && errlen > 0) errbuf[0] = '\0';
    if (out == NULL) return 2;
    out->data = NULL;
    out->size = 0;
    out->capacity = 0;

    encode_context ctx = { out, errbuf, errlen };
    if (rgba == NULL || width == 0 || height == 0 || stride < (size_t)width * 4) {
        set_message(&ctx, "invalid image dimensions or stride");
        return 2;
    }

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (png == NULL) {
        set_message(&ctx, "png_create_write_struct failed");
        return 3;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        set_message(&ctx, "png_create_info_struct failed");
        return 3;
    }

    if (setjmp(png_jmpbuf(png))) {
        /* Only memory reachable through pointers is used here, never locals
           modified after setjmp, so no volatile qualifiers are needed. */
        png_destroy_write_struct(&png, &info);
        lanes_png_buffer_free(out);
        if (errbuf != NULL && errlen > 0 && errbuf[0] == '\0') set_message(&ctx, NULL);
        return 1;
    }

    png_set_write_fn(png, &ctx, on_write, on_flush);
    png_set_compression_level(png, level < 0 ? 0 : (level > 9 ? 9 : level));
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filter_mask(filter));
    png_set_IHDR(png, info, width, height, 8,
                 drop_alpha ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);
    if (drop_alpha) png_set_filler(png, 0, PNG_FILLER_AFTER);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(rgba + (size_t)y * stride));
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

void lanes_png_buffer_free(lanes_png_buffer *buffer) {
    if (buffer == NULL) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}
