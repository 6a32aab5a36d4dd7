// Modular addition and subtraction for inputs below MODULUS (a parameter of
// the including module). Included inside a module body.
function [255:0] mod_add(input [255:0] x, input [255:0] y);
    reg [256:0] s, d;
    begin
        s = {1'b0, x} + {1'b0, y};
        d = s - {1'b0, MODULUS};
        mod_add = d[256] ? s[255:0] : d[255:0];
    end
endfunction

function [255:0] mod_sub(input [255:0] x, input [255:0] y);
    reg [256:0] d;
    begin
        d = {1'b0, x} - {1'b0, y};
        mod_sub = d[256] ? d[255:0] + MODULUS : d[255:0];
    end
endfunction
