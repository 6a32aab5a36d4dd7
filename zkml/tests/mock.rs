//! halo2's MockProver on the model circuit: every constraint named when it fails.

mod common;

use std::sync::Arc;

use zkaccel_zkml::circuit::ModelCircuit;
use zkaccel_zkml::halo2_axiom::dev::MockProver;
use zkaccel_zkml::{compile, onnx, CompileOptions, PublicValues, Visibility};

fn mock(name: &str, visibility: Visibility) {
    mock_with(name, visibility, |_| {}).assert_satisfied();
}

/// The MockProver on `name`'s circuit with its honest trace changed by `tamper`
/// (the public values follow the changed trace).
fn mock_with(
    name: &str,
    visibility: Visibility,
    tamper: impl FnOnce(&mut zkaccel_zkml::quantize::Trace),
) -> MockProver<zkaccel_zkml::halo2_axiom::halo2curves::bn256::Fr> {
    let program = onnx::load(&common::model_path(name)).unwrap();
    let options = CompileOptions { visibility, ..Default::default() };
    let model = Arc::new(compile(program, &common::inputs(name, "calibration"), &options).unwrap());
    let input = &common::inputs(name, "input")[0];
    let mut trace = model.run(input).unwrap();
    tamper(&mut trace);
    mock_trace(&model, trace, visibility)
}

/// The MockProver on `model`'s circuit proving `trace`, its public values
/// taken from the trace.
fn mock_trace(
    model: &Arc<zkaccel_zkml::CompiledModel>,
    trace: zkaccel_zkml::quantize::Trace,
    visibility: Visibility,
) -> MockProver<zkaccel_zkml::halo2_axiom::halo2curves::bn256::Fr> {
    let public = PublicValues {
        inputs: visibility.public_input.then(|| trace.values[..model.program.num_inputs()].to_vec()),
        model_commitment: visibility.private_model.then(|| zkaccel_zkml::model_commitment(model)),
        outputs: trace.outputs.clone(),
        scale_bits: model.layout.scale_bits,
        proof_digest: None,
    };
    let instance = public.instance(&model.settings()).unwrap();
    let circuit = ModelCircuit::new(model.clone(), Some(Arc::new(trace)));
    MockProver::run(model.k, &circuit, vec![instance]).unwrap()
}

#[test]
fn mock_mlp_every_visibility() {
    for public_input in [true, false] {
        mock("digits_mlp", Visibility::new(public_input, false));
    }
}

/// A hidden activation changed consistently downstream (its row's split and
/// ReLU redone) still breaks the rescale of the layer that produced it.
#[test]
fn a_changed_hidden_activation_is_caught() {
    let prover = mock_with("digits_mlp", Visibility::default(), |trace| {
        let n = trace.values.len() - trace.neurons.len();
        let neuron = &mut trace.neurons[3];
        neuron.q += 5;
        neuron.lo += 5;
        neuron.out = neuron.a * neuron.q + neuron.b;
        trace.values[n + 3] = neuron.out;
    });
    assert!(prover.verify().is_err());
}

/// A private input far outside the calibrated range, decomposed honestly,
/// fails the range check of the input layer.
#[test]
fn an_out_of_range_private_input_is_caught() {
    let prover = mock_with("digits_mlp", Visibility::new(false, false), |trace| {
        let huge = 1i64 << 40;
        trace.values[0] = huge;
        let n = trace.values.len() - trace.neurons.len();
        let s = 1i64 << 14;
        let neuron = &mut trace.neurons[0];
        neuron.z = huge as i128 * s as i128;
        neuron.q = huge;
        neuron.hi = huge / s;
        neuron.lo = 0;
        neuron.out = huge;
        trace.values[n] = huge;
    });
    assert!(prover.verify().is_err());
}

/// The failures `prover` reports, one Debug line each.
fn failures(prover: &MockProver<zkaccel_zkml::halo2_axiom::halo2curves::bn256::Fr>) -> Vec<String> {
    prover.verify().err().unwrap_or_default().iter().map(|f| format!("{f:?}")).collect()
}

/// The output neurons' indices in the trace (the last layer's, in order).
fn output_neurons(trace: &zkaccel_zkml::quantize::Trace) -> std::ops::Range<usize> {
    let first = trace.neurons.len() - trace.outputs.len();
    let n = trace.values.len() - trace.neurons.len();
    for (i, &out) in trace.outputs.iter().enumerate() {
        assert_eq!(trace.values[n + first + i], out, "outputs are the last layer's neurons");
    }
    first..trace.neurons.len()
}

