// Fully pipelined BN254 G1 point adder: one addition per cycle.
//
// Homogeneous projective coordinates (x = X/Z, y = Y/Z, identity (0:1:0)),
// field elements in Montgomery form (R = 2^256). The formula is the complete
// addition law for short Weierstrass curves with a = 0 (Renes, Costello and
// Batina 2016, algorithm 7, b3 = 3b = 9): no case analysis, so doubling,
// P + (-P) and the identity go down the same pipeline as any other sum.
//
// Schedule: one add stage, six products, six add stages (b3 = 9 as three
// doublings and an add), six products, one add stage:
// LATENCY = 2 * MUL_LATENCY + 8. TAG travels with the operands (the MSM
// engine puts the bucket address there).
`default_nettype none
module zk_g1_add #(
    parameter integer WORD = 64,
    parameter integer TAG_W = 1
) (
    input  wire             clk,
    input  wire             in_valid,
    input  wire [TAG_W-1:0] in_tag,
    input  wire [255:0]     x1, y1, z1,
    input  wire [255:0]     x2, y2, z2,
    output wire             out_valid,
    output wire [TAG_W-1:0] out_tag,
    output wire [255:0]     x3, y3, z3
);
    localparam [255:0] MODULUS = 256'h30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    localparam [63:0] NPRIME64 = 64'h87d20782e4866389;
    localparam integer MUL_LATENCY = 256 / WORD + 1;
    localparam integer LATENCY = 2 * MUL_LATENCY + 8;

    `include "zk_field_ops.vh"

    // Stage A: the three cross sums of each input.
    reg [255:0] a_x1, a_y1, a_z1, a_x2, a_y2, a_z2;
    reg [255:0] a_s1, a_s2, a_s3, a_s4, a_s5, a_s6;
    reg a_v;
    always @(posedge clk) begin
        a_x1 <= x1; a_y1 <= y1; a_z1 <= z1;
        a_x2 <= x2; a_y2 <= y2; a_z2 <= z2;
        a_s1 <= mod_add(x1, y1); a_s2 <= mod_add(x2, y2);
        a_s3 <= mod_add(y1, z1); a_s4 <= mod_add(y2, z2);
        a_s5 <= mod_add(x1, z1); a_s6 <= mod_add(x2, z2);
        a_v <= in_valid;
    end

    // One pipelined multiplier per product; every product of a group starts in
    // the same cycle, so one valid bit per group suffices.
    `define ZK_MUL(inst, valid, lhs, rhs, vout, result) \
        zk_mont_mul #(.WORD(WORD), .MODULUS(MODULUS), .NPRIME(NPRIME64[WORD-1:0])) inst ( \
            .clk(clk), .in_valid(valid), .a(lhs), .b(rhs), .out_valid(vout), .out(result));

    // First products: t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2 and the cross products p3, p4, p5.
    wire [255:0] m_t0, m_t1, m_t2, m_p3, m_p4, m_p5;
    wire m_v;
    `ZK_MUL(u_t0, a_v, a_x1, a_x2, m_v, m_t0)
    `ZK_MUL(u_t1, a_v, a_y1, a_y2, , m_t1)
    `ZK_MUL(u_t2, a_v, a_z1, a_z2, , m_t2)
    `ZK_MUL(u_p3, a_v, a_s1, a_s2, , m_p3)
    `ZK_MUL(u_p4, a_v, a_s3, a_s4, , m_p4)
    `ZK_MUL(u_p5, a_v, a_s5, a_s6, , m_p5)

    // Stages B1..B6: t3 = p3 - t0 - t1, t4 = p4 - t1 - t2, y5 = p5 - t0 - t2,
    // t0x3 = 3 t0, z3a = t1 + 9 t2, t1b = t1 - 9 t2, y3b = 9 y5.
    reg [255:0] b1_t0, b1_t1, b1_t2, b1_p3, b1_p4, b1_p5, b1_u01, b1_u12, b1_u02, b1_t0x2, b1_t2x2;
    reg [255:0] b2_t1, b2_t2, b2_t3, b2_t4, b2_y5, b2_t0x3, b2_t2x4;
    reg [255:0] b3_t1, b3_t2, b3_t3, b3_t4, b3_y5, b3_t0x3, b3_t2x8, b3_y5x2;
    reg [255:0] b4_t1, b4_t3, b4_t4, b4_y5, b4_t0x3, b4_t2x9, b4_y5x4;
    reg [255:0] b5_t3, b5_t4, b5_y5, b5_t0x3, b5_z3a, b5_t1b, b5_y5x8;
    reg [255:0] b6_t3, b6_t4, b6_t0x3, b6_z3a, b6_t1b, b6_y3b;
    reg [5:0] b_v;
    always @(posedge clk) begin
        b1_t0 <= m_t0; b1_t1 <= m_t1; b1_t2 <= m_t2;
        b1_p3 <= m_p3; b1_p4 <= m_p4; b1_p5 <= m_p5;
        b1_u01 <= mod_add(m_t0, m_t1); b1_u12 <= mod_add(m_t1, m_t2); b1_u02 <= mod_add(m_t0, m_t2);
        b1_t0x2 <= mod_add(m_t0, m_t0); b1_t2x2 <= mod_add(m_t2, m_t2);

        b2_t1 <= b1_t1; b2_t2 <= b1_t2;
        b2_t3 <= mod_sub(b1_p3, b1_u01); b2_t4 <= mod_sub(b1_p4, b1_u12); b2_y5 <= mod_sub(b1_p5, b1_u02);
        b2_t0x3 <= mod_add(b1_t0x2, b1_t0); b2_t2x4 <= mod_add(b1_t2x2, b1_t2x2);

        b3_t1 <= b2_t1; b3_t2 <= b2_t2; b3_t3 <= b2_t3; b3_t4 <= b2_t4; b3_y5 <= b2_y5; b3_t0x3 <= b2_t0x3;
        b3_t2x8 <= mod_add(b2_t2x4, b2_t2x4); b3_y5x2 <= mod_add(b2_y5, b2_y5);

        b4_t1 <= b3_t1; b4_t3 <= b3_t3; b4_t4 <= b3_t4; b4_y5 <= b3_y5; b4_t0x3 <= b3_t0x3;
        b4_t2x9 <= mod_add(b3_t2x8, b3_t2); b4_y5x4 <= mod_add(b3_y5x2, b3_y5x2);

        b5_t3 <= b4_t3; b5_t4 <= b4_t4; b5_y5 <= b4_y5; b5_t0x3 <= b4_t0x3;
        b5_z3a <= mod_add(b4_t1, b4_t2x9); b5_t1b <= mod_sub(b4_t1, b4_t2x9); b5_y5x8 <= mod_add(b4_y5x4, b4_y5x4);

        b6_t3 <= b5_t3; b6_t4 <= b5_t4; b6_t0x3 <= b5_t0x3; b6_z3a <= b5_z3a; b6_t1b <= b5_t1b;
        b6_y3b <= mod_add(b5_y5x8, b5_y5);

        b_v <= {b_v[4:0], m_v};
    end

    // Second products.
    wire [255:0] n_x3a, n_t2c, n_y3c, n_t1c, n_t0c, n_z3c;
    wire n_v;
    `ZK_MUL(u_x3a, b_v[5], b6_t4, b6_y3b, n_v, n_x3a)
    `ZK_MUL(u_t2c, b_v[5], b6_t3, b6_t1b, , n_t2c)
    `ZK_MUL(u_y3c, b_v[5], b6_y3b, b6_t0x3, , n_y3c)
    `ZK_MUL(u_t1c, b_v[5], b6_t1b, b6_z3a, , n_t1c)
    `ZK_MUL(u_t0c, b_v[5], b6_t0x3, b6_t3, , n_t0c)
    `ZK_MUL(u_z3c, b_v[5], b6_z3a, b6_t4, , n_z3c)
    `undef ZK_MUL

    // Stage C: X3 = t2c - x3a, Y3 = t1c + y3c, Z3 = z3c + t0c.
    reg [255:0] c_x3, c_y3, c_z3;
    reg c_v;
    always @(posedge clk) begin
        c_x3 <= mod_sub(n_t2c, n_x3a);
        c_y3 <= mod_add(n_t1c, n_y3c);
        c_z3 <= mod_add(n_z3c, n_t0c);
        c_v <= n_v;
    end
    assign x3 = c_x3; assign y3 = c_y3; assign z3 = c_z3;
    assign out_valid = c_v;

    zk_delay #(.WIDTH(TAG_W), .DEPTH(LATENCY)) u_tag (.clk(clk), .d(in_tag), .q(out_tag));
endmodule
`default_nettype wire
