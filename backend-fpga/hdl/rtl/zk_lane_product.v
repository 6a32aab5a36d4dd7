// Running products of LANES interleaved streams over one pipelined Montgomery
// multiplier over BN254 Fr: the core of a grand-product / batch-inversion
// kernel (Montgomery's trick needs the same running products).
//
// A running product is a chain (each product needs the one before), and the
// multiplier takes LATENCY cycles, so one chain would use it one cycle in
// LATENCY. Interleaving LANES >= LATENCY independent chains — the reader
// sends element j of block 0, of block 1, …, of block LANES-1, then element
// j+1 of each — keeps it busy every cycle: when a lane's next element
// arrives its previous product has left the multiplier (taken from the
// output that cycle, or from `acc`). The host then carries each block's
// total into the next (LANES products) to get the column's running product.
//
// LANES = 2^LOG_LANES must be at least the multiplier's latency (5 with
// 64-bit words, 9 with 32-bit ones). Input element i belongs to lane
// i mod LANES; `in_first` marks a lane's
// first element (its product starts from one). Output, in input order:
// out_i = x_i * (product of the earlier elements of its lane), in Montgomery
// form like the input. Gaps in the input are allowed.
`default_nettype none
module zk_lane_product #(
    // LANES = 2^LOG_LANES interleaved chains, at least the multiplier's latency.
    parameter integer LOG_LANES = 3,
    parameter integer WORD = 64,
    parameter [255:0] MODULUS = 256'h30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001,
    parameter [WORD-1:0] NPRIME = 64'hc2e1f593efffffff,
    // 1 in Montgomery form: 2^256 mod MODULUS.
    parameter [255:0] ONE = 256'h0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         in_valid,
    input  wire         in_first,
    input  wire [255:0] in_data,
    output wire         out_valid,
    output wire [255:0] out_data
);
    localparam integer LATENCY = 256 / WORD + 1;
    localparam integer LANES = 1 << LOG_LANES;
    localparam integer LW = (LOG_LANES > 0) ? LOG_LANES : 1;

    // The lane of the next input (wraps at LANES).
    reg [LW-1:0] lane;
    always @(posedge clk) begin
        if (rst) lane <= {LW{1'b0}};
        else if (in_valid) lane <= lane + 1'b1;
    end

    // Each lane's latest product, written as it leaves the multiplier.
    reg [255:0] acc [0:LANES-1];
    wire         mul_valid;
    wire [255:0] mul_out;
    wire [LW-1:0] mul_lane;
    always @(posedge clk) begin
        if (mul_valid) acc[mul_lane] <= mul_out;
    end

    // The running product so far: one at a lane's start; the product leaving
    // the multiplier this cycle when it is this lane's; else the stored one.
    wire [255:0] running = in_first ? ONE : (mul_valid && mul_lane == lane) ? mul_out : acc[lane];

    zk_mont_mul #(.WORD(WORD), .MODULUS(MODULUS), .NPRIME(NPRIME)) u_mul (
        .clk(clk), .in_valid(in_valid), .a(running), .b(in_data), .out_valid(mul_valid), .out(mul_out));
    zk_delay #(.WIDTH(LW), .DEPTH(LATENCY)) u_lane (.clk(clk), .d(lane), .q(mul_lane));

    assign out_valid = mul_valid;
    assign out_data = mul_out;
endmodule
`default_nettype wire
