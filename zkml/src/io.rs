//! Files: inputs in EZKL's JSON format, keys and SRS in halo2's formats,
//! settings and public values as JSON. Every error names its file.

use std::path::Path;

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::SerdeFormat;
use serde::{Deserialize, Serialize};

use crate::circuit::ModelCircuit;
use crate::{FileEntry, ModelSettings, ZkmlError};

/// Reads inputs in EZKL's format: `{"input_data": [[x, ...], ...]}`, one
/// flat row-major list per sample.
pub fn read_inputs(path: &Path) -> Result<Vec<Vec<f64>>, ZkmlError> {
    let text = read_text(path)?;
    parse_inputs(&text).map_err(|e| ZkmlError::Input(format!("{}: {e}", path.display())))
}

/// Parses [`read_inputs`]' format.
pub fn parse_inputs(text: &str) -> Result<Vec<Vec<f64>>, String> {
    #[derive(Deserialize)]
    struct Inputs {
        input_data: Vec<Vec<f64>>,
    }
    let inputs: Inputs =
        serde_json::from_str(text).map_err(|e| format!("expected {{\"input_data\": [[numbers]]}}: {e}"))?;
    Ok(inputs.input_data)
}

/// The largest JSON or input file read (a model's inputs, settings,
/// compiled model, public values): far above any real one, and what keeps a
/// file that never ends (a device, a pipe) from exhausting memory.
pub const MAX_TEXT_FILE: u64 = 1 << 30;

/// The largest proving key read: a few times the largest SRS.
pub const MAX_BINARY_FILE: u64 = 1 << 36;

/// The largest SRS read: 2^24 points (the compiler's largest `k`) take 2 GiB
/// in halo2's format.
pub const MAX_SRS_FILE: u64 = 1 << 32;

/// The largest ONNX file read (protobuf's own limit).
pub const MAX_ONNX_FILE: u64 = 1 << 31;