/// A ReLU that claims a negative sign for a positive value (flag 0, output
/// 0) matches no table entry.
#[test]
fn a_flipped_relu_flag_is_caught() {
    let prover = mock_with("digits_mlp", Visibility::default(), |trace| {
        let n = trace.values.len() - trace.neurons.len();
        let hidden = output_neurons(trace).start;
        let id = (0..hidden).find(|&i| trace.neurons[i].q > 0).expect("a positive hidden neuron");
        let neuron = &mut trace.neurons[id];
        neuron.a = 0;
        neuron.out = 0;
        trace.values[n + id] = 0;
    });
    let failures = failures(&prover);
    assert!(failures.iter().any(|f| f.contains("tagged table")), "{failures:#?}");
}

/// Without sigmoids the table has two columns, `(2·tag + aux, limb)`: an
/// identity output whose row borrows a ReLU entry (`2·IDENT − 1 = 2·STEP +
/// 1`) claims `aux = −1` and so `out = −q`. That row matches the table and
/// satisfies every other constraint; only the gate that makes `aux` a bit
/// rejects it.
#[test]
fn a_flag_borrowed_from_another_tag_is_caught_by_the_bit_gate() {
    let prover = mock_with("digits_mlp", Visibility::default(), |trace| {
        let n = trace.values.len() - trace.neurons.len();
        let outputs = output_neurons(trace);
        let first = outputs.start;
        let id = outputs.clone().find(|&i| trace.neurons[i].hi >= 0 && trace.neurons[i].q != 0).expect("an output ≥ 0");
        let neuron = &mut trace.neurons[id];
        neuron.a = -1;
        neuron.out = -neuron.q;
        trace.values[n + id] = neuron.out;
        trace.outputs[id - first] = neuron.out;
    });
    let failures = failures(&prover);
    assert!(!failures.is_empty());
    assert!(failures.iter().all(|f| f.contains("activation flag is a bit")), "{failures:#?}");
}

#[test]
fn mock_conv_private_model() {
    mock("digits_conv", Visibility::new(true, true));
}

/// (private weights, lanes, general layout, product lanes) of the layouts the degree test covers.
fn shape_choices() -> impl Iterator<Item = (bool, usize, bool, bool)> {
    [false, true].into_iter().flat_map(|p| {
        [1, 8]
            .into_iter()
            .flat_map(move |l| [false, true].into_iter().flat_map(move |g| [false, true].map(|m| (p, l, g, m))))
    })
}

/// halo2-axiom caps the quotient degree at 5 (`MAX_DEGREE`) without an
/// error, so a gate of higher degree makes proofs that never verify while the
/// MockProver is satisfied: every layout must stay within 5. Every layout
/// stays at degree 4, the lookup's minimum (three quotient pieces, each a
/// commitment an EVM verifier pays for).
#[test]
fn gate_degrees_within_halo2_axiom_cap() {
    use zkaccel_zkml::circuit::CircuitShape;
    use zkaccel_zkml::halo2_axiom::halo2curves::bn256::Fr;
    use zkaccel_zkml::halo2_axiom::plonk::{Circuit, ConstraintSystem};
    for (private_weights, lanes, general, products) in shape_choices() {
        let shape = CircuitShape { lanes, scale_bits: 14, limb_bits: 7, private_weights, general, products };
        let mut cs = ConstraintSystem::<Fr>::default();
        ModelCircuit::configure_with_params(&mut cs, shape);
        for gate in cs.gates() {
            for poly in gate.polynomials() {
                assert!(poly.degree() <= 5, "{} has degree {} ({shape:?})", gate.name(), poly.degree());
            }
        }
        for lookup in cs.lookups() {
            // halo2's lookup degree: 2 + input degree + table degree.
            let input = lookup.input_expressions().iter().map(|e| e.degree()).max().unwrap_or(1);
            let table = lookup.table_expressions().iter().map(|e| e.degree()).max().unwrap_or(1);
            assert!(2 + input + table <= 5, "lookup {} ({shape:?})", lookup.name());
        }
        if !private_weights {
            assert_eq!(cs.degree(), 4, "{shape:?}");
        }
    }
}

