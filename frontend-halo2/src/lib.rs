//! halo2-axiom adapters for zkaccel.
//!
//! Status: not implemented yet. The accelerated KZG commitment scheme, the
//! zero-copy conversions between halo2curves-axiom and zkaccel types, and
//! `prove`/`verify` helpers arrive with the halo2 frontend issue. This crate
//! deliberately exports nothing until then, so nothing can depend on a stub.
