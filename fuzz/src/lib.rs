//! Fuzz targets: every parser of outside data (ONNX models and their
//! lowering, input JSON, settings and compiled models, public values,
//! proofs, verifying keys, SRS files) and the kernels' input validation
//! through the Accelerator, checked against the naive references.
//!
//! A target returns normally for every input: an error is a fine answer,
//! a panic (or an abort on an allocation) is the bug. `scripts/fuzz.sh`
//! runs them under libFuzzer (the `zkaccel-fuzz` binary, target chosen by
//! `ZKACCEL_FUZZ_TARGET`); `tests/corpus.rs` replays the kept corpus in
//! `fuzz/corpus/<target>/` and a short seeded mutation run of each target
//! in every `cargo test`.

use std::path::Path;
use std::sync::OnceLock;

use zkaccel::{
    BatchInverse, Field, Fq, Fr, G1Affine, Msm, Multiplicities, Ntt, NttConfig, PermuteLookup, PrefixProduct,
    PrimeField, SwCurve,
};
use zkaccel_zkml::{self as zkml, CompileOptions, CompiledModel, ModelSettings, PublicValues};

/// A target: one input, no answer.
pub type Target = fn(&[u8]);

/// Every target, by name (also the corpus directory's name).
pub const TARGETS: [(&str, Target); 9] = [
    ("onnx", onnx),
    ("inputs_json", inputs_json),
    ("settings_json", settings_json),
    ("compiled_json", compiled_json),
    ("public_json", public_json),
    ("proof", proof),
    ("vk", vk),
    ("srs", srs),
    ("kernels", kernels),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// An ONNX file: lowered (with the weights public or private, by the
/// input's length), and a small enough program compiled on one zero input.
pub fn onnx(data: &[u8]) {
    let Ok(program) = zkml::onnx::load_bytes_with(data, data.len() % 2 == 1) else { return };
    if program.num_terms() > 1 << 16 || program.num_inputs() > 1 << 12 {
        return;
    }
    let zeros = vec![vec![0.0; program.num_inputs()]];
    if let Ok(model) = zkml::compile(program, &zeros, &CompileOptions::default()) {
        let _ = model.run(&zeros[0]);
    }
}

/// Inputs in EZKL's JSON format.
pub fn inputs_json(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = zkml::parse_inputs(text);
    }
}

/// `settings.json`: parsed and checked; what a verifier computes from
/// settings that pass.
pub fn settings_json(data: &[u8]) {
    let Ok(settings) = zkml::parse_settings(Path::new("settings.json"), data) else { return };
    let _ = settings.instance_layout();
    let _ = settings.public_inputs();
    let _ = settings.public_outputs();
    let _ = settings.digest();
    let _ = zkml::circuit::settings_column(settings.shape);
    let fixture = fixture();
    let _ = zkml::verify(&settings, &fixture.srs, &fixture.vk, &fixture.public, &fixture.proof);
}

/// `compiled.json`: parsed and checked; a small model that passes is run
/// on a zero input and its settings published.
pub fn compiled_json(data: &[u8]) {
    let Ok(model) = zkml::parse_compiled(Path::new("compiled.json"), data) else { return };
    if model.k <= 12 {
        let _ = model.run(&vec![0.0; model.program.num_inputs()]);
        let _ = model.published_settings().digest();
    }
}

/// `public.json`: parsed, its instance made for the fixture's settings,
/// and verified with the fixture's proof.
pub fn public_json(data: &[u8]) {
    let Ok(public) = serde_json::from_slice::<PublicValues>(data) else { return };
    let fixture = fixture();
    let _ = public.instance(&fixture.settings);
    let _ = zkml::verify(&fixture.settings, &fixture.srs, &fixture.vk, &public, &fixture.proof);
}

/// Proof bytes, verified against the fixture's key and public values.
pub fn proof(data: &[u8]) {
    let fixture = fixture();
    let _ = zkml::verify(&fixture.settings, &fixture.srs, &fixture.vk, &fixture.public, data);
}

/// `vk.bin` for the fixture's model, and the fixture's proof verified with it.
pub fn vk(data: &[u8]) {
    let fixture = fixture();
    let Ok(vk) = zkml::parse_vk(Path::new("vk.bin"), data, &fixture.settings) else { return };
    let _ = zkml::verify(&fixture.settings, &fixture.srs, &vk, &fixture.public, &fixture.proof);
}