/// Product terms (both factors computed) under every visibility: a public
/// model's factors sit in advice weight cells beside its fixed weights, a
/// private model's in its advice weights.
#[test]
fn mock_products_every_visibility() {
    for (public_input, private_model) in [(true, false), (false, false), (true, true)] {
        mock("suite/products_mul_div_pow", Visibility::new(public_input, private_model));
    }
}

/// A product neuron's output raised consistently downstream of its row
/// breaks its rescale: the factors are bound to the values they copy.
#[test]
fn a_changed_product_is_caught() {
    let name = "suite/self_attention_block";
    let program = onnx::load(&common::model_path(name)).unwrap();
    let first_product = program
        .layers
        .iter()
        .take_while(|l| !l.neurons.iter().any(|n| n.terms.iter().any(|t| t.1.is_value())))
        .map(|l| l.neurons.len())
        .sum::<usize>();
    assert!(first_product < program.layers.iter().map(|l| l.neurons.len()).sum::<usize>(), "no product layer");
    let prover = mock_with(name, Visibility::default(), |trace| {
        let n = trace.values.len() - trace.neurons.len();
        let neuron = &mut trace.neurons[first_product];
        neuron.q += 5;
        neuron.lo += 5;
        neuron.out = neuron.a * neuron.q + neuron.b;
        trace.values[n + first_product] = neuron.out;
    });
    let failures: Vec<String> = prover.verify().err().unwrap_or_default().iter().map(|f| f.to_string()).collect();
    assert!(failures.iter().any(|f| f.contains("rescale")), "{failures:#?}");
}

/// A table function's output one unit off, its interpolation remainder moved
/// to keep `out·2^c + r₂ = a·lo + b`, makes `r₂` negative: the range check
/// of its limbs rejects it. Left as it was, the chord gate does.
#[test]
fn an_interpolated_output_off_by_one_is_caught() {
    let name = "suite/sigmoid_tanh";
    let program = onnx::load(&common::model_path(name)).unwrap();
    let last = program.layers.last().unwrap().activation;
    assert!(matches!(last, zkaccel_zkml::program::Activation::Table(_)), "{last:?}");
    let options = CompileOptions::default();
    let model = compile(program, &common::inputs(name, "calibration"), &options).unwrap();
    let shift = model.layout.split_bits(last);
    for move_remainder in [true, false] {
        let prover = mock_with(name, Visibility::default(), |trace| {
            let id = output_neurons(trace).start;
            let n = trace.values.len() - trace.neurons.len();
            let neuron = &mut trace.neurons[id];
            neuron.out += 1;
            if move_remainder {
                neuron.r2 -= 1 << shift;
            }
            trace.values[n + id] = neuron.out;
            trace.outputs[0] = neuron.out;
        });
        let failures = failures(&prover);
        let expected = if move_remainder { "tagged table" } else { "rescale, split, activation" };
        assert!(failures.iter().any(|f| f.contains(expected)), "{failures:#?}");
    }
}

/// `Floor(input)` as indices into the constant `data` (shape `dims`) along
/// `axis`: a Gather at computed indices.
fn gather_model(dims: [usize; 2], axis: i64, data: &[f32], indices: usize) -> tract_onnx::pb::ModelProto {
    use common::graph::{float_input, model, node, with_int};
    let data = tract_onnx::pb::TensorProto {
        name: "data".into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: 1,
        float_data: data.to_vec(),
        ..Default::default()
    };
    let nodes = vec![node("Floor", &["input"], "idx"), with_int(node("Gather", &["data", "idx"], "out"), "axis", axis)];
    model(nodes, vec![float_input("input", &[indices as i64])], &["out"], vec![data])
}

