//! With feature `host-kernels`: compiles `kernels/host_emu.cpp` (the kernels'
//! bodies for the host) into a static library for the tests.

fn main() {
    println!("cargo:rerun-if-changed=kernels");
    #[cfg(feature = "host-kernels")]
    cc::Build::new()
        .cpp(true)
        .file("kernels/host_emu.cpp")
        .include("kernels")
        .flag_if_supported("-std=c++17")
        .opt_level(2)
        .debug(false)
        .warnings(true)
        .compile("zkaccel_cuda_host");
}