/// `srs.bin`, and the fixture's proof verified with it.
pub fn srs(data: &[u8]) {
    let Ok(srs) = zkml::parse_srs(Path::new("srs.bin"), data) else { return };
    let fixture = fixture();
    let _ = zkml::verify(&fixture.settings, &srs, &fixture.vk, &fixture.public, &fixture.proof);
}

/// The kernels through the Accelerator on inputs read from `data`, each
/// answer checked against the naive reference: an MSM is an error exactly
/// when a base is off the curve, an NTT exactly when its length is not a
/// power of two in range, a batch inversion exactly when a value is zero
/// (leaving the values as they were), a lookup exactly when an input is
/// not in the table.
pub fn kernels(data: &[u8]) {
    let accelerator = accelerator();
    let mut input = Bytes(data);
    match input.byte() % 6 {
        0 => {
            let n = usize::from(input.byte() % 40);
            let bases: Vec<G1Affine> = (0..n).map(|_| input.point()).collect();
            let scalars: Vec<Fr> = (0..n).map(|_| input.fr()).collect();
            let valid = bases.iter().all(|b| b.validate().is_ok());
            match accelerator.msm(&bases, &scalars) {
                Ok(sum) => {
                    assert!(valid, "an MSM over a base off the curve was accepted");
                    assert_eq!(sum.to_affine(), zkaccel::reference::msm(&bases, &scalars).to_affine(), "MSM");
                }
                Err(_) => assert!(!valid, "an MSM over valid bases failed"),
            }
        }
        1 => {
            let len = if input.byte().is_multiple_of(4) { usize::from(input.byte()) } else { 1 << (input.byte() % 8) };
            let values: Vec<Fr> = (0..len).map(|_| input.fr()).collect();
            let shift = (input.byte() % 2 == 1).then(|| input.fr());
            let inverse = input.byte() % 2 == 1;
            let mut config = if inverse { NttConfig::inverse() } else { NttConfig::forward() };
            config.coset_shift = shift;
            let mut out = values.clone();
            let expected = zkaccel::reference::dft(&values, inverse, shift);
            match (accelerator.ntt(&mut out, config), expected) {
                (Ok(()), Ok(expected)) => assert_eq!(out, expected, "NTT of {len}"),
                (Err(_), Err(_)) => assert_eq!(out, values, "a refused NTT changed its input"),
                (ours, reference) => panic!("NTT of {len}: ours {ours:?}, the reference's {:?}", reference.err()),
            }
        }
        2 => {
            let values: Vec<Fr> = (0..input.byte() % 64).map(|_| input.small_fr()).collect();
            let mut out = values.clone();
            match (accelerator.batch_inverse(&mut out), zkaccel::reference::batch_inverse(&values)) {
                (Ok(()), Ok(expected)) => assert_eq!(out, expected, "batch inverse"),
                (Err(_), Err(_)) => assert_eq!(out, values, "a refused batch inversion changed its input"),
                (ours, reference) => panic!("batch inverse: ours {ours:?}, the reference's {:?}", reference.err()),
            }
        }
        3 => {
            let values: Vec<Fr> = (0..input.byte() % 64).map(|_| input.small_fr()).collect();
            assert_eq!(
                accelerator.prefix_product(&values).ok(),
                Some(zkaccel::reference::prefix_product(&values)),
                "prefix product"
            );
            let beta = input.small_fr();
            let sums: Vec<Fr> = values.iter().map(|&v| beta + v).collect();
            match (accelerator.inverse_of_sums(beta, &values), zkaccel::reference::batch_inverse(&sums)) {
                (Ok(ours), Ok(expected)) => assert_eq!(ours, expected, "1/(β + x)"),
                (Err(_), Err(_)) => {}
                (ours, reference) => panic!("1/(β + x): ours {ours:?}, the reference's {:?}", reference.err()),
            }
        }
        4 => {
            let table: Vec<Fr> = (0..input.byte() % 32).map(|_| input.small_fr()).collect();
            let inputs: Vec<Fr> = (0..input.byte() % 32).map(|_| input.small_fr()).collect();
            match (
                accelerator.multiplicities(&table, &[&inputs]),
                zkaccel::reference::multiplicities(&table, &[&inputs]),
            ) {
                (Ok(ours), Ok(expected)) => assert_eq!(ours, expected, "multiplicities"),
                (Err(_), Err(_)) => {}
                (ours, reference) => panic!("multiplicities: ours {ours:?}, the reference's {reference:?}"),
            }
        }
        _ => {
            let len = 1 << (input.byte() % 6);
            let table: Vec<Fr> = (0..len).map(|_| input.small_fr()).collect();
            let inputs: Vec<Fr> = (0..len).map(|_| input.small_fr()).collect();
            let contained = inputs.iter().all(|x| table.contains(x));
            match accelerator.permute_lookup(&inputs, &table) {
                Ok(permuted) => {
                    assert!(contained, "a lookup of a value not in the table was permuted");
                    assert!(zkaccel::reference::check_permuted_lookup(&inputs, &table, &permuted), "permuted lookup");
                }
                Err(_) => assert!(!contained, "a lookup of contained values failed"),
            }
        }
    }
}