/// A Gather of constants at computed indices is a table lookup for a public
/// model: each output is its element rounded once (the one-hot form rounds
/// every difference of neighbours), indices are clamped to the axis, the
/// circuit holds, and an output that reads another key's element is caught.
/// A private model's gathers stay one-hot (a table would publish the
/// parameters), and a program lowered for a public model is refused for a
/// private one.
#[test]
fn gathers_of_constants_read_a_table() {
    use zkaccel_zkml::program::Activation;
    use zkaccel_zkml::quantize::quantize;
    let len = 10;
    // Elements that no scale represents exactly.
    let values: Vec<f32> = (0..3 * len).map(|i| (i as f32 * 0.37 - 4.0) / 3.0).collect();
    let input = vec![0.5, 3.2, 9.9, -2.3, 14.0, 7.0];
    let clamped = |x: f64| x.floor().clamp(0.0, (len - 1) as f64) as usize;
    for (dims, axis) in [([len, 3], 0i64), ([3, len], 1)] {
        let proto = gather_model(dims, axis, &values, input.len());
        let element = |r: usize, c: usize| values[r * dims[1] + c] as f64;
        let expected: Vec<f64> = if axis == 0 {
            input.iter().flat_map(|&x| (0..3).map(move |j| element(clamped(x), j))).collect()
        } else {
            (0..3).flat_map(|r| input.iter().map(move |&x| element(r, clamped(x)))).collect()
        };
        let program = onnx::lower(&proto).unwrap();
        assert_eq!(program.selections.len(), 1);
        assert!(program.layers.iter().any(|l| matches!(l.activation, Activation::Select { table: 0 })));
        assert_eq!(program.forward(&input), expected, "axis {axis}: float");
        let calibration = vec![input.clone(), vec![1.0; input.len()]];
        let model = Arc::new(compile(program.clone(), &calibration, &CompileOptions::default()).unwrap());
        let trace = model.run(&input).unwrap();
        let rounded_once: Vec<i64> = expected.iter().map(|&x| quantize(x, 14)).collect();
        assert_eq!(trace.outputs, rounded_once, "axis {axis}: quantized");

        let prove = |tamper: &dyn Fn(&mut zkaccel_zkml::quantize::Trace)| {
            let mut trace = trace.clone();
            tamper(&mut trace);
            mock_trace(&model, trace, Visibility::default())
        };
        prove(&|_| {}).assert_satisfied();
        // The first output reads the next key's element instead of its own.
        let tampered = prove(&|trace| {
            let outputs = output_neurons(trace);
            let n = trace.values.len() - trace.neurons.len();
            let id = outputs.start;
            let other = model.layout.selections[0][trace.neurons[id].hi as usize + 1];
            trace.neurons[id].b = other;
            trace.neurons[id].out = other;
            trace.values[n + id] = other;
            trace.outputs[0] = other;
        });
        let failures = failures(&tampered);
        assert!(failures.iter().any(|f| f.contains("tagged table")), "{failures:#?}");

        let private = CompileOptions { visibility: Visibility::new(true, true), ..Default::default() };
        assert!(matches!(
            compile(program, &calibration, &private),
            Err(zkaccel_zkml::ZkmlError::Model(m)) if m.contains("publish")
        ));
        let one_hot = onnx::lower_with(&proto, true).unwrap();
        assert!(one_hot.selections.is_empty());
        assert_eq!(one_hot.forward(&input), expected, "axis {axis}: one-hot float");
        let model = compile(one_hot, &calibration, &private).unwrap();
        let proved = model.run(&input).unwrap().outputs;
        for (p, e) in proved.iter().zip(&rounded_once) {
            assert!((p - e).abs() <= len as i64, "axis {axis}: one-hot {p} vs {e}");
        }
    }
}

/// `x / y`, `x / y[0]` (one divisor broadcast) and `2.5 / y` of the two
/// rows of a `[2, n]` input: divisions by computed values.
fn division_model(n: usize) -> tract_onnx::pb::ModelProto {
    use common::graph::{float_input, model, node};
    use tract_onnx::pb;
    let int_scalar = |name: &str, v: i64| pb::TensorProto {
        name: name.into(),
        data_type: 7,
        int64_data: vec![v],
        ..Default::default()
    };
    let five_halves =
        pb::TensorProto { name: "five_halves".into(), data_type: 1, float_data: vec![2.5], ..Default::default() };
    let nodes = vec![
        node("Gather", &["input", "zero"], "x"),
        node("Gather", &["input", "one"], "y"),
        node("Div", &["x", "y"], "elementwise"),
        node("Gather", &["y", "zero"], "y0"),
        node("Div", &["x", "y0"], "broadcast"),
        node("Div", &["five_halves", "y"], "constant_numerator"),
    ];
    model(
        nodes,
        vec![float_input("input", &[2, n as i64])],
        &["elementwise", "broadcast", "constant_numerator"],
        vec![int_scalar("zero", 0), int_scalar("one", 1), five_halves],
    )
}