/// Reads `path` whole, refusing more than `limit` bytes: a regular file by
/// its size before reading, anything else (a device, a pipe) as it streams.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ZkmlError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ZkmlError::io(path))?;
    let too_large = || ZkmlError::invalid_file(path, format!("larger than {limit} bytes"));
    let metadata = file.metadata().map_err(ZkmlError::io(path))?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(ZkmlError::io(path))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bounded`] at [`MAX_TEXT_FILE`], as UTF-8.
fn read_text(path: &Path) -> Result<String, ZkmlError> {
    String::from_utf8(read_bounded(path, MAX_TEXT_FILE)?).map_err(|e| ZkmlError::invalid_file(path, e))
}

/// Writes a key in halo2's raw-bytes format; returns its manifest entry
/// (as every writer here does).
pub fn write_pk(pk: &ProvingKey<G1Affine>, path: &Path) -> Result<FileEntry, ZkmlError> {
    write_recorded(path, |file| pk.write(file, SerdeFormat::RawBytes))
}

/// Reads a proving key written by [`write_pk`].
pub fn read_pk(path: &Path, settings: &ModelSettings) -> Result<ProvingKey<G1Affine>, ZkmlError> {
    parse_pk(path, &read_bounded(path, MAX_BINARY_FILE)?, settings)
}

/// Parses a proving key from `bytes` (`path` names them in errors).
pub fn parse_pk(path: &Path, bytes: &[u8], settings: &ModelSettings) -> Result<ProvingKey<G1Affine>, ZkmlError> {
    check_key_header(path, bytes, settings, "proving")?;
    let pk = parse_exactly(path, bytes, "a proving key for this model", |bytes| {
        ProvingKey::read::<_, ModelCircuit>(bytes, SerdeFormat::RawBytes, settings.shape)
    })?;
    check_key_points(path, pk.get_vk(), "proving")?;
    Ok(pk)
}

/// The key's commitments are on the curve (halo2curves' raw reads check
/// only that coordinates are below the modulus).
fn check_key_points(path: &Path, vk: &VerifyingKey<G1Affine>, kind: &str) -> Result<(), ZkmlError> {
    use halo2_axiom::halo2curves::CurveAffine;
    let mut points = vk.fixed_commitments().iter().chain(vk.permutation().commitments());
    if let Some(i) = points.position(|p| !bool::from(p.is_on_curve())) {
        return Err(ZkmlError::invalid_file(path, format!("not a {kind} key: its commitment {i} is not on the curve")));
    }
    Ok(())
}

/// A key's header before halo2 reads the rest: `k` (bytes 1..5, which
/// sizes halo2's domain and selector allocations) must be the model's, and
/// the selector-compression flag (byte 5) keygen's 0.
fn check_key_header(path: &Path, bytes: &[u8], settings: &ModelSettings, kind: &str) -> Result<(), ZkmlError> {
    let bad = |what: String| Err(ZkmlError::invalid_file(path, format!("not a {kind} key for this model: {what}")));
    let Some(header) = bytes.get(..6) else { return bad(format!("{} bytes", bytes.len())) };
    let k = u32::from_le_bytes(header[1..5].try_into().expect("four bytes"));
    if k != settings.k {
        return bad(format!("made for 2^{k} rows, the model has 2^{}", settings.k));
    }
    if header[5] != 0 {
        return bad("its selectors are compressed".into());
    }
    Ok(())
}

/// Writes a verifying key.
pub fn write_vk(vk: &VerifyingKey<G1Affine>, path: &Path) -> Result<FileEntry, ZkmlError> {
    write_recorded(path, |file| vk.write(file, SerdeFormat::RawBytes))
}

/// Reads a verifying key written by [`write_vk`].
pub fn read_vk(path: &Path, settings: &ModelSettings) -> Result<VerifyingKey<G1Affine>, ZkmlError> {
    parse_vk(path, &read_bounded(path, MAX_TEXT_FILE)?, settings)
}

/// Parses a verifying key from `bytes` (`path` names them in errors).
///
/// Only the canonical encoding is a key: halo2's reader ignores some bits
/// (the selector-compression flag, byte 5, in a circuit without selectors
/// such as the model's; the padding of packed selector bytes), so the flag
/// must be keygen's 0 (`keygen_vk` does not compress) and the key, written
/// back, must give `bytes` again.
pub fn parse_vk(path: &Path, bytes: &[u8], settings: &ModelSettings) -> Result<VerifyingKey<G1Affine>, ZkmlError> {
    check_key_header(path, bytes, settings, "verifying")?;
    let vk = parse_exactly(path, bytes, "a verifying key for this model", |bytes| {
        VerifyingKey::read::<_, ModelCircuit>(bytes, SerdeFormat::RawBytes, settings.shape)
    })?;
    check_key_points(path, &vk, "verifying")?;
    let mut canonical = Vec::with_capacity(bytes.len());
    vk.write(&mut canonical, SerdeFormat::RawBytes).map_err(|e| ZkmlError::invalid_file(path, e))?;
    if canonical != bytes {
        return Err(ZkmlError::invalid_file(path, "not a verifying key in its canonical encoding"));
    }
    Ok(vk)
}

/// Writes an SRS in halo2's format.
pub fn write_srs(srs: &ParamsKZG<Bn256>, path: &Path) -> Result<FileEntry, ZkmlError> {
    use halo2_axiom::poly::commitment::Params;
    write_recorded(path, |file| srs.write(file))
}

/// Reads an SRS in halo2's format ([`parse_srs`]).
pub fn read_srs(path: &Path) -> Result<ParamsKZG<Bn256>, ZkmlError> {
    parse_srs(path, &read_bounded(path, MAX_SRS_FILE)?)
}

/// Parses an SRS from `bytes` (`path` names them in errors).
///
/// Every point is checked: coordinates below the modulus and on the curve
/// (halo2's own `Params::read` checks neither).
pub fn parse_srs(path: &Path, bytes: &[u8]) -> Result<ParamsKZG<Bn256>, ZkmlError> {
    let srs = parse_srs_unchecked(path, bytes)?;
    match zkaccel_frontend_halo2::srs_points_off_curve(&srs) {
        Ok(None) => Ok(srs),
        Ok(Some(i)) => Err(ZkmlError::invalid_file(path, format!("not an SRS: its point {i} is not on the curve"))),
        Err(e) => Err(ZkmlError::invalid_file(path, format!("not an SRS ({e})"))),
    }
}

/// [`parse_srs`] without the curve check of its points: the header, the
/// length and the coordinates (below the modulus) only. For an SRS that
/// goes straight into `AcceleratedParams::new`, which checks every point as
/// it prepares them (see [`crate::ModelDir::accelerated_srs`]); checking
/// here as well would read every point twice.
pub fn parse_srs_unchecked(path: &Path, bytes: &[u8]) -> Result<ParamsKZG<Bn256>, ZkmlError> {
    // k first: halo2 sizes its tables by it.
    match bytes.get(..4).map(|k| u32::from_le_bytes(k.try_into().expect("four bytes"))) {
        Some(k) if (1..=crate::settings::MAX_K).contains(&k) => {}
        Some(k) => return Err(ZkmlError::invalid_file(path, format!("not an SRS: 2^{k} points"))),
        None => return Err(ZkmlError::invalid_file(path, "not an SRS: shorter than its header")),
    }
    parse_exactly(path, bytes, "an SRS", |bytes| ParamsKZG::read_custom(bytes, SerdeFormat::RawBytes))
}

/// Parses `bytes` (of `path`) with `parse`, which must consume every byte.
/// halo2's readers panic on some truncated or corrupt inputs (they index
/// past the end or unwrap a decoding): that becomes this file's error, as
/// does anything left after the parsed value.
pub(crate) fn parse_exactly<T>(
    path: &Path,
    bytes: &[u8],
    what: &str,
    parse: impl FnOnce(&mut &[u8]) -> std::io::Result<T>,
) -> Result<T, ZkmlError> {
    let mut unread = bytes;
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&mut unread)))
        .map_err(|_| ZkmlError::invalid_file(path, format!("not {what} (truncated or corrupt)")))?
        .map_err(|e| ZkmlError::invalid_file(path, format!("not {what} ({e})")))?;
    if !unread.is_empty() {
        return Err(ZkmlError::invalid_file(path, format!("not {what}: {} bytes follow it", unread.len())));
    }
    Ok(parsed)
}

/// Writes `value` as pretty JSON (atomically, see [`write_file`]).
pub fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<FileEntry, ZkmlError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ZkmlError::invalid_file(path, e))?;
    write_file(path, (text + "\n").as_bytes())
}

/// Writes `bytes` to `path` atomically: into a temporary file in the same
/// directory, flushed and synced, then renamed over `path`. A failed or
/// interrupted write leaves the earlier file (or none) in place, never a
/// partial one.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<FileEntry, ZkmlError> {
    write_recorded(path, |file| std::io::Write::write_all(file, bytes))
}

/// Reads `settings.json` and checks it ([`ModelSettings::check`]).
pub fn read_settings(path: &Path) -> Result<ModelSettings, ZkmlError> {
    parse_settings(path, &read_bounded(path, MAX_TEXT_FILE)?)
}

/// Parses and checks settings from `bytes` (`path` names them in errors).
pub fn parse_settings(path: &Path, bytes: &[u8]) -> Result<ModelSettings, ZkmlError> {
    let settings: ModelSettings = parse_json(path, bytes)?;
    settings.check().map_err(|e| ZkmlError::invalid_file(path, e))?;
    Ok(settings)
}

/// Reads `compiled.json` and checks it ([`crate::CompiledModel::check`]).
pub fn read_compiled(path: &Path) -> Result<crate::CompiledModel, ZkmlError> {
    parse_compiled(path, &read_bounded(path, MAX_TEXT_FILE)?)
}

/// Parses and checks a compiled model from `bytes` (`path` names them in errors).
pub fn parse_compiled(path: &Path, bytes: &[u8]) -> Result<crate::CompiledModel, ZkmlError> {
    let model: crate::CompiledModel = parse_json(path, bytes)?;
    model.check().map_err(|e| ZkmlError::invalid_file(path, e))?;
    Ok(model)
}

/// Reads JSON written by [`write_json`].
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, ZkmlError> {
    parse_json(path, &read_bounded(path, MAX_TEXT_FILE)?)
}

fn parse_json<T: for<'de> Deserialize<'de>>(path: &Path, bytes: &[u8]) -> Result<T, ZkmlError> {
    serde_json::from_slice(bytes).map_err(|e| ZkmlError::invalid_file(path, e))
}

/// What [`write_recorded`] writes through: a buffered file that hashes
/// what passes, so a manifest entry costs no second pass over the file.
struct HashingWriter {
    file: std::io::BufWriter<std::fs::File>,
    hash: blake2b_simd::State,
    len: u64,
}

impl std::io::Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `path` atomically with `write`: a temporary sibling written
/// through a buffer, flushed with a check (a buffer dropped unflushed would
/// lose a write error, as on a full disk), synced, then renamed into place;
/// on any error the temporary file is removed and `path` is untouched.
/// Returns the written file's manifest entry.
fn write_recorded(
    path: &Path,
    write: impl FnOnce(&mut HashingWriter) -> std::io::Result<()>,
) -> Result<FileEntry, ZkmlError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| ZkmlError::invalid_file(path, "not a file name"))?;
    let temporary = path.with_file_name(format!(
        ".{}.{}-{}.partial",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let file = std::fs::File::create_new(&temporary)?;
        let mut hashing = HashingWriter { file: std::io::BufWriter::new(file), hash: FileEntry::hasher(), len: 0 };
        write(&mut hashing)?;
        let file = hashing.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        Ok(FileEntry::from_hash(hashing.len, &hashing.hash))
    })();
    if written.is_err() {
        // Nothing to report beyond the write's own error.
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(ZkmlError::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// An SRS with a point moved off the curve (its y's low byte changed) is
    /// refused, where halo2's own reader would take it; the honest one reads.
    #[test]
    fn an_srs_point_off_the_curve_is_refused() {
        use halo2_axiom::poly::commitment::Params;
        let mut bytes = Vec::new();
        crate::local_srs(4, 1).write(&mut bytes).unwrap();
        let path = Path::new("srs.bin");
        assert!(parse_srs(path, &bytes).is_ok());
        // k (4 bytes), then the first monomial point: x (32 bytes), y (32 bytes).
        for offset in [4 + 32, 4 + 16 * 64 + 32, 4 + 5 * 64 + 33] {
            let mut bad = bytes.clone();
            bad[offset] ^= 1;
            assert!(ParamsKZG::<Bn256>::read(&mut bad.as_slice()).is_ok(), "halo2's reader takes it");
            assert!(matches!(parse_srs(path, &bad), Err(e) if e.to_string().contains("not an SRS")), "{offset}");
        }
    }

    /// A write replaces the file whole; a write that fails midway leaves the
    /// earlier file and no temporary one; a missing directory is an error
    /// that names the file.
    #[test]
    fn writes_are_atomic() {
        let dir = std::env::temp_dir().join(format!("zkaccel-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("proof.bin");
        write_file(&path, b"first").unwrap();
        write_file(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        let failed = write_recorded(&path, |file| {
            std::io::Write::write_all(file, &[7; 100_000])?;
            Err(std::io::Error::other("the disk is full"))
        });
        assert!(matches!(&failed, Err(e) if e.to_string().contains("proof.bin") && e.to_string().contains("full")));
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        assert_eq!(listing(&dir), ["proof.bin"]);
        // A file that never ends is refused at the limit, not read forever.
        if Path::new("/dev/zero").exists() {
            let endless = read_bounded(Path::new("/dev/zero"), 1 << 20);
            assert!(matches!(endless, Err(e) if e.to_string().contains("larger than")));
        }
        assert_eq!(read_bounded(&path, 14).unwrap(), b"second, longer");
        assert!(read_bounded(&path, 13).is_err());
        let missing = dir.join("missing").join("vk.bin");
        assert!(matches!(write_file(&missing, b"x"), Err(e) if e.to_string().contains("vk.bin")));
        assert_eq!(listing(&dir), ["proof.bin"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
