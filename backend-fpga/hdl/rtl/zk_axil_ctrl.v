// AXI4-Lite control slave with the Vitis ap_ctrl_hs register map.
//
//   0x00 control: bit 0 ap_start (set by the host, cleared on ap_ready),
//        bit 1 ap_done (cleared on read), bit 2 ap_idle, bit 3 ap_ready
//        (cleared on read), bit 7 auto_restart (stored, not acted on)
//   0x04 global interrupt enable   0x08 interrupt enable (done, ready)
//   0x0c interrupt status (toggle on write)
//   0x10 num_points
//   0x18/0x1c bases address (low/high)   0x20/0x24 scalars address
//   0x28/0x2c buckets address
//   0x30/0x34 cycles of the last run (read only)
//   0x38 window bits C, 0x3c bucket count (read only; the host's reduction needs them)
`default_nettype none
module zk_axil_ctrl #(
    parameter [31:0] WINDOW_BITS = 4,
    parameter [31:0] BUCKET_COUNT = 512
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        awvalid,
    output wire        awready,
    input  wire [6:0]  awaddr,
    input  wire        wvalid,
    output wire        wready,
    input  wire [31:0] wdata,
    input  wire [3:0]  wstrb,
    output reg         bvalid,
    input  wire        bready,
    output wire [1:0]  bresp,
    input  wire        arvalid,
    output wire        arready,
    input  wire [6:0]  araddr,
    output reg         rvalid,
    input  wire        rready,
    output reg  [31:0] rdata,
    output wire [1:0]  rresp,
    output wire        irq,
    output reg         ap_start,
    input  wire        ap_done,
    input  wire        ap_idle,
    input  wire        ap_ready,
    input  wire [63:0] cycles,
    output reg  [31:0] num_points,
    output reg  [63:0] bases,
    output reg  [63:0] scalars,
    output reg  [63:0] buckets
);
    reg done_seen, ready_seen, auto_restart, gie;
    reg [1:0] ier, isr;

    wire write = awvalid && wvalid && !bvalid;
    assign awready = write;
    assign wready = write;
    assign bresp = 2'b00;
    assign arready = !rvalid;
    assign rresp = 2'b00;
    assign irq = gie && (|isr);

    function [31:0] merge(input [31:0] old, input [31:0] new_value, input [3:0] strobe);
        integer b;
        begin
            for (b = 0; b < 4; b = b + 1) merge[b*8 +: 8] = strobe[b] ? new_value[b*8 +: 8] : old[b*8 +: 8];
        end
    endfunction

    always @(posedge clk) begin
        if (bvalid && bready) bvalid <= 1'b0;
        if (rvalid && rready) rvalid <= 1'b0;

        if (ap_ready) ap_start <= 1'b0;
        if (ap_done) begin
            done_seen <= 1'b1;
            if (ier[0]) isr[0] <= 1'b1;
        end
        if (ap_ready) begin
            ready_seen <= 1'b1;
            if (ier[1]) isr[1] <= 1'b1;
        end

        if (write) begin
            bvalid <= 1'b1;
            case (awaddr)
                7'h00: begin
                    if (wstrb[0] && wdata[0]) ap_start <= 1'b1;
                    if (wstrb[0]) auto_restart <= wdata[7];
                end
                7'h04: gie <= wdata[0];
                7'h08: ier <= wdata[1:0];
                7'h0c: isr <= isr ^ wdata[1:0];
                7'h10: num_points <= merge(num_points, wdata, wstrb);
                7'h18: bases[31:0] <= merge(bases[31:0], wdata, wstrb);
                7'h1c: bases[63:32] <= merge(bases[63:32], wdata, wstrb);
                7'h20: scalars[31:0] <= merge(scalars[31:0], wdata, wstrb);
                7'h24: scalars[63:32] <= merge(scalars[63:32], wdata, wstrb);
                7'h28: buckets[31:0] <= merge(buckets[31:0], wdata, wstrb);
                7'h2c: buckets[63:32] <= merge(buckets[63:32], wdata, wstrb);
                default: ;
            endcase
        end

        if (arvalid && arready) begin
            rvalid <= 1'b1;
            case (araddr)
                7'h00: begin
                    rdata <= {24'd0, auto_restart, 3'd0, ready_seen, ap_idle, done_seen, ap_start};
                    done_seen <= ap_done;
                    ready_seen <= ap_ready;
                end
                7'h04: rdata <= {31'd0, gie};
                7'h08: rdata <= {30'd0, ier};
                7'h0c: rdata <= {30'd0, isr};
                7'h10: rdata <= num_points;
                7'h18: rdata <= bases[31:0];
                7'h1c: rdata <= bases[63:32];
                7'h20: rdata <= scalars[31:0];
                7'h24: rdata <= scalars[63:32];
                7'h28: rdata <= buckets[31:0];
                7'h2c: rdata <= buckets[63:32];
                7'h30: rdata <= cycles[31:0];
                7'h34: rdata <= cycles[63:32];
                7'h38: rdata <= WINDOW_BITS;
                7'h3c: rdata <= BUCKET_COUNT;
                default: rdata <= 32'd0;
            endcase
        end

        if (rst) begin
            bvalid <= 1'b0;
            rvalid <= 1'b0;
            ap_start <= 1'b0;
            done_seen <= 1'b0;
            ready_seen <= 1'b0;
            auto_restart <= 1'b0;
            gie <= 1'b0;
            ier <= 2'b00;
            isr <= 2'b00;
            num_points <= 32'd0;
            bases <= 64'd0;
            scalars <= 64'd0;
            buckets <= 64'd0;
        end
    end
endmodule
`default_nettype wire
