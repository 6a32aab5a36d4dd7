//! Kernel sources and their compilation by NVRTC, with an on-disk cache.
//!
//! The sources are embedded in the crate. A build is keyed by the SHA-256 of
//! the sources, the options, the target architecture and the NVRTC version,
//! so a changed kernel or toolkit never loads a stale binary.

use std::ffi::{c_char, CString};
use std::path::PathBuf;

use cudarc::nvrtc::sys;
use sha2::{Digest, Sha256};

/// The headers, by the names the sources `#include` them.
pub const HEADERS: [(&str, &str); 8] = [
    ("common.cuh", include_str!("../kernels/common.cuh")),
    ("field.cuh", include_str!("../kernels/field.cuh")),
    ("curve.cuh", include_str!("../kernels/curve.cuh")),
    ("scan.cuh", include_str!("../kernels/scan.cuh")),
    ("msm.cuh", include_str!("../kernels/msm.cuh")),
    ("ntt.cuh", include_str!("../kernels/ntt.cuh")),
    ("lookup.cuh", include_str!("../kernels/lookup.cuh")),
    ("constraints.cuh", include_str!("../kernels/constraints.cuh")),
];

/// The translation unit that defines every kernel.
pub const MAIN: (&str, &str) = ("zkaccel.cu", include_str!("../kernels/zkaccel.cu"));

/// What NVRTC produces: machine code for one GPU (`sm_XY`), or PTX for the
/// driver to finish (`compute_XY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A cubin for compute capability X.Y, written `XY`.
    Cubin(u32),
    /// PTX for virtual architecture `compute_XY`.
    Ptx(u32),
}

impl Target {
    fn arch_option(self) -> String {
        match self {
            Target::Cubin(cc) => format!("--gpu-architecture=sm_{cc}"),
            Target::Ptx(cc) => format!("--gpu-architecture=compute_{cc}"),
        }
    }
}

/// Whether the NVRTC library can be loaded, or why not.
pub fn probe() -> Result<(), String> {
    // SAFETY: only tries to dlopen the library under its usual names.
    if unsafe { sys::is_culib_present() } {
        Ok(())
    } else {
        Err("the NVRTC library (libnvrtc.so.13) was not found: install the nvidia-cuda-nvrtc wheel or a CUDA \
             toolkit and put its lib directory on LD_LIBRARY_PATH"
            .into())
    }
}

/// NVRTC's version, `(major, minor)`.
pub fn version() -> Result<(i32, i32), String> {
    probe()?;
    let (mut major, mut minor) = (0, 0);
    // SAFETY: two out-pointers to live integers.
    unsafe { sys::nvrtcVersion(&mut major, &mut minor) }.result().map_err(|e| format!("nvrtcVersion: {e:?}"))?;
    Ok((major, minor))
}

/// The options every build uses, besides the architecture.
const OPTIONS: [&str; 1] = ["--std=c++17"];

