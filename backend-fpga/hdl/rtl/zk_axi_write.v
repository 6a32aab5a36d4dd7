// AXI4 write master: writes `beats` DATA_W-bit beats from a stream to `base`
// (4 KiB aligned), one burst of up to BURST beats at a time; `idle` once
// every burst has its write response.
`default_nettype none
module zk_axi_write #(
    parameter integer DATA_W = 256,
    parameter integer BURST = 16
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    input  wire [63:0]       base,
    input  wire [31:0]       beats,
    output wire              idle,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [DATA_W-1:0] in_data,
    output reg               m_awvalid,
    input  wire              m_awready,
    output reg  [63:0]       m_awaddr,
    output reg  [7:0]        m_awlen,
    output wire [2:0]        m_awsize,
    output wire [1:0]        m_awburst,
    output wire              m_wvalid,
    input  wire              m_wready,
    output wire [DATA_W-1:0] m_wdata,
    output wire [DATA_W/8-1:0] m_wstrb,
    output wire              m_wlast,
    input  wire              m_bvalid,
    output wire              m_bready,
    input  wire [1:0]        m_bresp
);
    localparam integer BYTES = DATA_W / 8;
    /* verilator lint_off WIDTH */
    localparam [2:0] SIZE = $clog2(BYTES);
    localparam [31:0] BURST_BEATS = BURST;
    /* verilator lint_on WIDTH */

    reg [31:0] total, requested, bursts_sent, bursts_done;
    reg w_active;
    reg [8:0] w_left;
    wire [31:0] remaining = total - requested;
    wire [31:0] next_len = remaining < BURST_BEATS ? remaining : BURST_BEATS;

    assign m_awsize = SIZE;
    assign m_awburst = 2'b01;
    assign m_wvalid = w_active && in_valid;
    assign in_ready = w_active && m_wready;
    assign m_wdata = in_data;
    assign m_wstrb = {(DATA_W/8){1'b1}};
    assign m_wlast = w_left == 9'd1;
    assign m_bready = 1'b1;
    assign idle = remaining == 0 && !m_awvalid && !w_active && bursts_done == bursts_sent;

    always @(posedge clk) begin
        if (!m_awvalid && !w_active && remaining != 0) begin
            m_awvalid <= 1'b1;
            m_awaddr <= base + {32'd0, requested} * BYTES;
            m_awlen <= next_len[7:0] - 1'b1;
            requested <= requested + next_len;
        end
        if (m_awvalid && m_awready) begin
            m_awvalid <= 1'b0;
            w_active <= 1'b1;
            w_left <= {1'b0, m_awlen} + 1'b1;
            bursts_sent <= bursts_sent + 1'b1;
        end
        if (m_wvalid && m_wready) begin
            w_left <= w_left - 1'b1;
            if (m_wlast) w_active <= 1'b0;
        end
        if (m_bvalid) bursts_done <= bursts_done + 1'b1;
        if (start) begin
            total <= beats;
            requested <= 0;
            bursts_sent <= 0;
            bursts_done <= 0;
        end
        if (rst) begin
            m_awvalid <= 1'b0;
            w_active <= 1'b0;
            total <= 0;
            requested <= 0;
            bursts_sent <= 0;
            bursts_done <= 0;
        end
    end

    wire unused = |m_bresp;
endmodule
`default_nettype wire
