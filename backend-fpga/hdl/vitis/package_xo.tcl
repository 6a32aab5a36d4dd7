# Packages hdl/rtl as the Vitis RTL kernel krnl_msm.xo.
# vivado -mode batch -source package_xo.tcl -tclargs <part> <window-bits> <word> <out.xo>
# Needs Vivado (not run on zkaccel's CI machines; see docs/fpga.md).
set part [lindex $argv 0]
set window_bits [lindex $argv 1]
set word [lindex $argv 2]
set xo_path [lindex $argv 3]
set here [file dirname [file normalize [info script]]]
set rtl [file normalize "$here/../rtl"]
set work [file normalize "./krnl_msm_pkg"]

create_project -force krnl_msm_pkg $work -part $part
add_files [glob $rtl/*.v $rtl/*.vh]
set_property top krnl_msm [current_fileset]
set_property generic "C=$window_bits WORD=$word" [current_fileset]
update_compile_order -fileset sources_1

ipx::package_project -root_dir "$work/ip" -vendor zkaccel.dev -library kernel -taxonomy /KernelIP -import_files -set_current false
ipx::unload_core "$work/ip/component.xml"
ipx::edit_ip_in_project -upgrade true -name tmp_edit_project -directory "$work/ip" "$work/ip/component.xml"
set core [ipx::current_core]
set_property core_revision 1 $core
foreach bus {s_axi_control m_axi_bases m_axi_scalars m_axi_buckets} {
    ipx::associate_bus_interfaces -busif $bus -clock ap_clk $core
}
ipx::infer_bus_interface ap_clk xilinx.com:signal:clock_rtl:1.0 $core
ipx::infer_bus_interface ap_rst_n xilinx.com:signal:reset_rtl:1.0 $core
ipx::infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0 $core
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property ipi_drc {ignore_freq_hz true} $core
set_property vitis_drc {ctrl_protocol ap_ctrl_hs} $core
ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete

package_xo -force -xo_path $xo_path -kernel_name krnl_msm -ip_directory "$work/ip" -kernel_xml "$here/kernel.xml"
