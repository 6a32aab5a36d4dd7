//! `ZKACCEL_BACKEND=cpu` reaches halo2 parameters made through halo2's own
//! constructors. Its own test binary, so setting the variable races nothing.

use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::plonk::Circuit;
use halo2_axiom::poly::commitment::{Params, ParamsProver};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel::Accelerator;
use zkaccel_frontend_halo2::examples::DotProductCircuit;
use zkaccel_frontend_halo2::{default_accelerator, keygen, prove, verify, AcceleratedParams};

#[test]
fn backend_env_cpu() {
    std::env::set_var(zkaccel::BACKEND_ENV, "cpu");
    let accelerator = Accelerator::auto().expect("cpu is always available");
    assert_eq!(accelerator.backend_names(), ["cpu"]);
    assert_eq!(default_accelerator().backend_names(), ["cpu"]);

    let k = 10;
    let srs = ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(1));
    // Through halo2's own reader: the parameters land on the default accelerator.
    let mut bytes = Vec::new();
    srs.write(&mut bytes).unwrap();
    let params = AcceleratedParams::read(&mut &bytes[..]).unwrap();
    assert_eq!(params.accelerator().backend_names(), ["cpu"]);
    assert!(params.resident_bytes() > 0);

    let circuit = DotProductCircuit::filling(k, 5);
    let pk = keygen(&params, &circuit.without_witnesses()).unwrap();
    let public = circuit.public_inputs();
    let columns: Vec<&[Fr]> = public.iter().map(Vec::as_slice).collect();
    let proof = prove(&params, &pk, &circuit, &columns, ChaCha20Rng::seed_from_u64(2)).unwrap();
    verify(&srs, pk.get_vk(), &columns, &proof).unwrap();
    // A fresh SRS through `ParamsProver::new` also works (random toxic waste).
    let fresh = <AcceleratedParams as ParamsProver<_>>::new(4);
    assert_eq!(fresh.n(), 16);
}
