//! A model directory: its files read through its manifest, under its lock.
//!
//! `manifest.json` records the length and Blake2b-256 hash of every file a
//! command wrote (`compiled.json`, `settings.json`, `srs.bin`, `pk.bin`,
//! `vk.bin`) and the zkaccel version that wrote it; a command reads a file
//! only if it matches its entry. A file changed by hand, left from before
//! the last `compile` (whose keys no longer fit), or written by a command
//! that was killed before it updated the manifest is a clear error instead
//! of a key or model silently trusted. The manifest is written last, after
//! the files it lists (each written atomically), so an interrupted command
//! leaves a directory whose manifest still describes the earlier good files.
//!
//! Commands that write take the directory's lock exclusively and commands
//! that only read take it shared (`.zkaccel.lock`, an advisory file lock):
//! a second `prove` into a directory that a `prove` or `setup` is using is
//! refused at once, never interleaved with it.

use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;

use zkaccel::Accelerator;
use zkaccel_frontend_halo2::AcceleratedParams;

use crate::io::{self, read_bounded};
use crate::{ModelSettings, ZkmlError};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The quantized model (the prover's).
pub const COMPILED: &str = "compiled.json";
/// The verifier's settings.
pub const SETTINGS: &str = "settings.json";
/// The SRS.
pub const SRS: &str = "srs.bin";
/// The proving key.
pub const PK: &str = "pk.bin";
/// The verifying key.
pub const VK: &str = "vk.bin";
/// The lock file's name.
const LOCK: &str = ".zkaccel.lock";

/// What a command does with the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Reads only (`verify`): a shared lock.
    Read,
    /// Writes files (`compile`, `setup`, `prove`, `evm`): an exclusive lock.
    Write,
}

/// One file's entry in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Length in bytes.
    pub bytes: u64,
    /// Blake2b-256 of the contents, in hex.
    pub blake2b: String,
}

impl FileEntry {
    /// The entry of a file holding `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut hash = Self::hasher();
        hash.update(bytes);
        Self::from_hash(bytes.len() as u64, &hash)
    }

    pub(crate) fn hasher() -> blake2b_simd::State {
        blake2b_simd::Params::new().hash_length(32).to_state()
    }

    pub(crate) fn from_hash(bytes: u64, hash: &blake2b_simd::State) -> Self {
        Self { bytes, blake2b: hex(hash.finalize().as_bytes()) }
    }
}

/// `manifest.json`: the files a model directory vouches for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The zkaccel version that last wrote the manifest.
    pub zkaccel: String,
    /// File name → entry.
    pub files: BTreeMap<String, FileEntry>,
}

/// A model directory opened for one command.
#[derive(Debug)]
pub struct ModelDir {
    dir: PathBuf,
    manifest: Option<Manifest>,
    /// Held until the command ends (the lock goes with the handle).
    _lock: Option<File>,
}

