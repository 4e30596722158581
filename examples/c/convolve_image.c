/*
 * Convolves a grayscale PGM image (binary P5, 8-bit) with an integer kernel through the 2-D functions
 * of a header exported by `sfc export --format c --name sfc_conv`, tile by tile, and checks every
 * output against direct convolution (CNN convention: correlation, "valid" outputs only).
 * Exits 0 when all outputs are equal, 1 on any difference, 2 on bad input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sfc_conv.h"

#define M SFC_CONV_TILE
#define R SFC_CONV_KERNEL
#define N SFC_CONV_INPUT
#define K2 SFC_CONV_PRODUCTS_2D

typedef struct {
    int width, height;
    int32_t *pixels; /* row-major, 0..255 */
} Image;

/* Skips whitespace and '#' comments between the fields of a PGM header. */
static int read_field(FILE *file, int *value)
{
    int c = fgetc(file);
    while (c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (c == '#') {
            while (c != '\n' && c != EOF) {
                c = fgetc(file);
            }
        }
        c = fgetc(file);
    }
    ungetc(c, file);
    return fscanf(file, "%d", value) == 1;
}

static int read_pgm(const char *path, Image *image)
{
    FILE *file = fopen(path, "rb");
    int maxval, i;
    if (!file) {
        return 0;
    }
    if (fgetc(file) != 'P' || fgetc(file) != '5' || !read_field(file, &image->width) ||
        !read_field(file, &image->height) || !read_field(file, &maxval) || maxval > 255 || fgetc(file) == EOF) {
        fclose(file);
        return 0;
    }
    image->pixels = (int32_t *)malloc(sizeof(int32_t) * (size_t)image->width * (size_t)image->height);
    for (i = 0; image->pixels && i < image->width * image->height; ++i) {
        int c = fgetc(file);
        if (c == EOF) {
            break;
        }
        image->pixels[i] = c;
    }
    fclose(file);
    return image->pixels && i == image->width * image->height;
}

static int32_t pixel_or_zero(const Image *image, int row, int col)
{
    if (row >= image->height || col >= image->width) {
        return 0;
    }
    return image->pixels[row * image->width + col];
}

int main(int argc, char **argv)
{
    Image image;
    int32_t kernel[R * R], tile[N * N], v[K2];
    int64_t u[K2], prod[K2], y[M * M];
    int64_t *fast, *direct;
    int out_h, out_w, row, col, a, b, t, tiles = 0, differences = 0;
    if (argc != 2 || !read_pgm(argv[1], &image)) {
        fprintf(stderr, "usage: %s IMAGE.pgm (binary P5, 8-bit)\n", argv[0]);
        return 2;
    }
    out_h = image.height - R + 1;
    out_w = image.width - R + 1;
    /* A fixed integer kernel with both signs: g[a][b] = (7a + 3b) mod 5 - 2. */
    for (a = 0; a < R * R; ++a) {
        kernel[a] = (int32_t)((7 * (a / R) + 3 * (a % R)) % 5 - 2);
    }
    sfc_conv_filter_transform_2d(kernel, u);
    fast = (int64_t *)calloc((size_t)out_h * (size_t)out_w, sizeof(int64_t));
    direct = (int64_t *)calloc((size_t)out_h * (size_t)out_w, sizeof(int64_t));
    if (!fast || !direct) {
        return 2;
    }
    /* Fast: one M x M output tile from each N x N input tile (zero beyond the image edge). */
    for (row = 0; row < out_h; row += M) {
        for (col = 0; col < out_w; col += M) {
            for (a = 0; a < N; ++a) {
                for (b = 0; b < N; ++b) {
                    tile[a * N + b] = pixel_or_zero(&image, row + a, col + b);
                }
            }
            sfc_conv_input_transform_2d(tile, v);
            for (t = 0; t < K2; ++t) {
                prod[t] = u[t] * v[t];
            }
            sfc_conv_output_transform_2d(prod, y);
            for (a = 0; a < M && row + a < out_h; ++a) {
                for (b = 0; b < M && col + b < out_w; ++b) {
                    int64_t value = y[a * M + b];
                    differences += value % SFC_CONV_SCALE_2D != 0; /* must be an exact multiple */
                    fast[(row + a) * out_w + col + b] = value / SFC_CONV_SCALE_2D;
                }
            }
            ++tiles;
        }
    }
    /* Direct correlation, and the comparison. */
    for (row = 0; row < out_h; ++row) {
        for (col = 0; col < out_w; ++col) {
            int64_t sum = 0;
            for (a = 0; a < R; ++a) {
                for (b = 0; b < R; ++b) {
                    sum += (int64_t)image.pixels[(row + a) * image.width + col + b] * kernel[a * R + b];
                }
            }
            direct[row * out_w + col] = sum;
            differences += sum != fast[row * out_w + col];
        }
    }
    printf("image %dx%d, kernel %dx%d, %d tiles of %dx%d outputs -> %dx%d outputs\n", image.width, image.height, R, R,
           tiles, M, M, out_w, out_h);
    printf("multiplications: %d fast (%d per tile) vs %d direct (%.2fx fewer)\n", tiles * K2, K2,
           out_h * out_w * R * R, (double)(out_h * out_w * R * R) / (double)(tiles * K2));
    printf("%s: %d of %d outputs differ from direct convolution\n", differences ? "MISMATCH" : "exact", differences,
           out_h * out_w);
    free(fast);
    free(direct);
    free(image.pixels);
    return differences ? 1 : 0;
}
