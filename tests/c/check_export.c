/*
 * Checks an exported header (prefix chk) exactly, in 1-D and 2-D: every transform function against
 * its exported integer matrix, and the whole algorithm against direct correlation.
 * Valid C99, C++11 and C++17. Usage: check_export SEED TRIALS. Tiles d and kernels g are random signed
 * integers of CHK_SAFE_BITS_*D bits, with extremes: all minimum, all maximum, random signs of the
 * extremes, small values. Prints "ok" and exits 0, or prints the first mismatch and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "exported.h"

#define M CHK_TILE
#define R CHK_KERNEL
#define N CHK_INPUT

static uint64_t state;

static uint64_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* One value of a signed `bits`-bit pattern: 0 uniform, 1 all minimum, 2 all maximum, 3 extreme with a
   random sign, 4 small. */
static int32_t sample(int bits, int pattern)
{
    const int64_t low = -((int64_t)1 << (bits - 1));
    const int64_t high = ((int64_t)1 << (bits - 1)) - 1;
    switch (pattern) {
    case 1:
        return (int32_t)low;
    case 2:
        return (int32_t)high;
    case 3:
        return (int32_t)((next_random() & 1) ? low : high);
    case 4:
        return (int32_t)((int64_t)(next_random() % 7) - 3);
    default:
        return (int32_t)(low + (int64_t)(next_random() % (uint64_t)(high - low + 1)));
    }
}

static void fill(int32_t *values, int count, int bits, int pattern)
{
    int i;
    for (i = 0; i < count; ++i) {
        values[i] = sample(bits, pattern);
    }
}

/* 1 (and a message) unless out == matrix @ in exactly: each transform function against its exported matrix. */
#define MATRIX_MISMATCH(what, trial, matrix, rows, cols, in, out)                                                  \
    matrix_mismatch(what, trial, rows, cols, in, out, (const void *)(matrix), sizeof((matrix)[0][0]))

static int matrix_mismatch(const char *what, int trial, int rows, int cols, const int64_t *in, const int64_t *out,
                           const void *matrix, size_t entry_size)
{
    int i, j;
    for (i = 0; i < rows; ++i) {
        int64_t expected = 0;
        for (j = 0; j < cols; ++j) {
            const int64_t entry = entry_size == sizeof(int32_t) ? ((const int32_t *)matrix)[i * cols + j]
                                                                : ((const int64_t *)matrix)[i * cols + j];
            expected += entry * in[j];
        }
        if (out[i] != expected) {
            printf("%s trial %d row %d: function gives %lld, matrix %lld\n", what, trial, i, (long long)out[i],
                   (long long)expected);
            return 1;
        }
    }
    return 0;
}

static void widen(const int32_t *from, int64_t *to, int count)
{
    int i;
    for (i = 0; i < count; ++i) {
        to[i] = from[i];
    }
}

static int check_1d(int trial)
{
    int32_t d[N], g[R], v[CHK_PRODUCTS_1D];
    int64_t u[CHK_PRODUCTS_1D], prod[CHK_PRODUCTS_1D], y[M];
    int i, k, t;
    fill(d, N, CHK_SAFE_BITS_1D, trial % 5);
    fill(g, R, CHK_SAFE_BITS_1D, (trial / 5) % 5);
    chk_input_transform_1d(d, v);
    chk_filter_transform_1d(g, u);
    for (t = 0; t < CHK_PRODUCTS_1D; ++t) {
        prod[t] = u[t] * v[t];
    }
    chk_output_transform_1d(prod, y);
    {
        int64_t d64[N], g64[R], v64[CHK_PRODUCTS_1D];
        widen(d, d64, N);
        widen(g, g64, R);
        widen(v, v64, CHK_PRODUCTS_1D);
        if (MATRIX_MISMATCH("1-D BT", trial, chk_BT, CHK_PRODUCTS_1D, N, d64, v64) ||
            MATRIX_MISMATCH("1-D G", trial, chk_G_num, CHK_PRODUCTS_1D, R, g64, u) ||
            MATRIX_MISMATCH("1-D AT", trial, chk_AT, M, CHK_PRODUCTS_1D, prod, y)) {
            return 1;
        }
    }
    for (i = 0; i < M; ++i) {
        int64_t direct = 0;
        for (k = 0; k < R; ++k) {
            direct += (int64_t)d[i + k] * g[k];
        }
        if (y[i] != CHK_SCALE_1D * direct) {
            printf("1-D trial %d output %d: %lld != %lld * %lld\n", trial, i, (long long)y[i], (long long)CHK_SCALE_1D,
                   (long long)direct);
            return 1;
        }
    }
    return 0;
}

static int check_2d(int trial)
{
    int32_t d[N * N], g[R * R], v[CHK_PRODUCTS_2D];
    int64_t u[CHK_PRODUCTS_2D], prod[CHK_PRODUCTS_2D], y[M * M];
    int i, j, a, b, t;
    fill(d, N * N, CHK_SAFE_BITS_2D, trial % 5);
    fill(g, R * R, CHK_SAFE_BITS_2D, (trial / 5) % 5);
    chk_input_transform_2d(d, v);
    chk_filter_transform_2d(g, u);
    for (t = 0; t < CHK_PRODUCTS_2D; ++t) {
        prod[t] = u[t] * v[t];
    }
    chk_output_transform_2d(prod, y);
    {
        int64_t d64[N * N], g64[R * R], v64[CHK_PRODUCTS_2D];
        widen(d, d64, N * N);
        widen(g, g64, R * R);
        widen(v, v64, CHK_PRODUCTS_2D);
        if (MATRIX_MISMATCH("2-D BT2", trial, chk_BT2, CHK_PRODUCTS_2D, N * N, d64, v64) ||
            MATRIX_MISMATCH("2-D G2", trial, chk_G2_num, CHK_PRODUCTS_2D, R * R, g64, u) ||
            MATRIX_MISMATCH("2-D AT2", trial, chk_AT2, M * M, CHK_PRODUCTS_2D, prod, y)) {
            return 1;
        }
    }
    for (i = 0; i < M; ++i) {
        for (j = 0; j < M; ++j) {
            int64_t direct = 0;
            for (a = 0; a < R; ++a) {
                for (b = 0; b < R; ++b) {
                    direct += (int64_t)d[(i + a) * N + (j + b)] * g[a * R + b];
                }
            }
            if (y[i * M + j] != CHK_SCALE_2D * direct) {
                printf("2-D trial %d output (%d,%d): %lld != %lld * %lld\n", trial, i, j, (long long)y[i * M + j],
                       (long long)CHK_SCALE_2D, (long long)direct);
                return 1;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int trial, trials;
    if (argc != 3) {
        fprintf(stderr, "usage: %s SEED TRIALS\n", argv[0]);
        return 2;
    }
    state = strtoull(argv[1], NULL, 10) | 1u;
    trials = atoi(argv[2]);
    for (trial = 0; trial < trials; ++trial) {
        if (check_1d(trial) || check_2d(trial)) {
            return 1;
        }
    }
    printf("ok %d trials, 1-D and 2-D, safe bits %d and %d\n", trials, CHK_SAFE_BITS_1D, CHK_SAFE_BITS_2D);
    return 0;
}