impl ModelDir {
    /// Opens `dir` (creating it for [`Access::Write`]), takes its lock and
    /// reads its manifest. Another command holding the lock against this
    /// access is an error that says so. A directory without a manifest (made
    /// before there were manifests, or holding only a verifier's files) is
    /// read unchecked, with a warning.
    pub fn open(dir: &Path, access: Access) -> Result<Self, ZkmlError> {
        if access == Access::Write {
            std::fs::create_dir_all(dir).map_err(ZkmlError::io(dir))?;
        }
        let lock = take_lock(dir, access)?;
        let path = dir.join(MANIFEST);
        let manifest = if path.exists() {
            let manifest: Manifest = crate::read_json(&path)?;
            if manifest.zkaccel != env!("CARGO_PKG_VERSION") {
                tracing::warn!(
                    "{} was written by zkaccel {}; this is {}",
                    path.display(),
                    manifest.zkaccel,
                    env!("CARGO_PKG_VERSION")
                );
            }
            Some(manifest)
        } else {
            None
        };
        Ok(Self { dir: dir.to_path_buf(), manifest, _lock: lock })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `name` in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether the directory has a manifest.
    pub fn has_manifest(&self) -> bool {
        self.manifest.is_some()
    }

    /// Reads `name` whole (at most `limit` bytes) and checks it against the
    /// manifest: absent from it, or other than it says, is an error.
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ZkmlError> {
        let path = self.file(name);
        let bytes = read_bounded(&path, limit)?;
        let Some(manifest) = &self.manifest else {
            tracing::warn!("{} has no {MANIFEST}: {name} is not checked against the other files", self.dir.display());
            return Ok(bytes);
        };
        let stale = |why: &str| {
            Err(ZkmlError::invalid_file(
                &path,
                format!(
                    "{why} in {MANIFEST}: it was changed after the command that made it, or is left from before the \
                     model's last compile or from an interrupted command (run compile and setup again)"
                ),
            ))
        };
        match manifest.files.get(name) {
            None => stale("not listed"),
            Some(entry) if *entry != FileEntry::of(&bytes) => stale("other than recorded"),
            Some(_) => Ok(bytes),
        }
    }

    /// `compiled.json`, checked ([`crate::read_compiled`]).
    pub fn compiled(&self) -> Result<crate::CompiledModel, ZkmlError> {
        io::parse_compiled(&self.file(COMPILED), &self.read(COMPILED, crate::MAX_TEXT_FILE)?)
    }

    /// `settings.json`, checked ([`crate::read_settings`]).
    pub fn settings(&self) -> Result<ModelSettings, ZkmlError> {
        io::parse_settings(&self.file(SETTINGS), &self.read(SETTINGS, crate::MAX_TEXT_FILE)?)
    }

    /// `srs.bin`.
    pub fn srs(&self) -> Result<ParamsKZG<Bn256>, ZkmlError> {
        io::parse_srs(&self.file(SRS), &self.read(SRS, crate::MAX_SRS_FILE)?)
    }

    /// `srs.bin` on `accelerator`, each point checked once (as the
    /// Accelerator prepares it, see [`io::parse_srs_unchecked`]); a point off
    /// the curve is this file's error.
    pub fn accelerated_srs(&self, accelerator: &Accelerator) -> Result<AcceleratedParams, ZkmlError> {
        let path = self.file(SRS);
        let srs = io::parse_srs_unchecked(&path, &self.read(SRS, crate::MAX_SRS_FILE)?)?;
        AcceleratedParams::new(srs, accelerator).map_err(|e| match e {
            zkaccel::Error::InvalidPoint { .. } | zkaccel::Error::InvalidShape { .. } => {
                ZkmlError::invalid_file(&path, format!("not an SRS: {e}"))
            }
            other => other.into(),
        })
    }

    /// `pk.bin`, for a model of `settings`.
    pub fn pk(&self, settings: &ModelSettings) -> Result<ProvingKey<G1Affine>, ZkmlError> {
        io::parse_pk(&self.file(PK), &self.read(PK, crate::MAX_BINARY_FILE)?, settings)
    }

    /// `vk.bin`, for a model of `settings`.
    pub fn vk(&self, settings: &ModelSettings) -> Result<VerifyingKey<G1Affine>, ZkmlError> {
        io::parse_vk(&self.file(VK), &self.read(VK, crate::MAX_TEXT_FILE)?, settings)
    }

    /// Records `name`'s entry; the manifest is written by [`Self::commit`],
    /// after every file of the command.
    fn record(&mut self, name: &str, entry: FileEntry) {
        self.manifest.get_or_insert_with(Manifest::default).files.insert(name.to_string(), entry);
    }

    /// Writes `bytes` to `name` atomically ([`crate::write_file`]) and records it.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), ZkmlError> {
        let entry = crate::write_file(&self.file(name), bytes)?;
        self.record(name, entry);
        Ok(())
    }

    /// Writes `value` to `name` as pretty JSON ([`crate::write_json`]) and records it.
    pub fn write_json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), ZkmlError> {
        let entry = crate::write_json(value, &self.file(name))?;
        self.record(name, entry);
        Ok(())
    }

    /// Writes `srs.bin` and records it.
    pub fn write_srs(&mut self, srs: &ParamsKZG<Bn256>) -> Result<(), ZkmlError> {
        let entry = crate::write_srs(srs, &self.file(SRS))?;
        self.record(SRS, entry);
        Ok(())
    }

    /// Writes `pk.bin` and records it.
    pub fn write_pk(&mut self, pk: &ProvingKey<G1Affine>) -> Result<(), ZkmlError> {
        let entry = crate::write_pk(pk, &self.file(PK))?;
        self.record(PK, entry);
        Ok(())
    }

    /// Writes `vk.bin` and records it.
    pub fn write_vk(&mut self, vk: &VerifyingKey<G1Affine>) -> Result<(), ZkmlError> {
        let entry = crate::write_vk(vk, &self.file(VK))?;
        self.record(VK, entry);
        Ok(())
    }

    /// Drops `names` from the manifest (files a new compile makes stale).
    pub fn forget(&mut self, names: &[&str]) {
        if let Some(manifest) = &mut self.manifest {
            for name in names {
                manifest.files.remove(*name);
            }
        }
    }

    /// Writes the manifest (atomically).
    pub fn commit(&mut self) -> Result<(), ZkmlError> {
        let manifest = self.manifest.get_or_insert_with(Manifest::default);
        manifest.zkaccel = env!("CARGO_PKG_VERSION").to_string();
        crate::write_json(&*manifest, &self.dir.join(MANIFEST)).map(|_| ())
    }
}

