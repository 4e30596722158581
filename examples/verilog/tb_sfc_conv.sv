// Self-checking testbench for the modules of `sfc export --format verilog --name sfc_conv`.
//
// For random and extreme 8-bit tiles d and kernels g it runs the whole 2-D fast algorithm:
//   v = sfc_conv_input_transform_2d(d)                  (exported module, IN_W = 8)
//   u = sfc_conv_filter_transform_2d(g)                 (exported module, IN_W = 8): u = G2_NUM @ g
//   y = sfc_conv_output_transform_2d(u * v)             (exported module, IN_W = PROD_W)
// and checks y == SCALE_2D * (direct 2-D correlation of d with g), element by element. SCALE_2D =
// AT2_DEN * G2_DEN * BT2_DEN is G2_DEN with fractions in G (the default) and differs with
// --fractions-in A or B, which work too. Every module runs at the parameter PIPELINE (0, the default:
// combinational; k > 0: a register every k adder levels, results LATENCY clock cycles after their
// inputs; set it with iverilog -P tb_sfc_conv.PIPELINE=k, or make run PIPELINE=k). Runs 64 tiles, or N
// with the plusarg +tiles=N. Prints PASS or FAIL.
module tb_sfc_conv #(
    parameter integer PIPELINE = 0
);
  import sfc_conv_pkg::*;

  localparam integer IN_W = 8;
  localparam integer N2 = SFC_CONV_INPUT * SFC_CONV_INPUT;
  localparam integer R2 = SFC_CONV_KERNEL * SFC_CONV_KERNEL;
  localparam integer M2 = SFC_CONV_TILE * SFC_CONV_TILE;
  localparam integer K2 = SFC_CONV_PRODUCTS_2D;
  localparam integer V_W = IN_W + SFC_CONV_BT2_GROWTH;
  localparam integer U_W = IN_W + SFC_CONV_G2_GROWTH;
  localparam integer PROD_W = 48;  // |u * v| stays far below 2**47 for 8-bit d and g
  localparam integer Y_W = PROD_W + SFC_CONV_AT2_GROWTH;
  localparam integer DEFAULT_TILES = 64;

  reg clk = 1'b0;
  always #5 clk = ~clk;

  reg  [IN_W*N2-1:0] d;
  reg  [IN_W*R2-1:0] g;
  wire [V_W*K2-1:0] v;
  wire [U_W*K2-1:0] u;
  reg  [PROD_W*K2-1:0] prod;
  wire [Y_W*M2-1:0] y;

  sfc_conv_input_transform_2d #(.IN_W(IN_W), .PIPELINE(PIPELINE)) input_transform (.clk(clk), .d(d), .v(v));
  sfc_conv_filter_transform_2d #(.IN_W(IN_W), .PIPELINE(PIPELINE)) filter_transform (.clk(clk), .g(g), .u(u));
  sfc_conv_output_transform_2d #(.IN_W(PROD_W), .PIPELINE(PIPELINE)) output_transform (.clk(clk), .prod(prod), .y(y));

  integer failures = 0;

  // Pattern 0: random; 1: all minimum; 2: all maximum; 3: random extremes.
  function automatic longint sample(input integer pattern);
    longint lo, hi;
    lo = -(64'sd1 <<< (IN_W - 1));
    hi = (64'sd1 <<< (IN_W - 1)) - 1;
    case (pattern)
      1: sample = lo;
      2: sample = hi;
      3: sample = ($urandom % 2) ? hi : lo;
      default: sample = lo + ($urandom % (1 << IN_W));
    endcase
  endfunction

  // Holds the inputs for the given number of clock edges, then lets the outputs settle.
  task automatic wait_cycles(input integer cycles);
    repeat (cycles) @(posedge clk);
    #1;
  endtask

  task automatic run_trial(input integer trial);
    longint direct, got, product;
    integer i, j, a, b, t, k;
    for (j = 0; j < N2; j = j + 1) d[j*IN_W+:IN_W] = sample(trial % 4);
    for (k = 0; k < R2; k = k + 1) g[k*IN_W+:IN_W] = sample((trial / 4) % 4);
    wait_cycles(input_transform.LATENCY > filter_transform.LATENCY ? input_transform.LATENCY
                                                                    : filter_transform.LATENCY);
    for (t = 0; t < K2; t = t + 1) begin
      product = $signed(u[t*U_W+:U_W]) * $signed(v[t*V_W+:V_W]);
      if (product >= (64'sd1 <<< (PROD_W - 1)) || product < -(64'sd1 <<< (PROD_W - 1))) begin
        $display("UNSUPPORTED: product %0d needs more than PROD_W = %0d bits; this testbench is for algorithms",
                 product, PROD_W);
        $display("whose products fit (such as SFC-4, SFC-6, F(4x4,3x3)); F(6x6,5x5) does not");
        $finish;
      end
      prod[t*PROD_W+:PROD_W] = product;
    end
    wait_cycles(output_transform.LATENCY);
    for (i = 0; i < SFC_CONV_TILE; i = i + 1) begin
      for (j = 0; j < SFC_CONV_TILE; j = j + 1) begin
        direct = 0;
        for (a = 0; a < SFC_CONV_KERNEL; a = a + 1)
          for (b = 0; b < SFC_CONV_KERNEL; b = b + 1)
            direct = direct + $signed(d[((i+a)*SFC_CONV_INPUT+j+b)*IN_W+:IN_W])
                              * $signed(g[(a*SFC_CONV_KERNEL+b)*IN_W+:IN_W]);
        got = $signed(y[(i*SFC_CONV_TILE+j)*Y_W+:Y_W]);
        if (got != SFC_CONV_SCALE_2D * direct) begin
          if (failures < 5) $display("trial %0d output (%0d,%0d): %0d != %0d * %0d", trial, i, j, got,
                                     SFC_CONV_SCALE_2D, direct);
          failures = failures + 1;
        end
      end
    end
  endtask

  initial begin
    integer trial, tiles;
    if (!$value$plusargs("tiles=%d", tiles)) tiles = DEFAULT_TILES;
    for (trial = 0; trial < tiles; trial = trial + 1) run_trial(trial);
    if (failures == 0) $display("PASS: %0d tiles, %0d outputs each, exact, PIPELINE %0d", tiles, M2, PIPELINE);
    else $display("FAIL: %0d wrong outputs", failures);
    $finish;
  end
endmodule