/// A division by computed values is the exact rounded quotient of the
/// quantized values, whatever the divisor's sign: `|q·d − S·n| ≤ |d|/2`
/// for every output. The circuit holds for public and private models; a
/// quotient one unit off (the range check of `−q` and the remainder checks
/// redone honestly around it) matches no entry of the non-negativity
/// table, and a divisor that is zero at run time is an error.
#[test]
fn divisions_of_computed_values_are_exact() {
    use zkaccel_zkml::program::Activation;
    use zkaccel_zkml::quantize::quantize;
    let x = [1.0, -2.5, 0.3, 7.0, -0.001, 3.3];
    let y = [0.7, -1.3, 2.0, -0.25, 0.05, 3.0];
    let n = x.len();
    let input: Vec<f64> = x.iter().chain(&y).copied().collect();
    let program = onnx::lower(&division_model(n)).unwrap();
    let quotient_layers: Vec<usize> =
        (0..program.layers.len()).filter(|&l| program.layers[l].activation == Activation::Quotient).collect();
    assert_eq!(quotient_layers.len(), 3, "one quotient layer per Div");
    let expected: Vec<f64> = x
        .iter()
        .zip(&y)
        .map(|(a, b)| a / b)
        .chain(x.iter().map(|a| a / y[0]))
        .chain(y.iter().map(|b| 2.5 / b))
        .collect();
    for (ours, theirs) in program.forward(&input).iter().zip(&expected) {
        assert!((ours - theirs).abs() < 1e-12, "float {ours} vs {theirs}");
    }
    let calibration = vec![input.clone(), input.iter().map(|v| v * 0.5).collect(), input.iter().map(|v| -v).collect()];
    let scale_bits = 14;
    let s = 1i128 << scale_bits;
    for visibility in [Visibility::default(), Visibility::new(true, true)] {
        let options = CompileOptions { visibility, ..Default::default() };
        let model = Arc::new(compile(program.clone(), &calibration, &options).unwrap());
        let trace = model.run(&input).unwrap();
        // Every output within half a unit of the quotient of the quantized operands.
        let (qx, qy): (Vec<i128>, Vec<i128>) = (
            x.iter().map(|&v| quantize(v, scale_bits) as i128).collect(),
            y.iter().map(|&v| quantize(v, scale_bits) as i128).collect(),
        );
        let operands = qx
            .iter()
            .zip(&qy)
            .map(|(&a, &b)| (a, b))
            .chain(qx.iter().map(|&a| (a, qy[0])))
            .chain(qy.iter().map(|&b| (quantize(2.5, scale_bits) as i128, b)));
        for (((num, den), &q), e) in operands.zip(&trace.outputs).zip(&expected) {
            assert!(2 * (q as i128 * den - s * num).abs() <= den.abs(), "{num}/{den}: {q}");
            assert!((q as f64 / s as f64 - e).abs() < 0.02, "{num}/{den}: {q} vs {e}");
        }
        mock_trace(&model, trace.clone(), visibility).assert_satisfied();

        // The first quotient one unit off either way, everything after it consistent.
        let hint: usize = program.layers[..quotient_layers[0]].iter().map(|l| l.neurons.len()).sum();
        for delta in [1i64, -1] {
            let tampered = with_hint_changed(&model, &trace, hint, delta);
            assert_ne!(tampered.outputs, trace.outputs);
            let failures = failures(&mock_trace(&model, tampered, visibility));
            assert!(failures.iter().any(|f| f.contains("tagged table")), "{delta}: {failures:#?}");
        }
    }
    let model = compile(program, &calibration, &CompileOptions::default()).unwrap();
    let mut zero = input.clone();
    zero[n + 2] = 0.0;
    assert!(matches!(model.run(&zero), Err(zkaccel_zkml::ZkmlError::OutOfRange(m)) if m.contains("divides by zero")));
}

/// `Mod(x, y)` of the two rows of a `[2, n]` input, with `fmod`.
fn modulo_model(n: usize, fmod: i64) -> tract_onnx::pb::ModelProto {
    use common::graph::{node, with_int};
    let mut model = division_model(n);
    let graph = model.graph.as_mut().unwrap();
    graph.node.truncate(2);
    graph.node.push(with_int(node("Mod", &["x", "y"], "remainder"), "fmod", fmod));
    graph.output = vec![tract_onnx::pb::ValueInfoProto { name: "remainder".into(), ..Default::default() }];
    graph.initializer.retain(|t| t.name != "five_halves");
    model
}

