// One streaming radix-2 DIF NTT stage (single-path delay feedback) over BN254 Fr.
//
// Takes a stream of blocks of 2D elements (D = 2^LOG_D), one element per
// valid cycle, and emits the same stream after the butterflies
// x'[j] = x[j] + x[j+D], x'[j+D] = (x[j] - x[j+D]) * w_j, j < D, in input order.
// The first half of each block waits in `held`; each element of the second
// half meets its partner in the butterfly; sums leave at once and the
// products wait in `products` until the block's sums have left. Gaps in the
// input are allowed. w_j is written beforehand through the twiddle port
// (device-resident twiddles: w_j = w_2D^j for the block's 2D-th root w_2D).
`default_nettype none
module zk_ntt_stage #(
    parameter integer LOG_D = 2,
    parameter integer WORD = 64,
    // Derived (twiddle address width); not to be overridden.
    parameter integer IW = (LOG_D == 0) ? 1 : LOG_D
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             tw_we,
    input  wire [IW-1:0]    tw_addr,
    input  wire [255:0]     tw_data,
    input  wire             in_valid,
    input  wire [255:0]     in_data,
    output reg              out_valid,
    output reg  [255:0]     out_data
);
    localparam integer D = 1 << LOG_D;
    localparam [IW-1:0] LAST = {IW{1'b1}} >> (IW - LOG_D);

    reg [255:0] held [0:D-1];
    reg [255:0] twiddles [0:D-1];
    reg [255:0] products [0:D-1];

    // Input side: the position in the block; the second half feeds the butterfly.
    reg [LOG_D:0] position;
    wire [IW-1:0] j = position[IW-1:0] & LAST;
    wire second_half = position[LOG_D];
    reg bf_in_valid;
    reg [IW-1:0] bf_in_j;
    reg [255:0] bf_a, bf_b, bf_w;
    always @(posedge clk) begin
        if (tw_we) twiddles[tw_addr] <= tw_data;
        bf_in_valid <= 1'b0;
        if (rst) begin
            position <= 0;
        end else if (in_valid) begin
            position <= position + 1'b1;
            if (!second_half) begin
                held[j] <= in_data;
            end else begin
                bf_in_valid <= 1'b1;
                bf_in_j <= j;
                bf_a <= held[j];
                bf_b <= in_data;
                bf_w <= twiddles[j];
            end
        end
    end

    wire bf_valid;
    wire [IW-1:0] bf_j;
    wire [255:0] bf_sum, bf_diff_w;
    zk_ntt_butterfly #(.WORD(WORD), .TAG_W(IW)) u_bf (
        .clk(clk), .in_valid(bf_in_valid), .in_tag(bf_in_j), .a(bf_a), .b(bf_b), .w(bf_w),
        .out_valid(bf_valid), .out_tag(bf_j), .sum(bf_sum), .diff_w(bf_diff_w));

    // Output side: sums as they come; then the block's D products in order.
    // The next block's first sum cannot arrive before these D cycles end.
    reg draining;
    reg [IW-1:0] drain_j;
    always @(posedge clk) begin
        out_valid <= 1'b0;
        if (rst) begin
            draining <= 1'b0;
        end else if (bf_valid) begin
            out_valid <= 1'b1;
            out_data <= bf_sum;
            products[bf_j] <= bf_diff_w;
            if (bf_j == LAST) begin
                draining <= 1'b1;
                drain_j <= 0;
            end
        end else if (draining) begin
            out_valid <= 1'b1;
            out_data <= products[drain_j];
            drain_j <= drain_j + 1'b1;
            if (drain_j == LAST) draining <= 1'b0;
        end
    end
endmodule
`default_nettype wire
