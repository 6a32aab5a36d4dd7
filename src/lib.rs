//! zkaccel
