//! The kernels of `kernels/zkaccel.cu`, named once: NVRTC's checks, module
//! loading and every launch take them from this table.

/// Declares [`Kernel`] from `Variant => "extern C name"` rows.
macro_rules! kernel_table {
    ($($variant:ident => $name:literal,)*) => {
        /// An `extern "C" __global__` function of `kernels/zkaccel.cu`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kernel {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Kernel {
            /// Every kernel, in declaration order (`kernel as usize` indexes it).
            pub const ALL: &'static [Kernel] = &[$(Kernel::$variant),*];

            /// The kernel's symbol in the compiled module.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Kernel::$variant => $name,)*
                }
            }
        }
    };
}

kernel_table! {
    MsmDigits => "msm_digits",
    MsmScatter => "msm_scatter",
    MsmAccumulate => "msm_accumulate",
    MsmReduce => "msm_reduce",
    MsmTreeSum => "msm_tree_sum",
    MsmCombine => "msm_combine",
    ScanU32Chunk => "scan_u32_chunk",
    ScanU32Sums => "scan_u32_sums",
    ScanU32Add => "scan_u32_add",
    PrefixProductChunk => "prefix_product_chunk",
    PrefixProductSums => "prefix_product_sums",
    PrefixProductApply => "prefix_product_apply",
    NttBitReverse => "ntt_bit_reverse",
    NttTilePass => "ntt_tile_pass",
    NttScale => "ntt_scale",
    NttPowers => "ntt_powers",
    BatchInverseChunk => "batch_inverse_chunk",
    TableInsert => "table_insert",
    MultiplicityCount => "multiplicity_count",
    ConstraintRows => "constraint_rows",
}
