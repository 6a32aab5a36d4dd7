// AXI4 read master: streams `beats` DATA_W-bit beats from `base` (4 KiB aligned).
// Bursts of up to BURST beats; a new burst is requested only when the FIFO
// has room for all of it, so R is always accepted and never backs up the bus.
`default_nettype none
module zk_axi_read #(
    parameter integer DATA_W = 256,
    parameter integer BURST = 16,
    parameter integer FIFO_LOG = 6
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    input  wire [63:0]       base,
    input  wire [31:0]       beats,
    output wire              out_valid,
    input  wire              out_ready,
    output wire [DATA_W-1:0] out_data,
    output reg               m_arvalid,
    input  wire              m_arready,
    output reg  [63:0]       m_araddr,
    output reg  [7:0]        m_arlen,
    output wire [2:0]        m_arsize,
    output wire [1:0]        m_arburst,
    input  wire              m_rvalid,
    output wire              m_rready,
    input  wire [DATA_W-1:0] m_rdata,
    input  wire              m_rlast,
    input  wire [1:0]        m_rresp
);
    localparam integer FIFO = 1 << FIFO_LOG;
    localparam integer BYTES = DATA_W / 8;
    /* verilator lint_off WIDTH */
    localparam [2:0] SIZE = $clog2(BYTES);
    localparam [31:0] BURST_BEATS = BURST;
    localparam [31:0] FIFO_BEATS = FIFO;
    localparam [63:0] BURST_BYTES = BURST * BYTES;
    /* verilator lint_on WIDTH */

    assign m_arsize = SIZE;
    assign m_arburst = 2'b01;  // INCR
    assign m_rready = 1'b1;

    reg [31:0] total, requested, popped;
    reg [DATA_W-1:0] fifo [0:FIFO-1];
    reg [FIFO_LOG:0] head, tail;
    wire fifo_empty = head == tail;
    wire [31:0] remaining = total - requested;
    wire [31:0] next_len = remaining < BURST_BEATS ? remaining : BURST_BEATS;
    wire [31:0] reserved = requested - popped;

    assign out_valid = !fifo_empty;
    assign out_data = fifo[head[FIFO_LOG-1:0]];

    always @(posedge clk) begin
        if (m_arvalid && m_arready) m_arvalid <= 1'b0;
        if (!m_arvalid && remaining != 0 && reserved + next_len <= FIFO_BEATS) begin
            m_arvalid <= 1'b1;
            m_araddr <= base + {32'd0, requested} * BYTES;
            m_arlen <= next_len[7:0] - 1'b1;
            requested <= requested + next_len;
        end
        if (m_rvalid) begin
            fifo[tail[FIFO_LOG-1:0]] <= m_rdata;
            tail <= tail + 1'b1;
        end
        if (out_valid && out_ready) begin
            head <= head + 1'b1;
            popped <= popped + 1'b1;
        end
        if (start) begin
            total <= beats;
            requested <= 0;
            popped <= 0;
        end
        if (rst) begin
            m_arvalid <= 1'b0;
            total <= 0;
            requested <= 0;
            popped <= 0;
            head <= 0;
            tail <= 0;
        end
    end

    wire unused = m_rlast | (|m_rresp) | (|BURST_BYTES);
endmodule
`default_nettype wire
