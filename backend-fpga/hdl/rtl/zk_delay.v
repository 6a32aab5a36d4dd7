// A WIDTH-bit shift register of DEPTH cycles (DEPTH = 0 is a wire). Aligns
// operands that skip pipeline stages; synthesis maps long ones to SRLs.
`default_nettype none
module zk_delay #(
    parameter integer WIDTH = 1,
    parameter integer DEPTH = 1
) (
    input  wire             clk,
    input  wire [WIDTH-1:0] d,
    output wire [WIDTH-1:0] q
);
    generate
        if (DEPTH == 0) begin : g_wire
            assign q = d;
        end else begin : g_shift
            reg [WIDTH-1:0] r [0:DEPTH-1];
            integer i;
            always @(posedge clk) begin
                r[0] <= d;
                for (i = 1; i < DEPTH; i = i + 1) r[i] <= r[i-1];
            end
            assign q = r[DEPTH-1];
        end
    endgenerate
endmodule
`default_nettype wire