/// Takes `dir`'s lock for `access`. A directory where the lock file cannot
/// be made (read-only, as a verifier's copy may be) is read without one:
/// nothing can write there either.
fn take_lock(dir: &Path, access: Access) -> Result<Option<File>, ZkmlError> {
    let path = dir.join(LOCK);
    let file = match File::options().read(true).write(true).create(true).truncate(false).open(&path) {
        Ok(file) => file,
        Err(_) if access == Access::Read => return Ok(None),
        Err(e) => return Err(ZkmlError::io(&path)(e)),
    };
    let taken = match access {
        Access::Read => file.try_lock_shared(),
        Access::Write => file.try_lock(),
    };
    match taken {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Err(ZkmlError::Busy(format!(
            "{} is in use by another zkaccel command (compile, setup, prove or evm); run this one when it has finished",
            dir.display()
        ))),
        Err(TryLockError::Error(e)) => Err(ZkmlError::io(&path)(e)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Blake2b-256 of `bytes` in hex: what [`crate::PublicValues::proof_digest`] holds.
pub fn digest_hex(bytes: &[u8]) -> String {
    FileEntry::of(bytes).blake2b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prove path reads the SRS unchecked and lets `AcceleratedParams::new`
    /// check each point as it prepares it: a point off the curve in either base
    /// set, or in G2, is still this file's error, and the honest file's
    /// prepared Lagrange bases are the SRS's own.
    #[test]
    fn the_accelerated_srs_checks_every_point_once() {
        use halo2_axiom::poly::commitment::Params;
        let dir = std::env::temp_dir().join(format!("zkaccel-model-dir-srs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut bytes = Vec::new();
        crate::local_srs(4, 1).write(&mut bytes).unwrap();
        let accelerator = Accelerator::cpu_only();
        let with_srs = |bytes: &[u8]| {
            let mut writer = ModelDir::open(&dir, Access::Write).unwrap();
            writer.write(SRS, bytes).unwrap();
            writer.commit().unwrap();
            drop(writer);
            ModelDir::open(&dir, Access::Read).unwrap().accelerated_srs(&accelerator)
        };
        let params = with_srs(&bytes).unwrap();
        let srs = io::parse_srs(Path::new(SRS), &bytes).unwrap();
        for row in [0, 1, 15] {
            assert_eq!(
                params.lagrange_basis_point(row).unwrap(),
                zkaccel_frontend_halo2::lagrange_basis_point(&srs, row).unwrap()
            );
        }
        assert!(params.lagrange_basis_point(16).is_err());
        // k (4 bytes), 16 monomial and 16 Lagrange points (x, y: 32 bytes each), then [1]₂ and [τ]₂.
        for offset in [4 + 32, 4 + 16 * 64 + 32, 4 + 5 * 64 + 33, 4 + 32 * 64 + 64, 4 + 32 * 64 + 128 + 70] {
            let mut bad = bytes.clone();
            bad[offset] ^= 1;
            assert!(ParamsKZG::<Bn256>::read(&mut bad.as_slice()).is_ok(), "halo2's reader takes it");
            match with_srs(&bad) {
                Err(e) => assert!(e.to_string().contains("srs.bin") && e.to_string().contains("not an SRS"), "{e}"),
                Ok(_) => panic!("a point off the curve at byte {offset} was taken"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Files read back as written; a changed, unlisted or forgotten file is
    /// refused; a writer excludes every other command and a reader excludes
    /// writers but not readers.
    #[test]
    fn the_manifest_vouches_for_files_and_the_lock_excludes_writers() {
        let dir = std::env::temp_dir().join(format!("zkaccel-model-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut writer = ModelDir::open(&dir, Access::Write).unwrap();
        writer.write("compiled.json", b"{}").unwrap();
        writer.write("pk.bin", b"key").unwrap();
        writer.commit().unwrap();
        assert!(matches!(ModelDir::open(&dir, Access::Write), Err(ZkmlError::Busy(_))));
        assert!(matches!(ModelDir::open(&dir, Access::Read), Err(ZkmlError::Busy(_))));
        drop(writer);

        let reader = ModelDir::open(&dir, Access::Read).unwrap();
        let second_reader = ModelDir::open(&dir, Access::Read).unwrap();
        assert!(matches!(ModelDir::open(&dir, Access::Write), Err(ZkmlError::Busy(_))));
        assert_eq!(reader.read("pk.bin", 100).unwrap(), b"key");
        std::fs::write(dir.join("pk.bin"), b"kex").unwrap();
        assert!(matches!(reader.read("pk.bin", 100), Err(e) if e.to_string().contains("other than recorded")));
        std::fs::write(dir.join("vk.bin"), b"vk").unwrap();
        assert!(matches!(second_reader.read("vk.bin", 100), Err(e) if e.to_string().contains("not listed")));
        drop((reader, second_reader));

        let mut compile = ModelDir::open(&dir, Access::Write).unwrap();
        compile.forget(&["pk.bin"]);
        compile.commit().unwrap();
        drop(compile);
        let reader = ModelDir::open(&dir, Access::Read).unwrap();
        assert!(reader.read("pk.bin", 100).is_err());
        assert_eq!(reader.read("compiled.json", 100).unwrap(), b"{}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
