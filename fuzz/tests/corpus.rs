//! Every target on its kept corpus (`fuzz/corpus/<target>/`, inputs that
//! found new coverage in the libFuzzer runs, and every crash found, fixed),
//! then a short seeded run of mutations of that corpus: the brief fuzzing
//! that runs with every `cargo test`. Longer runs: `scripts/fuzz.sh`.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// xorshift64*: reproducible mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One libFuzzer-style mutation: flip bits, overwrite bytes with edge
/// values, insert, delete, truncate, duplicate a range, or splice in
/// another corpus entry's bytes.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = [0, 1, 0x7f, 0x80, 0xff][rng.below(5)],
            2 => out.insert(at, rng.next() as u8),
            3 if at < out.len() => {
                out.remove(at);
            }
            4 => out.truncate(at),
            5 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                let range = out[at..end].to_vec();
                out.splice(at..at, range);
            }
            _ if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(64)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Mutations per target in `cargo test` (each is one call of the target).
const MUTATIONS: usize = 2000;

#[test]
fn every_target_survives_its_corpus_and_mutations_of_it() {
    for (name, target) in zkaccel_fuzz::TARGETS {
        let entries = corpus(name);
        assert!(!entries.is_empty(), "{name}: an empty corpus");
        let start = std::time::Instant::now();
        for (path, bytes) in &entries {
            let run = std::panic::catch_unwind(|| target(bytes));
            assert!(run.is_ok(), "{name}: {} panics", path.display());
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        for i in 0..MUTATIONS {
            let input = &entries[rng.below(entries.len())].1;
            let other = &entries[rng.below(entries.len())].1;
            let mutated = mutate(&mut rng, input, other);
            let run = std::panic::catch_unwind(|| target(&mutated));
            assert!(
                run.is_ok(),
                "{name}: mutation {i} panics on {} bytes: {:02x?}",
                mutated.len(),
                &mutated[..mutated.len().min(256)]
            );
        }
        eprintln!("{name}: {} corpus entries and {MUTATIONS} mutations in {:.1?}", entries.len(), start.elapsed());
    }
}

#[test]
fn the_kept_proof_verifies_and_the_targets_are_named_once() {
    let fixture = zkaccel_fuzz::fixture();
    zkaccel_zkml::verify(&fixture.settings, &fixture.srs, &fixture.vk, &fixture.public, &fixture.proof).unwrap();
    let names: std::collections::BTreeSet<&str> = zkaccel_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), zkaccel_fuzz::TARGETS.len());
}

/// Writes the seed corpus (`cargo test -p zkaccel-fuzz --release -- --ignored`):
/// the repository's small ONNX models and their inputs, the fixture's
/// settings, compiled model, public values, proof, key and SRS, and a few
/// kernel calls of each kind. libFuzzer runs add what finds new coverage.
#[test]
#[ignore = "writes fuzz/corpus; run once when the targets change"]
fn write_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zkml/models");
    let put = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let mut suite: Vec<PathBuf> = std::fs::read_dir(models.join("suite")).unwrap().map(|e| e.unwrap().path()).collect();
    suite.sort();
    for path in suite {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let size = std::fs::metadata(&path).unwrap().len();
        if name.ends_with(".onnx") && size < 4096 {
            put("onnx", &name, &std::fs::read(&path).unwrap());
            let input = path.with_extension("input.json");
            if input.exists() {
                put("inputs_json", &format!("{name}.input.json"), &std::fs::read(&input).unwrap());
            }
        }
    }
    put("onnx", "digits_mlp.onnx", zkaccel_zkml::shipped::MODEL_ONNX);
    put("inputs_json", "digits_mlp.input.json", zkaccel_zkml::shipped::INPUT_JSON.as_bytes());
    let fixture = zkaccel_fuzz::fixture();
    fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
        serde_json::to_vec_pretty(value).unwrap()
    }
    put("settings_json", "digits_mlp.json", &json(&fixture.settings));
    put("compiled_json", "digits_mlp.json", &json(&*fixture.model));
    put("public_json", "digits_mlp.json", &json(&fixture.public));
    put("proof", "digits_mlp.bin", &fixture.proof);
    let mut vk = Vec::new();
    fixture.vk.write(&mut vk, zkaccel_zkml::halo2_axiom::SerdeFormat::RawBytes).unwrap();
    put("vk", "digits_mlp.bin", &vk);
    let mut srs = Vec::new();
    zkaccel_zkml::halo2_axiom::poly::commitment::Params::write(&fixture.srs, &mut srs).unwrap();
    put("srs", "k9.bin", &srs);
    // A small compiled model: the suite's smallest, compiled on its calibration inputs.
    let small = models.join("suite/abs_sign.onnx");
    let program = zkaccel_zkml::onnx::load(&small).unwrap();
    let calibration = zkaccel_zkml::read_inputs(&small.with_extension("calibration.json")).unwrap();
    let compiled = zkaccel_zkml::compile(program, &calibration, &Default::default()).unwrap();
    put("compiled_json", "abs_sign.json", &json(&compiled));
    put("settings_json", "abs_sign.json", &json(&compiled.published_settings()));
    let mut rng = Rng(7);
    for op in 0..6u8 {
        for i in 0..3 {
            let mut bytes = vec![op, 1 + (rng.next() % 24) as u8];
            bytes.extend((0..200).map(|_| rng.next() as u8));
            put("kernels", &format!("op{op}-{i}.bin"), &bytes);
        }
    }
}
