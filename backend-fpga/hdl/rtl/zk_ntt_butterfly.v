// Pipelined decimation-in-frequency NTT butterfly over BN254 Fr:
// (a, b, w) -> (a + b, (a - b) * w), one butterfly per cycle.
// Elements in Montgomery form (R = 2^256); LATENCY = MUL_LATENCY + 1.
`default_nettype none
module zk_ntt_butterfly #(
    parameter integer WORD = 64,
    parameter integer TAG_W = 1
) (
    input  wire             clk,
    input  wire             in_valid,
    input  wire [TAG_W-1:0] in_tag,
    input  wire [255:0]     a, b, w,
    output wire             out_valid,
    output wire [TAG_W-1:0] out_tag,
    output wire [255:0]     sum,
    output wire [255:0]     diff_w
);
    localparam [255:0] MODULUS = 256'h30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    localparam [63:0] NPRIME64 = 64'hc2e1f593efffffff;
    localparam integer MUL_LATENCY = 256 / WORD + 1;
    localparam integer LATENCY = MUL_LATENCY + 1;

    `include "zk_field_ops.vh"

    reg [255:0] s_sum, s_diff, s_w;
    reg s_v;
    always @(posedge clk) begin
        s_sum <= mod_add(a, b);
        s_diff <= mod_sub(a, b);
        s_w <= w;
        s_v <= in_valid;
    end

    zk_mont_mul #(.WORD(WORD), .MODULUS(MODULUS), .NPRIME(NPRIME64[WORD-1:0])) u_mul (
        .clk(clk), .in_valid(s_v), .a(s_diff), .b(s_w), .out_valid(out_valid), .out(diff_w));
    zk_delay #(.WIDTH(256), .DEPTH(MUL_LATENCY)) u_sum (.clk(clk), .d(s_sum), .q(sum));
    zk_delay #(.WIDTH(TAG_W), .DEPTH(LATENCY)) u_tag (.clk(clk), .d(in_tag), .q(out_tag));
endmodule
`default_nettype wire
