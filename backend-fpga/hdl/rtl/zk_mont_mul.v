// Fully pipelined Montgomery multiplier: out = a * b * 2^-WIDTH mod MODULUS.
//
// One product enters and one leaves every cycle. The word-serial CIOS loop is
// unrolled: stage j folds in word j of `a` and one word of reduction, so
// LATENCY = WIDTH/WORD + 1 (the last stage is the conditional subtraction).
// A narrower WORD gives more, shorter stages (timing) for the same throughput.
//
// Inputs must be below MODULUS; MODULUS < 2^(WIDTH-2) keeps every partial
// result below 2*MODULUS, so a single final subtraction suffices.
// NPRIME = -MODULUS^-1 mod 2^WORD.
`default_nettype none
module zk_mont_mul #(
    parameter integer WIDTH = 256,
    parameter integer WORD = 64,
    parameter [WIDTH-1:0] MODULUS = 256'h30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47,
    parameter [WORD-1:0] NPRIME = 64'h87d20782e4866389
) (
    input  wire             clk,
    input  wire             in_valid,
    input  wire [WIDTH-1:0] a,
    input  wire [WIDTH-1:0] b,
    output wire             out_valid,
    output wire [WIDTH-1:0] out
);
    localparam integer STAGES = WIDTH / WORD;
    localparam integer LATENCY = STAGES + 1;

    // Stage inputs: index j is what enters stage j (0 is the module input).
    wire [WIDTH-1:0] t_in [0:STAGES];
    wire [WIDTH-1:0] a_in [0:STAGES-1];
    wire [WIDTH-1:0] b_in [0:STAGES-1];
    wire             v_in [0:STAGES];
    assign t_in[0] = {WIDTH{1'b0}};
    assign a_in[0] = a;
    assign b_in[0] = b;
    assign v_in[0] = in_valid;

    genvar j;
    generate
        for (j = 0; j < STAGES; j = j + 1) begin : g_stage
            // u = t + a_j * b; m = u * NPRIME mod 2^WORD; t' = (u + m * N) / 2^WORD.
            wire [WORD-1:0]       a_word = a_in[j][j*WORD +: WORD];
            wire [WIDTH+WORD:0]   u = {{(WORD+1){1'b0}}, t_in[j]} + a_word * b_in[j];
            wire [WORD-1:0]       m = u[WORD-1:0] * NPRIME;
            wire [WIDTH+WORD+1:0] v = {1'b0, u} + m * MODULUS;
            reg  [WIDTH-1:0]      t_r;
            reg                   v_r;
            always @(posedge clk) begin
                t_r <= v[WORD +: WIDTH];
                v_r <= v_in[j];
            end
            assign t_in[j+1] = t_r;
            assign v_in[j+1] = v_r;
            if (j + 1 < STAGES) begin : g_carry
                reg [WIDTH-1:0] a_r, b_r;
                always @(posedge clk) begin
                    a_r <= a_in[j];
                    b_r <= b_in[j];
                end
                assign a_in[j+1] = a_r;
                assign b_in[j+1] = b_r;
            end
        end
    endgenerate

    wire [WIDTH:0] reduced = {1'b0, t_in[STAGES]} - {1'b0, MODULUS};
    reg [WIDTH-1:0] out_q;
    reg out_valid_q;
    always @(posedge clk) begin
        out_q <= reduced[WIDTH] ? t_in[STAGES] : reduced[WIDTH-1:0];
        out_valid_q <= v_in[STAGES];
    end

    assign out = out_q;
    assign out_valid = out_valid_q;
endmodule
`default_nettype wire
