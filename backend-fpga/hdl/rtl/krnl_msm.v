// krnl_msm: the Vitis RTL kernel of the FPGA MSM (ap_ctrl_hs).
//
// Arguments (zk_axil_ctrl): num_points, and three 4 KiB-aligned buffers of
// 256-bit little-endian beats: bases (x, y per point, Montgomery form),
// scalars (one canonical scalar per beat), buckets (written: X, Y, Z per
// bucket, window-major, homogeneous projective, Montgomery form). The host
// sums each window's buckets and combines the windows.
//
// Run: clear the bucket RAM, stream the points through zk_msm_engine, write
// every bucket out, then ap_done/ap_ready. Identity bases are the host's to
// drop (or to give scalar 0, which has no nonzero digit).
`default_nettype none
module krnl_msm #(
    parameter integer C = 4,
    parameter integer WORD = 64
) (
    input  wire         ap_clk,
    input  wire         ap_rst_n,
    /* verilator lint_off SYMRSVDWORD */
    output wire         interrupt,
    /* verilator lint_on SYMRSVDWORD */
    // AXI4-Lite control.
    input  wire         s_axi_control_awvalid,
    output wire         s_axi_control_awready,
    input  wire [6:0]   s_axi_control_awaddr,
    input  wire         s_axi_control_wvalid,
    output wire         s_axi_control_wready,
    input  wire [31:0]  s_axi_control_wdata,
    input  wire [3:0]   s_axi_control_wstrb,
    output wire         s_axi_control_bvalid,
    input  wire         s_axi_control_bready,
    output wire [1:0]   s_axi_control_bresp,
    input  wire         s_axi_control_arvalid,
    output wire         s_axi_control_arready,
    input  wire [6:0]   s_axi_control_araddr,
    output wire         s_axi_control_rvalid,
    input  wire         s_axi_control_rready,
    output wire [31:0]  s_axi_control_rdata,
    output wire [1:0]   s_axi_control_rresp,
    // AXI4 master, bases (read only).
    output wire         m_axi_bases_arvalid,
    input  wire         m_axi_bases_arready,
    output wire [63:0]  m_axi_bases_araddr,
    output wire [7:0]   m_axi_bases_arlen,
    output wire [2:0]   m_axi_bases_arsize,
    output wire [1:0]   m_axi_bases_arburst,
    input  wire         m_axi_bases_rvalid,
    output wire         m_axi_bases_rready,
    input  wire [255:0] m_axi_bases_rdata,
    input  wire         m_axi_bases_rlast,
    input  wire [1:0]   m_axi_bases_rresp,
    // AXI4 master, scalars (read only).
    output wire         m_axi_scalars_arvalid,
    input  wire         m_axi_scalars_arready,
    output wire [63:0]  m_axi_scalars_araddr,
    output wire [7:0]   m_axi_scalars_arlen,
    output wire [2:0]   m_axi_scalars_arsize,
    output wire [1:0]   m_axi_scalars_arburst,
    input  wire         m_axi_scalars_rvalid,
    output wire         m_axi_scalars_rready,
    input  wire [255:0] m_axi_scalars_rdata,
    input  wire         m_axi_scalars_rlast,
    input  wire [1:0]   m_axi_scalars_rresp,
    // AXI4 master, buckets (write only).
    output wire         m_axi_buckets_awvalid,
    input  wire         m_axi_buckets_awready,
    output wire [63:0]  m_axi_buckets_awaddr,
    output wire [7:0]   m_axi_buckets_awlen,
    output wire [2:0]   m_axi_buckets_awsize,
    output wire [1:0]   m_axi_buckets_awburst,
    output wire         m_axi_buckets_wvalid,
    input  wire         m_axi_buckets_wready,
    output wire [255:0] m_axi_buckets_wdata,
    output wire [31:0]  m_axi_buckets_wstrb,
    output wire         m_axi_buckets_wlast,
    input  wire         m_axi_buckets_bvalid,
    output wire         m_axi_buckets_bready,
    input  wire [1:0]   m_axi_buckets_bresp
);
    localparam integer NUM_WINDOWS = (256 + C - 1) / C;
    localparam integer BUCKETS = NUM_WINDOWS << (C - 1);
    localparam integer AW = $clog2(NUM_WINDOWS) + C - 1;
    /* verilator lint_off WIDTH */
    localparam [AW-1:0] LAST_BUCKET = BUCKETS - 1;
    localparam [31:0] BUCKET_BEATS = BUCKETS * 3;
    /* verilator lint_on WIDTH */

    localparam [2:0] S_IDLE = 3'd0, S_CLEAR = 3'd1, S_RUN = 3'd2, S_WRITE = 3'd3, S_FINISH = 3'd4;

    reg rst;
    always @(posedge ap_clk) rst <= !ap_rst_n;

    reg [2:0] state;
    reg [63:0] cycles;
    wire ap_start;
    wire [31:0] num_points;
    wire [63:0] bases_addr, scalars_addr, buckets_addr;
    wire ap_idle = state == S_IDLE;
    reg ap_done;

    zk_axil_ctrl #(.WINDOW_BITS(C), .BUCKET_COUNT(BUCKETS)) u_ctrl (
        .clk(ap_clk), .rst(rst),
        .awvalid(s_axi_control_awvalid), .awready(s_axi_control_awready), .awaddr(s_axi_control_awaddr),
        .wvalid(s_axi_control_wvalid), .wready(s_axi_control_wready), .wdata(s_axi_control_wdata),
        .wstrb(s_axi_control_wstrb), .bvalid(s_axi_control_bvalid), .bready(s_axi_control_bready),
        .bresp(s_axi_control_bresp), .arvalid(s_axi_control_arvalid), .arready(s_axi_control_arready),
        .araddr(s_axi_control_araddr), .rvalid(s_axi_control_rvalid), .rready(s_axi_control_rready),
        .rdata(s_axi_control_rdata), .rresp(s_axi_control_rresp), .irq(interrupt),
        .ap_start(ap_start), .ap_done(ap_done), .ap_idle(ap_idle), .ap_ready(ap_done), .cycles(cycles),
        .num_points(num_points), .bases(bases_addr), .scalars(scalars_addr), .buckets(buckets_addr));

    // ---- readers.
    reg read_start;
    wire base_valid, scalar_valid;
    wire [255:0] base_data, scalar_data;
    wire base_ready, scalar_ready;
    zk_axi_read u_bases (
        .clk(ap_clk), .rst(rst), .start(read_start), .base(bases_addr), .beats({num_points[30:0], 1'b0}),
        .out_valid(base_valid), .out_ready(base_ready), .out_data(base_data),
        .m_arvalid(m_axi_bases_arvalid), .m_arready(m_axi_bases_arready), .m_araddr(m_axi_bases_araddr),
        .m_arlen(m_axi_bases_arlen), .m_arsize(m_axi_bases_arsize), .m_arburst(m_axi_bases_arburst),
        .m_rvalid(m_axi_bases_rvalid), .m_rready(m_axi_bases_rready), .m_rdata(m_axi_bases_rdata),
        .m_rlast(m_axi_bases_rlast), .m_rresp(m_axi_bases_rresp));
    zk_axi_read u_scalars (
        .clk(ap_clk), .rst(rst), .start(read_start), .base(scalars_addr), .beats(num_points),
        .out_valid(scalar_valid), .out_ready(scalar_ready), .out_data(scalar_data),
        .m_arvalid(m_axi_scalars_arvalid), .m_arready(m_axi_scalars_arready), .m_araddr(m_axi_scalars_araddr),
        .m_arlen(m_axi_scalars_arlen), .m_arsize(m_axi_scalars_arsize), .m_arburst(m_axi_scalars_arburst),
        .m_rvalid(m_axi_scalars_rvalid), .m_rready(m_axi_scalars_rready), .m_rdata(m_axi_scalars_rdata),
        .m_rlast(m_axi_scalars_rlast), .m_rresp(m_axi_scalars_rresp));

    // ---- points: x beat, then y beat with its scalar.
    reg have_x;
    reg [255:0] x_hold;
    reg [31:0] points_fed;
    wire pt_valid = state == S_RUN && have_x && base_valid && scalar_valid;
    wire pt_ready;
    wire pt_fire = pt_valid && pt_ready;
    wire take_x = state == S_RUN && !have_x && base_valid;
    assign base_ready = take_x || pt_fire;
    assign scalar_ready = pt_fire;

    reg engine_clear;
    wire engine_busy, engine_done;
    reg [AW-1:0] rd_addr;
    wire [767:0] rd_data;
    wire [31:0] stall_cycles;
    zk_msm_engine #(.C(C), .WORD(WORD)) u_engine (
        .clk(ap_clk), .rst(rst), .clear(engine_clear), .busy(engine_busy), .done(engine_done),
        .pt_valid(pt_valid), .pt_ready(pt_ready), .pt_x(x_hold), .pt_y(base_data), .pt_k(scalar_data),
        .pt_last(points_fed == num_points - 1), .rd_addr(rd_addr), .rd_data(rd_data),
        .stall_cycles(stall_cycles));

    // ---- bucket write-out: read a bucket, send X, Y, Z.
    reg write_start;
    wire writer_idle;
    reg out_have;
    reg [1:0] out_part;
    reg [767:0] out_bucket;
    reg read_pending;
    reg [31:0] buckets_sent;
    wire out_ready;
    wire [255:0] out_beat = out_part == 2'd0 ? out_bucket[255:0] : out_part == 2'd1 ? out_bucket[511:256] : out_bucket[767:512];
    zk_axi_write u_buckets (
        .clk(ap_clk), .rst(rst), .start(write_start), .base(buckets_addr), .beats(BUCKET_BEATS),
        .idle(writer_idle), .in_valid(out_have), .in_ready(out_ready), .in_data(out_beat),
        .m_awvalid(m_axi_buckets_awvalid), .m_awready(m_axi_buckets_awready), .m_awaddr(m_axi_buckets_awaddr),
        .m_awlen(m_axi_buckets_awlen), .m_awsize(m_axi_buckets_awsize), .m_awburst(m_axi_buckets_awburst),
        .m_wvalid(m_axi_buckets_wvalid), .m_wready(m_axi_buckets_wready), .m_wdata(m_axi_buckets_wdata),
        .m_wstrb(m_axi_buckets_wstrb), .m_wlast(m_axi_buckets_wlast), .m_bvalid(m_axi_buckets_bvalid),
        .m_bready(m_axi_buckets_bready), .m_bresp(m_axi_buckets_bresp));

    always @(posedge ap_clk) begin
        read_start <= 1'b0;
        write_start <= 1'b0;
        engine_clear <= 1'b0;
        ap_done <= 1'b0;
        if (state != S_IDLE) cycles <= cycles + 1'b1;

        case (state)
            // ap_start is cleared by the ap_ready that goes with ap_done; it is
            // still high in that cycle and must not start a second run.
            S_IDLE: if (ap_start && !ap_done) begin
                state <= S_CLEAR;
                engine_clear <= 1'b1;
                cycles <= 64'd1;
            end
            S_CLEAR: if (!engine_clear && !engine_busy) begin
                if (num_points == 0) begin
                    state <= S_WRITE;
                    write_start <= 1'b1;
                end else begin
                    state <= S_RUN;
                    read_start <= 1'b1;
                end
                have_x <= 1'b0;
                points_fed <= 32'd0;
                rd_addr <= 0;
                read_pending <= 1'b0;
                out_have <= 1'b0;
                buckets_sent <= 32'd0;
            end
            S_RUN: begin
                if (take_x) begin
                    x_hold <= base_data;
                    have_x <= 1'b1;
                end
                if (pt_fire) begin
                    have_x <= 1'b0;
                    points_fed <= points_fed + 1'b1;
                end
                if (engine_done) begin
                    state <= S_WRITE;
                    write_start <= 1'b1;
                end
            end
            S_WRITE: begin
                // One bucket read in flight at a time: rd_data is valid the
                // cycle after rd_addr is presented.
                if (!out_have && !read_pending && buckets_sent < BUCKETS) read_pending <= 1'b1;
                if (read_pending) begin
                    read_pending <= 1'b0;
                    out_bucket <= rd_data;
                    out_have <= 1'b1;
                    out_part <= 2'd0;
                end
                if (out_have && out_ready) begin
                    if (out_part == 2'd2) begin
                        out_have <= 1'b0;
                        buckets_sent <= buckets_sent + 1'b1;
                        rd_addr <= rd_addr + 1'b1;
                    end else begin
                        out_part <= out_part + 1'b1;
                    end
                end
                if (buckets_sent == BUCKETS && !write_start && writer_idle) state <= S_FINISH;
            end
            S_FINISH: begin
                ap_done <= 1'b1;
                state <= S_IDLE;
            end
            default: state <= S_IDLE;
        endcase

        if (rst) begin
            state <= S_IDLE;
            cycles <= 64'd0;
        end
    end

    wire unused = |stall_cycles | (|LAST_BUCKET);
endmodule
`default_nettype wire