/// `trace` with hint neuron `hint`'s value moved by `delta` and every
/// neuron after it redone from the values as the quantized forward pass
/// would (hints keep their values; the exact activations only), so that the
/// change reaches every check honestly.
fn with_hint_changed(
    model: &zkaccel_zkml::CompiledModel,
    trace: &zkaccel_zkml::quantize::Trace,
    hint: usize,
    delta: i64,
) -> zkaccel_zkml::quantize::Trace {
    use zkaccel_zkml::quantize::{exact_entry, NeuronTrace};
    let mut trace = trace.clone();
    let inputs = trace.values.len() - trace.neurons.len();
    trace.neurons[hint].q += delta;
    trace.neurons[hint].out += delta;
    trace.values[inputs + hint] += delta;
    let s = model.layout.scale();
    let mut id = 0;
    for layer in &model.program.layers {
        for neuron in &layer.neurons {
            if id > hint && !layer.activation.is_hint() {
                let values = &trace.values;
                let mut z: i128 = neuron.bias.map_or(0, |b| model.params.params[b as usize] as i128);
                for &(v, w) in &neuron.terms {
                    z += values[v as usize] as i128 * model.params.weight(w, model.layout.scale_bits, values) as i128;
                }
                z += i128::from(layer.activation.bias_offset(s));
                let shifted = z + (s / 2) as i128;
                let q = shifted.div_euclid(s as i128) as i64;
                let (hi, lo) = (q.div_euclid(s), q.rem_euclid(s));
                let (a, b) = exact_entry(layer.activation, hi, s);
                let r = (shifted - q as i128 * s as i128) as i64;
                trace.neurons[id] = NeuronTrace { z, r, q, hi, lo, a, b, r2: 0, out: a * q + b };
                trace.values[inputs + id] = a * q + b;
            }
            id += 1;
        }
    }
    trace.outputs = model.program.outputs.iter().map(|&v| trace.values[v as usize]).collect();
    trace
}

/// `Mod` of computed values is exact on the quantized values for both
/// roundings of the integer quotient and every sign: `r = x − k·y` with
/// `k = trunc(x/y)` (`fmod = 1`, `r` with `x`'s sign) or `⌊x/y⌋` (`fmod = 0`,
/// `r` with `y`'s sign). The circuit holds; an integer quotient one off
/// (everything after it redone honestly) fails a check's table lookup.
#[test]
fn modulo_of_computed_values_is_exact() {
    use zkaccel_zkml::program::Activation;
    use zkaccel_zkml::quantize::quantize;
    let x = [5.25, -5.25, 5.25, -5.25, 0.75, 3.0, -0.1, 7.0];
    let y = [2.0, 2.0, -2.0, -2.0, 1.5, 1.5, 0.3, -0.125];
    let n = x.len();
    let input: Vec<f64> = x.iter().chain(&y).copied().collect();
    let calibration = vec![input.clone(), input.iter().map(|v| v * 0.5).collect(), input.iter().map(|v| -v).collect()];
    let s = 1i64 << 14;
    for fmod in [1i64, 0] {
        let toward_zero = fmod == 1;
        let program = onnx::lower(&modulo_model(n, fmod)).unwrap();
        let rounded = |q: f64| if toward_zero { q.trunc() } else { q.floor() };
        for ((ours, a), b) in program.forward(&input).iter().zip(&x).zip(&y) {
            let expected = a - b * rounded(a / b);
            assert!((ours - expected).abs() < 1e-12, "fmod {fmod}: {a} mod {b}: {ours} vs {expected}");
        }
        let model = Arc::new(compile(program.clone(), &calibration, &CompileOptions::default()).unwrap());
        let trace = model.run(&input).unwrap();
        for ((&r, a), b) in trace.outputs.iter().zip(&x).zip(&y) {
            let (qa, qb) = (quantize(*a, 14), quantize(*b, 14));
            let k = rounded(qa as f64 / qb as f64) as i64;
            assert_eq!(r, qa - k * qb, "fmod {fmod}: {a} mod {b}");
        }
        mock_trace(&model, trace.clone(), Visibility::default()).assert_satisfied();
        let hint = program
            .layers
            .iter()
            .take_while(|l| !matches!(l.activation, Activation::IntegerQuotient { .. }))
            .map(|l| l.neurons.len())
            .sum::<usize>();
        for delta in [s, -s] {
            let tampered = with_hint_changed(&model, &trace, hint, delta);
            assert_ne!(tampered.outputs, trace.outputs);
            let failures = failures(&mock_trace(&model, tampered, Visibility::default()));
            assert!(failures.iter().any(|f| f.contains("tagged table")), "fmod {fmod}, {delta}: {failures:#?}");
        }
    }
}
