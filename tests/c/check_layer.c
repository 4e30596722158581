/*
 * Runs an exported whole layer (prefix chk) on data from a file: usage check_layer IN OUT SETS.
 * IN holds SETS pairs (x, w) of chk_layer_data in the header's layouts (x [C_IN][H][W], w
 * [C_OUT][C_IN][KERNEL][KERNEL]); OUT receives SETS outputs y [C_OUT][HO][WO] of chk_layer_y.
 * The caller compares them with a direct convolution. Valid C99 and C++11.
 */
#include "exported.h" /* first: the header must be self-contained */

#include <stdio.h>
#include <stdlib.h>

#define X_SIZE ((size_t)CHK_LAYER_C_IN * CHK_LAYER_H * CHK_LAYER_W)
#define W_SIZE ((size_t)CHK_LAYER_C_OUT * CHK_LAYER_C_IN * CHK_KERNEL * CHK_KERNEL)
#define U_SIZE ((size_t)CHK_PRODUCTS_2D * CHK_LAYER_C_OUT * CHK_LAYER_C_IN)
#define Y_SIZE ((size_t)CHK_LAYER_C_OUT * CHK_LAYER_HO * CHK_LAYER_WO)

static chk_layer_scratch scratch;

int main(int argc, char **argv)
{
    FILE *in, *out;
    int set, sets, failed = 0;
    chk_layer_data *x = (chk_layer_data *)malloc(X_SIZE * sizeof *x);
    chk_layer_data *w = (chk_layer_data *)malloc(W_SIZE * sizeof *w);
    chk_layer_u *u = (chk_layer_u *)malloc(U_SIZE * sizeof *u);
    chk_layer_y *y = (chk_layer_y *)malloc(Y_SIZE * sizeof *y);
    if (argc != 4 || !x || !w || !u || !y) {
        fprintf(stderr, "usage: check_layer IN OUT SETS\n");
        return 2;
    }
    in = fopen(argv[1], "rb");
    out = fopen(argv[2], "wb");
    sets = atoi(argv[3]);
    if (!in || !out) {
        fprintf(stderr, "cannot open %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    for (set = 0; set < sets && !failed; ++set) {
        failed = fread(x, sizeof *x, X_SIZE, in) != X_SIZE || fread(w, sizeof *w, W_SIZE, in) != W_SIZE;
        if (!failed) {
            chk_filter_pretransform(w, u);
            chk_conv2d(x, u, y, &scratch);
            failed = fwrite(y, sizeof *y, Y_SIZE, out) != Y_SIZE;
        }
    }
    failed |= fclose(in) != 0;
    failed |= fclose(out) != 0;
    free(x);
    free(w);
    free(u);
    free(y);
    if (failed) {
        fprintf(stderr, "read or write failed\n");
        return 1;
    }
    printf("ok %d sets\n", sets);
    return 0;
}