/// The CPU-only Accelerator (what CI has; other backends are checked
/// against it by the conformance suite).
fn accelerator() -> &'static zkaccel::Accelerator {
    static ACCELERATOR: OnceLock<zkaccel::Accelerator> = OnceLock::new();
    ACCELERATOR.get_or_init(zkaccel::Accelerator::cpu_only)
}

/// The shipped model compiled, set up, and proved on its sample input:
/// what the proof, key and public-value targets verify against.
pub struct Fixture {
    /// Its published settings.
    pub settings: ModelSettings,
    /// Its SRS.
    pub srs: zkml::halo2_axiom::poly::kzg::commitment::ParamsKZG<zkml::halo2_axiom::halo2curves::bn256::Bn256>,
    /// Its verifying key.
    pub vk: zkml::halo2_axiom::plonk::VerifyingKey<zkml::halo2_axiom::halo2curves::bn256::G1Affine>,
    /// A proof of the sample input.
    pub proof: Vec<u8>,
    /// Its public values.
    pub public: PublicValues,
    /// The compiled model.
    pub model: std::sync::Arc<CompiledModel>,
}

/// The fixture, made once per process (keys from a fixed SRS seed, so a
/// kept proof verifies in every run).
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let program = zkml::onnx::load_bytes(zkml::shipped::MODEL_ONNX).expect("the shipped model lowers");
        let calibration = zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON).expect("its calibration parses");
        let model =
            std::sync::Arc::new(zkml::compile(program, &calibration, &CompileOptions::default()).expect("it compiles"));
        let keys = zkml::setup(&model, zkml::local_srs(model.k, 1), accelerator()).expect("keys");
        let input = &zkml::parse_inputs(zkml::shipped::INPUT_JSON).expect("its input parses")[0];
        let proved = zkml::prove(&model, &keys, input).expect("it proves");
        Fixture {
            settings: model.published_settings(),
            srs: keys.params.verifier_srs().clone(),
            vk: keys.pk.get_vk().clone(),
            proof: proved.proof,
            public: proved.public,
            model,
        }
    })
}

/// Reads values from the fuzzer's bytes, zeros past the end.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn limbs(&mut self) -> [u64; 4] {
        std::array::from_fn(|_| u64::from_le_bytes(std::array::from_fn(|_| self.byte())))
    }

    /// Any element (the top four bits cleared keeps it below the modulus).
    fn fr(&mut self) -> Fr {
        let mut limbs = self.limbs();
        limbs[3] &= u64::MAX >> 4;
        Fr::from_canonical(limbs).unwrap_or(Fr::ZERO)
    }

    /// A small element, often repeated or zero: lookups and inversions.
    fn small_fr(&mut self) -> Fr {
        Fr::from_u64(u64::from(self.byte() % 8))
    }

    /// A multiple of the generator, or (one byte in four) raw coordinates,
    /// almost always off the curve.
    fn point(&mut self) -> G1Affine {
        if self.byte().is_multiple_of(4) {
            let mut x = self.limbs();
            let mut y = self.limbs();
            x[3] &= u64::MAX >> 4;
            y[3] &= u64::MAX >> 4;
            G1Affine::new_unchecked(
                Fq::from_canonical(x).unwrap_or(Fq::ZERO),
                Fq::from_canonical(y).unwrap_or(Fq::ZERO),
            )
        } else {
            zkaccel::Bn254::GENERATOR.mul(&Fr::from_u64(u64::from(self.byte()))).to_affine()
        }
    }
}
