// MSM bucket-accumulation engine for BN254 G1 (bucket reduction is the host's).
//
// Each point (affine x, y in Montgomery form; canonical scalar k < 2^254) is
// read once and added, window by window, into the bucket of its signed digit
// in that window: one bucket addition issued per cycle into one pipelined
// complete adder (zk_g1_add). Signed digits come from a single addition:
// with OFFSET = sum_i 2^(C-1) 2^(iC), digit_i = ((k + OFFSET) >> iC mod 2^C) - 2^(C-1)
// lies in [-2^(C-1), 2^(C-1)); digit d > 0 adds P to bucket (i, d), d < 0
// adds -P to bucket (i, -d), d = 0 adds nothing. NUM_WINDOWS * C >= 256 keeps
// k + OFFSET inside the windows.
//
// A bucket whose previous addition is still in the adder cannot be read
// (hazard). Such an addition waits in the hazard queue and is retried ahead
// of new work as soon as its bucket is written back; new work keeps flowing
// past it meanwhile. The in-flight set is a shift register of the addresses
// issued in the last ADD_LATENCY + 2 cycles.
`default_nettype none
module zk_msm_engine #(
    parameter integer C = 4,
    parameter integer WORD = 64,
    parameter integer QUEUE_LOG = 4,
    // Derived (bucket address width); not to be overridden.
    parameter integer AW = $clog2((256 + C - 1) / C) + C - 1
) (
    input  wire           clk,
    input  wire           rst,
    // A pulse: every bucket back to the identity (BUCKETS cycles, busy meanwhile).
    input  wire           clear,
    output wire           busy,
    // A pulse once the additions of the point marked last are all written back.
    output reg            done,
    input  wire           pt_valid,
    output wire           pt_ready,
    input  wire [255:0]   pt_x,
    input  wire [255:0]   pt_y,
    input  wire [255:0]   pt_k,
    input  wire           pt_last,
    // Bucket read-out while idle: {Z, Y, X} of bucket rd_addr, a cycle later.
    input  wire [AW-1:0]  rd_addr,
    output wire [767:0]   rd_data,
    // Cycles a point's window waited because the hazard queue was full or
    // the adder slot was taken (a performance counter, cleared by `clear`).
    output reg  [31:0]    stall_cycles
);
    localparam [255:0] MODULUS = 256'h30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    localparam [255:0] MONT_ONE = 256'h0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d;
    localparam integer NUM_WINDOWS = (256 + C - 1) / C;
    localparam integer SW = NUM_WINDOWS * C;
    localparam integer BUCKETS_PER_WINDOW = 1 << (C - 1);
    localparam integer BUCKETS = NUM_WINDOWS * BUCKETS_PER_WINDOW;
    localparam integer WW = $clog2(NUM_WINDOWS);
    localparam integer ADD_LATENCY = 2 * (256 / WORD + 1) + 8;
    localparam integer INFLIGHT = ADD_LATENCY + 2;
    localparam integer QUEUE = 1 << QUEUE_LOG;
    /* verilator lint_off WIDTH */
    localparam [C-1:0] HALF = 1 << (C - 1);
    localparam [WW-1:0] LAST_WINDOW = NUM_WINDOWS - 1;
    localparam [AW-1:0] LAST_BUCKET = BUCKETS - 1;
    /* verilator lint_on WIDTH */

    `include "zk_field_ops.vh"

    function [SW-1:0] digit_offset(input integer unused);
        integer i;
        begin
            digit_offset = {SW{1'b0}};
            for (i = 0; i < NUM_WINDOWS; i = i + 1) digit_offset[i * C + C - 1] = 1'b1;
        end
    endfunction
    localparam [SW-1:0] OFFSET = digit_offset(0);

    // ---- bucket RAM: {Z, Y, X}, homogeneous projective, Montgomery form.
    reg [767:0] buckets [0:BUCKETS-1];
    reg [767:0] bucket_q;
    assign rd_data = bucket_q;

    // ---- clearing.
    reg clearing;
    reg [AW-1:0] clear_addr;

    // ---- the point being split into windows.
    reg cur_valid;
    reg [255:0] cur_x, cur_y, cur_y_neg;
    reg [SW-1:0] cur_digits;
    reg [WW-1:0] cur_window;
    reg ended;

    wire [C-1:0] field = cur_digits[C-1:0];
    wire digit_zero = field == HALF;
    wire digit_neg = field < HALF;
    wire [C-1:0] magnitude_m1 = digit_neg ? HALF - field - 1'b1 : field - HALF - 1'b1;
    wire [AW-1:0] new_addr;
    generate
        if (C > 1) begin : g_addr
            assign new_addr = {cur_window, magnitude_m1[C-2:0]};
        end
    endgenerate
    wire [255:0] new_y = digit_neg ? cur_y_neg : cur_y;

    // ---- hazard queue.
    reg [AW-1:0] q_addr [0:QUEUE-1];
    reg [255:0] q_x [0:QUEUE-1];
    reg [255:0] q_y [0:QUEUE-1];
    reg [QUEUE_LOG:0] q_head, q_tail;
    wire q_empty = q_head == q_tail;
    wire q_full = (q_head[QUEUE_LOG-1:0] == q_tail[QUEUE_LOG-1:0]) && (q_head[QUEUE_LOG] != q_tail[QUEUE_LOG]);
    wire [AW-1:0] head_addr = q_addr[q_head[QUEUE_LOG-1:0]];

    // ---- in-flight addresses.
    reg [INFLIGHT-1:0] inflight_valid;
    reg [AW-1:0] inflight_addr [0:INFLIGHT-1];
    function in_flight(input [AW-1:0] addr);
        integer i;
        begin
            in_flight = 1'b0;
            for (i = 0; i < INFLIGHT; i = i + 1)
                if (inflight_valid[i] && inflight_addr[i] == addr) in_flight = 1'b1;
        end
    endfunction

    // ---- issue: the queue head first, then the current window.
    wire issue_q = !q_empty && !in_flight(head_addr);
    wire new_valid = cur_valid && !digit_zero;
    wire hazard_n = in_flight(new_addr) || (issue_q && head_addr == new_addr);
    wire issue_n = !issue_q && new_valid && !hazard_n;
    wire push_n = new_valid && hazard_n && !q_full;
    wire advance = cur_valid && (digit_zero || issue_n || push_n);
    wire last_window = cur_window == LAST_WINDOW;
    wire issue = issue_q || issue_n;
    wire [AW-1:0] issue_addr = issue_q ? head_addr : new_addr;
    wire [255:0] issue_x = issue_q ? q_x[q_head[QUEUE_LOG-1:0]] : cur_x;
    wire [255:0] issue_y = issue_q ? q_y[q_head[QUEUE_LOG-1:0]] : new_y;

    assign pt_ready = !rst && !clearing && !ended && (!cur_valid || (advance && last_window));
    assign busy = clearing || cur_valid || !q_empty || (|inflight_valid) || ended;

    // ---- adder: bucket (read this cycle) + the issued point (z = 1).
    reg add_valid;
    reg [AW-1:0] add_addr;
    reg [255:0] add_x, add_y;
    wire sum_valid;
    wire [AW-1:0] sum_addr;
    wire [255:0] sum_x, sum_y, sum_z;
    zk_g1_add #(.WORD(WORD), .TAG_W(AW)) u_add (
        .clk(clk), .in_valid(add_valid), .in_tag(add_addr),
        .x1(bucket_q[255:0]), .y1(bucket_q[511:256]), .z1(bucket_q[767:512]),
        .x2(add_x), .y2(add_y), .z2(MONT_ONE),
        .out_valid(sum_valid), .out_tag(sum_addr), .x3(sum_x), .y3(sum_y), .z3(sum_z));

    integer i;
    always @(posedge clk) begin
        // Bucket RAM: one read port (engine, or read-out when idle), one write port.
        bucket_q <= buckets[issue ? issue_addr : rd_addr];
        if (clearing) buckets[clear_addr] <= {256'd0, MONT_ONE, 256'd0};
        else if (sum_valid) buckets[sum_addr] <= {sum_z, sum_y, sum_x};

        add_valid <= issue;
        add_addr <= issue_addr;
        add_x <= issue_x;
        add_y <= issue_y;

        inflight_valid <= {inflight_valid[INFLIGHT-2:0], issue};
        inflight_addr[0] <= issue_addr;
        for (i = 1; i < INFLIGHT; i = i + 1) inflight_addr[i] <= inflight_addr[i-1];

        if (push_n) begin
            q_addr[q_tail[QUEUE_LOG-1:0]] <= new_addr;
            q_x[q_tail[QUEUE_LOG-1:0]] <= cur_x;
            q_y[q_tail[QUEUE_LOG-1:0]] <= new_y;
            q_tail <= q_tail + 1'b1;
        end
        if (issue_q) q_head <= q_head + 1'b1;

        if (cur_valid && !advance) stall_cycles <= stall_cycles + 1'b1;

        if (advance) begin
            cur_digits <= cur_digits >> C;
            cur_window <= cur_window + 1'b1;
            if (last_window) cur_valid <= 1'b0;
        end
        if (pt_valid && pt_ready) begin
            cur_valid <= 1'b1;
            cur_x <= pt_x;
            cur_y <= pt_y;
            cur_y_neg <= mod_sub(256'd0, pt_y);
            cur_digits <= {{(SW-256){1'b0}}, pt_k} + OFFSET;
            cur_window <= 0;
            if (pt_last) ended <= 1'b1;
        end

        done <= 1'b0;
        if (ended && !cur_valid && q_empty && !(|inflight_valid) && !add_valid && !done) begin
            done <= 1'b1;
            ended <= 1'b0;
        end

        if (clearing) begin
            clear_addr <= clear_addr + 1'b1;
            if (clear_addr == LAST_BUCKET) clearing <= 1'b0;
        end
        if (clear && !busy) begin
            clearing <= 1'b1;
            clear_addr <= 0;
            stall_cycles <= 0;
        end

        if (rst) begin
            clearing <= 1'b0;
            cur_valid <= 1'b0;
            ended <= 1'b0;
            done <= 1'b0;
            q_head <= 0;
            q_tail <= 0;
            inflight_valid <= 0;
            add_valid <= 1'b0;
            stall_cycles <= 0;
        end
    end
endmodule
`default_nettype wire