/// Compiles every kernel for `target`; the error carries NVRTC's log.
pub fn compile(target: Target) -> Result<Vec<u8>, String> {
    probe()?;
    let c = |s: &str| CString::new(s).map_err(|_| "a kernel source contains a NUL byte".to_string());
    let src = c(MAIN.1)?;
    let name = c(MAIN.0)?;
    let header_texts = HEADERS.iter().map(|(_, text)| c(text)).collect::<Result<Vec<_>, _>>()?;
    let header_names = HEADERS.iter().map(|(name, _)| c(name)).collect::<Result<Vec<_>, _>>()?;
    let texts: Vec<*const c_char> = header_texts.iter().map(|s| s.as_ptr()).collect();
    let names: Vec<*const c_char> = header_names.iter().map(|s| s.as_ptr()).collect();
    let options: Vec<CString> = std::iter::once(target.arch_option())
        .chain(OPTIONS.iter().map(|s| s.to_string()))
        .map(|s| c(&s))
        .collect::<Result<_, _>>()?;
    let option_ptrs: Vec<*const c_char> = options.iter().map(|s| s.as_ptr()).collect();

    let mut prog: sys::nvrtcProgram = std::ptr::null_mut();
    // SAFETY: every pointer refers to a NUL-terminated string that outlives the program.
    unsafe {
        sys::nvrtcCreateProgram(
            &mut prog,
            src.as_ptr(),
            name.as_ptr(),
            texts.len() as i32,
            texts.as_ptr(),
            names.as_ptr(),
        )
    }
    .result()
    .map_err(|e| format!("nvrtcCreateProgram: {e:?}"))?;
    let program = Program(prog);

    // SAFETY: a live program and live option strings.
    let compiled = unsafe { sys::nvrtcCompileProgram(program.0, option_ptrs.len() as i32, option_ptrs.as_ptr()) };
    if compiled.result().is_err() {
        return Err(format!("NVRTC could not compile the kernels ({compiled:?}):\n{}", program.log()));
    }
    let (size_fn, get_fn): (unsafe fn(_, _) -> _, unsafe fn(_, _) -> _) = match target {
        Target::Cubin(_) => (sys::nvrtcGetCUBINSize, sys::nvrtcGetCUBIN),
        Target::Ptx(_) => (sys::nvrtcGetPTXSize, sys::nvrtcGetPTX),
    };
    let mut size = 0usize;
    // SAFETY: a compiled program; the buffer has the size NVRTC reported.
    unsafe { size_fn(program.0, &mut size) }.result().map_err(|e| format!("NVRTC output size: {e:?}"))?;
    let mut out = vec![0u8; size];
    // SAFETY: as above.
    unsafe { get_fn(program.0, out.as_mut_ptr().cast()) }.result().map_err(|e| format!("NVRTC output: {e:?}"))?;
    Ok(out)
}

/// Owns an NVRTC program.
struct Program(sys::nvrtcProgram);

impl Program {
    fn log(&self) -> String {
        let mut size = 0usize;
        // SAFETY: a live program; the buffer has the size NVRTC reported.
        if unsafe { sys::nvrtcGetProgramLogSize(self.0, &mut size) }.result().is_err() {
            return "(no log)".into();
        }
        let mut log = vec![0u8; size];
        // SAFETY: as above.
        if unsafe { sys::nvrtcGetProgramLog(self.0, log.as_mut_ptr().cast()) }.result().is_err() {
            return "(no log)".into();
        }
        String::from_utf8_lossy(&log).trim_end_matches('\0').to_string()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: created by nvrtcCreateProgram and destroyed once.
        let _ = unsafe { sys::nvrtcDestroyProgram(&mut self.0) };
    }
}

/// The cache key of a build: sources, options, target and NVRTC version.
pub fn cache_key(target: Target, nvrtc_version: (i32, i32)) -> String {
    let mut h = Sha256::new();
    for (name, text) in HEADERS.iter().chain(std::iter::once(&MAIN)) {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.update(target.arch_option().as_bytes());
    for option in OPTIONS {
        h.update(option.as_bytes());
    }
    h.update(format!("nvrtc {}.{}", nvrtc_version.0, nvrtc_version.1).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where compiled kernels are kept: `ZKACCEL_CUDA_CACHE`, else
/// `$XDG_CACHE_HOME/zkaccel/cuda`, else `~/.cache/zkaccel/cuda`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ZKACCEL_CUDA_CACHE") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("zkaccel").join("cuda"))
}

/// The kernels for `target`, from the cache or compiled (and then cached).
/// A cache that cannot be read or written only costs a compilation.
pub fn load_or_compile(target: Target) -> Result<Vec<u8>, String> {
    let key = cache_key(target, version()?);
    let path = cache_dir().map(|d| d.join(format!("{key}.bin")));
    if let Some(bytes) = path.as_ref().and_then(|p| std::fs::read(p).ok()).filter(|b| !b.is_empty()) {
        return Ok(bytes);
    }
    let bytes = compile(target)?;
    if let Some(path) = path {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let stored = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&tmp, &bytes))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = stored {
            tracing::debug!("cannot cache the CUDA kernels at {}: {e}", path.display());
        }
    }
    Ok(bytes)
}
