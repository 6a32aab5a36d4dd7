// A streaming 2^LOG_N-point DIF NTT over BN254 Fr: LOG_N chained stages,
// natural-order input, bit-reversed output, one element per cycle.
// Stage s (half-size 2^(LOG_N-1-s)) takes its twiddles through the shared
// port when tw_stage == s.
`default_nettype none
module zk_ntt_stream #(
    parameter integer LOG_N = 4,
    parameter integer WORD = 64,
    // Derived (twiddle address width); not to be overridden.
    parameter integer AW = (LOG_N > 1) ? LOG_N - 1 : 1
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             tw_we,
    input  wire [7:0]       tw_stage,
    input  wire [AW-1:0]    tw_addr,
    input  wire [255:0]     tw_data,
    input  wire             in_valid,
    input  wire [255:0]     in_data,
    output wire             out_valid,
    output wire [255:0]     out_data
);

    wire         v [0:LOG_N];
    wire [255:0] x [0:LOG_N];
    assign v[0] = in_valid;
    assign x[0] = in_data;

    genvar s;
    generate
        for (s = 0; s < LOG_N; s = s + 1) begin : g_stage
            localparam integer LOG_D = LOG_N - 1 - s;
            localparam integer IW = (LOG_D == 0) ? 1 : LOG_D;
            zk_ntt_stage #(.LOG_D(LOG_D), .WORD(WORD)) u_stage (
                .clk(clk), .rst(rst),
                .tw_we(tw_we && tw_stage == s), .tw_addr(tw_addr[IW-1:0]), .tw_data(tw_data),
                .in_valid(v[s]), .in_data(x[s]), .out_valid(v[s+1]), .out_data(x[s+1]));
        end
    endgenerate

    assign out_valid = v[LOG_N];
    assign out_data = x[LOG_N];
endmodule
`default_nettype wire
