// The inverse of a BN254 Fr element on one pipelined Montgomery multiplier:
// x^(r-2) (Fermat), square-and-multiply over the exponent's bits from the top.
// Each product waits for the one before, so an inversion takes about
// (256 + 127) * (LATENCY + 2) cycles; batch inversion needs one per block of
// the lane-product core (Montgomery's trick does the rest).
//
// Montgomery form in and out (as zkaccel-core stores Fr); the inverse of 0
// comes out as 0 (the host rejects zeros before).
`default_nettype none
module zk_fr_inverse #(
    parameter integer WORD = 64,
    parameter [255:0] MODULUS = 256'h30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001,
    parameter [WORD-1:0] NPRIME = 64'hc2e1f593efffffff,
    // 1 in Montgomery form: 2^256 mod MODULUS.
    parameter [255:0] ONE = 256'h0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         start,
    input  wire [255:0] x,
    output wire         busy,
    output reg          done,
    output reg  [255:0] out
);
    localparam [255:0] EXPONENT = MODULUS - 256'd2;

    localparam [2:0] IDLE = 3'd0, SQUARE = 3'd1, SQUARE_WAIT = 3'd2, MULTIPLY = 3'd3, MULTIPLY_WAIT = 3'd4,
                     NEXT = 3'd5;
    reg [2:0]   state;
    reg [7:0]   bit_index;
    reg [255:0] base, acc;

    wire         issue = state == SQUARE || state == MULTIPLY;
    wire [255:0] operand = (state == MULTIPLY) ? base : acc;
    wire         mul_valid;
    wire [255:0] mul_out;
    zk_mont_mul #(.WORD(WORD), .MODULUS(MODULUS), .NPRIME(NPRIME)) u_mul (
        .clk(clk), .in_valid(issue), .a(acc), .b(operand), .out_valid(mul_valid), .out(mul_out));

    assign busy = state != IDLE;

    always @(posedge clk) begin
        done <= 1'b0;
        if (rst) begin
            state <= IDLE;
        end else begin
            case (state)
                IDLE: if (start) begin
                    base <= x;
                    acc <= ONE;
                    bit_index <= 8'd255;
                    state <= SQUARE;
                end
                SQUARE: state <= SQUARE_WAIT;
                SQUARE_WAIT: if (mul_valid) begin
                    acc <= mul_out;
                    state <= EXPONENT[bit_index] ? MULTIPLY : NEXT;
                end
                MULTIPLY: state <= MULTIPLY_WAIT;
                MULTIPLY_WAIT: if (mul_valid) begin
                    acc <= mul_out;
                    state <= NEXT;
                end
                // The bit is done: the next one, or the result.
                NEXT: if (bit_index == 8'd0) begin
                    out <= acc;
                    done <= 1'b1;
                    state <= IDLE;
                end else begin
                    bit_index <= bit_index - 8'd1;
                    state <= SQUARE;
                end
                default: state <= IDLE;
            endcase
        end
    end
endmodule
`default_nettype wire
