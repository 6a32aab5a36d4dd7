//! The lowered program against tract's float inference, and lowering errors.

mod common;

use zkaccel_zkml::onnx;

#[test]
fn lowered_models_match_tract() {
    for name in ["digits_mlp", "digits_conv", "digits_sigmoid"] {
        let path = common::model_path(name);
        let program = onnx::load(&path).unwrap();
        for input in common::inputs(name, "calibration").iter().take(8) {
            let ours = program.forward(input);
            let theirs = common::tract_forward(&path, &program.input_shapes, input);
            assert_eq!(ours.len(), theirs.len(), "{name}");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() < 1e-4, "{name}: {a} vs tract {b}");
            }
        }
    }
}

use tract_onnx::pb;
use zkaccel_zkml::ZkmlError;

fn node(op: &str, name: &str, inputs: &[&str], output: &str) -> pb::NodeProto {
    pb::NodeProto { name: name.into(), ..common::graph::node(op, inputs, output) }
}

fn graph_with(nodes: Vec<pb::NodeProto>, input_dims: &[i64]) -> pb::ModelProto {
    let output = nodes.last().unwrap().output[0].clone();
    common::graph::model(nodes, vec![common::graph::float_input("input", input_dims)], &[&output], Vec::new())
}

#[test]
fn unsupported_operators_are_named() {
    let model = graph_with(
        vec![
            node("NonMaxSuppression", "nms", &["input"], "p"),
            node("Flatten", "flat", &["p"], "f"),
            node("Einsum", "mix", &["f"], "out"),
        ],
        &[1, 1, 4, 4],
    );
    match onnx::lower(&model) {
        Err(ZkmlError::Unsupported(ops)) => {
            assert_eq!(ops, vec!["NonMaxSuppression (node 'nms')".to_string(), "Einsum (node 'mix')".to_string()]);
            let message = ZkmlError::Unsupported(ops).to_string();
            assert!(message.contains("NonMaxSuppression") && message.contains("Einsum"), "{message}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn malformed_models_are_errors() {
    // A MatMul of shapes that do not multiply, a node reading a tensor never computed, garbage bytes.
    let square = graph_with(vec![node("MatMul", "mm", &["input", "input"], "out")], &[1, 4]);
    assert!(matches!(onnx::lower(&square), Err(ZkmlError::Model(m)) if m.contains("do not multiply")));
    let dangling = graph_with(vec![node("Relu", "r", &["nowhere"], "out")], &[1, 4]);
    assert!(matches!(onnx::lower(&dangling), Err(ZkmlError::Model(_))));
    assert!(matches!(onnx::load_bytes(b"not an onnx file at all"), Err(ZkmlError::Model(_))));
    assert!(matches!(onnx::load("/nonexistent/model.onnx".as_ref()), Err(ZkmlError::Model(_))));
}

#[test]
fn bad_inputs_are_errors() {
    use std::sync::Arc;
    use zkaccel_zkml::{compile, CompileOptions};
    let program = onnx::load(&common::model_path("digits_mlp")).unwrap();
    let calibration = common::inputs("digits_mlp", "calibration");
    let model = Arc::new(compile(program.clone(), &calibration, &CompileOptions::default()).unwrap());
    assert!(matches!(model.run(&[0.5; 63]), Err(ZkmlError::Input(m)) if m.contains("64")));
    assert!(matches!(model.run(&[f64::NAN; 64]), Err(ZkmlError::Input(_))));
    // Far outside the calibrated range: an error before any proving.
    assert!(matches!(model.run(&[1000.0; 64]), Err(ZkmlError::OutOfRange(_))));
    assert!(compile(program.clone(), &[], &CompileOptions::default()).is_err());
    let odd_scale = CompileOptions { scale_bits: 9, ..Default::default() };
    assert!(matches!(compile(program, &calibration, &odd_scale), Err(ZkmlError::Calibration(_))));
}

#[test]
fn quantization_stays_close_to_float() {
    use zkaccel_zkml::{compile, CompileOptions};
    for name in ["digits_mlp", "digits_conv", "digits_sigmoid"] {
        let program = onnx::load(&common::model_path(name)).unwrap();
        let calibration = common::inputs(name, "calibration");
        let model = compile(program, &calibration, &CompileOptions::default()).unwrap();
        assert_eq!(model.report.samples, calibration.len());
        assert_eq!(model.report.argmax_agreement, calibration.len(), "{name}: {:?}", model.report);
        assert!(model.report.max_abs_error < 0.002, "{name}: {:?}", model.report);
        // The sigmoid's table is reported: its step, range and error against σ.
        let tables = &model.report.tables;
        if name == "digits_sigmoid" {
            assert_eq!(tables.len(), 1, "{tables:?}");
            let t = &tables[0];
            assert!(
                t.max_abs_error > 0.0 && t.max_abs_error < 2e-4 && t.step > 0.0 && t.range >= 2.0 * t.step,
                "{t:?}"
            );
        } else {
            assert!(tables.is_empty(), "{name}: {tables:?}");
        }
    }
}

#[test]
fn layers_name_the_nodes_composed_into_them() {
    // Conv → BatchNormalization → Add (the residual) → Relu is one layer.
    let program = onnx::load(&common::models_dir().join("suite/resnet_basic_block.onnx")).unwrap();
    let sources: Vec<&str> = program.layers.iter().map(|l| l.source.as_str()).collect();
    assert_eq!(program.layers.len(), 2, "{sources:?}");
    let last = sources[1];
    for op in ["Conv", "BatchNormalization", "Add", "Relu"] {
        assert!(last.contains(op), "{last}");
    }
    let conv = onnx::load(&common::model_path("digits_conv")).unwrap();
    assert!(conv.layers[0].source.starts_with("Conv + Relu"), "{}", conv.layers[0].source);
}

#[test]
fn round_takes_halves_to_even_like_onnx() {
    use zkaccel_zkml::{compile, CompileOptions};
    let model = graph_with(vec![node("Round", "round", &["input"], "out")], &[1, 8]);
    let program = onnx::lower(&model).unwrap();
    let ties = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4999, 2.25];
    let expected = [0.0, 2.0, 2.0, 0.0, -2.0, -2.0, 0.0, 2.0];
    assert_eq!(program.forward(&ties), expected);
    // Quantized, on exact ties (representable at 2^-14): the same.
    let calibration = vec![ties.to_vec(), vec![3.0; 8], vec![-3.0; 8]];
    let compiled = compile(program, &calibration, &CompileOptions::default()).unwrap();
    let trace = compiled.run(&ties).unwrap();
    let scale = (1i64 << 14) as f64;
    let proved: Vec<f64> = trace.outputs.iter().map(|&v| v as f64 / scale).collect();
    assert_eq!(proved, expected);
}

/// A suite model's graph with its node `op` changed by `edit`, lowered.
fn lower_edited(
    model: &str,
    op: &str,
    edit: impl Fn(&mut pb::NodeProto),
) -> Result<zkaccel_zkml::program::Program, ZkmlError> {
    use tract_onnx::prelude::Framework;
    let path = common::suite::suite_dir().join(format!("{model}.onnx"));
    let bytes = std::fs::read(path).unwrap();
    let mut proto = tract_onnx::onnx().proto_model_for_read(&mut &bytes[..]).unwrap();
    let graph = proto.graph.as_mut().unwrap();
    let node = graph.node.iter_mut().find(|n| n.op_type == op).unwrap();
    edit(node);
    onnx::lower(&proto)
}

fn int_attr(name: &str, i: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        i,
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        ..Default::default()
    }
}

/// What the recurrent and tree lowerings do not cover is an error that says so.
#[test]
fn recurrent_and_tree_limits_are_named_errors() {
    let expect = |result: Result<zkaccel_zkml::program::Program, ZkmlError>, words: &str| match result {
        Err(ZkmlError::Model(m)) => assert!(m.contains(words), "{m}"),
        other => panic!("expected an error naming '{words}', got {other:?}"),
    };
    assert!(lower_edited("lstm_16_steps", "LSTM", |_| {}).is_ok());
    expect(lower_edited("lstm_16_steps", "LSTM", |n| n.attribute.push(int_attr("layout", 2))), "layout 2");
    expect(
        lower_edited("lstm_16_steps", "LSTM", |n| {
            n.attribute.push(pb::AttributeProto {
                name: "clip".into(),
                f: 3.0,
                r#type: pb::attribute_proto::AttributeType::Float as i32,
                ..Default::default()
            })
        }),
        "clip",
    );
    expect(lower_edited("lstm_16_steps", "LSTM", |n| n.attribute.push(int_attr("input_forget", 1))), "input_forget");
    expect(lower_edited("gru_16_steps", "GRU", |n| n.input[1] = "nowhere".into()), "nowhere");
    expect(
        lower_edited("random_forest_classifier", "TreeEnsembleClassifier", |n| {
            n.attribute.retain(|a| a.name != "classlabels_int64s")
        }),
        "string labels",
    );
    expect(
        lower_edited("gradient_boosting_regressor", "TreeEnsembleRegressor", |n| {
            n.attribute.retain(|a| a.name != "aggregate_function");
            n.attribute.push(pb::AttributeProto {
                name: "aggregate_function".into(),
                s: b"MAX".to_vec(),
                r#type: pb::attribute_proto::AttributeType::String as i32,
                ..Default::default()
            });
        }),
        "MAX",
    );
    expect(
        lower_edited("gradient_boosting_regressor", "TreeEnsembleRegressor", |n| {
            for a in n.attribute.iter_mut().filter(|a| a.name == "nodes_truenodeids") {
                a.ints[0] = 9999;
            }
        }),
        "no node 9999",
    );
}

/// `layout = 1` (batch-first; onnxruntime rejects it, so no float reference
/// runs it): the suite's recurrent models rewritten batch-first, with
/// Transposes into the node's X and initial states and out of its outputs,
/// compute exactly what the sequence-first originals do.
#[test]
fn batch_first_recurrent_nodes_equal_their_sequence_first_graphs() {
    use tract_onnx::prelude::Framework;
    let transpose = |input: &str, output: &str, perm: &[i64]| pb::NodeProto {
        op_type: "Transpose".into(),
        input: vec![input.into()],
        output: vec![output.into()],
        attribute: vec![pb::AttributeProto {
            name: "perm".into(),
            ints: perm.to_vec(),
            r#type: pb::attribute_proto::AttributeType::Ints as i32,
            ..Default::default()
        }],
        ..Default::default()
    };
    for (model, op) in [("lstm_16_steps", "LSTM"), ("gru_16_steps", "GRU"), ("rnn_bidirectional", "RNN")] {
        let bytes = std::fs::read(common::suite::suite_dir().join(format!("{model}.onnx"))).unwrap();
        let mut proto = tract_onnx::onnx().proto_model_for_read(&mut &bytes[..]).unwrap();
        let original = onnx::lower(&proto).unwrap();
        let graph = proto.graph.as_mut().unwrap();
        let mut rewritten = Vec::new();
        let mut count = 0;
        for mut node in std::mem::take(&mut graph.node) {
            if node.op_type != op {
                rewritten.push(node);
                continue;
            }
            count += 1;
            // X, initial_h and initial_c into batch-first order.
            for i in [0, 5, 6] {
                if let Some(name) = node.input.get(i).filter(|n| !n.is_empty()).cloned() {
                    let moved = format!("{name}_batch_first_{count}");
                    rewritten.push(transpose(&name, &moved, &[1, 0, 2]));
                    node.input[i] = moved;
                }
            }
            node.attribute.push(int_attr("layout", 1));
            let mut after = Vec::new();
            for (i, perm) in [(0, [1, 2, 0, 3].as_slice()), (1, &[1, 0, 2]), (2, &[1, 0, 2])] {
                if let Some(name) = node.output.get(i).filter(|n| !n.is_empty()).cloned() {
                    let moved = format!("{name}_batch_first");
                    after.push(transpose(&moved, &name, perm));
                    node.output[i] = moved;
                }
            }
            rewritten.push(node);
            rewritten.extend(after);
        }
        assert!(count > 0, "{model} has no {op}");
        graph.node = rewritten;
        let batch_first = onnx::lower(&proto).unwrap();
        let (input, _) = common::suite::sample(model);
        assert_eq!(batch_first.forward(&input), original.forward(&input), "{model}");
    }
}

fn initializer(name: &str, dims: &[i64], data: Vec<f32>) -> pb::TensorProto {
    pb::TensorProto { name: name.into(), dims: dims.to_vec(), data_type: 1, float_data: data, ..Default::default() }
}

fn ints(name: &str, values: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto { name: name.into(), ints: values.to_vec(), r#type: 7, ..Default::default() }
}

/// The hostile models of issue 23's CLI probe, each an error and never a
/// panic, an allocation abort or a silently different model: a Gemm whose
/// initializer holds fewer values than its dims say (tract's loader
/// panicked), huge pads, a 10^9-value input, input dims 2^32 × 2^32 (which
/// wrapped to a model of no inputs), a pooling dilation of 2^62 + 1, a
/// comparison with one input, and LSTM peepholes shorter than the gates.
#[test]
fn hostile_models_are_errors() {
    let check = |what: &str, model: pb::ModelProto| {
        let lowered = std::panic::catch_unwind(|| onnx::lower(&model));
        match lowered {
            Ok(Err(ZkmlError::Model(m))) => eprintln!("{what}: {m}"),
            Ok(other) => panic!("{what}: not a model error: {other:?}"),
            Err(_) => panic!("{what}: panicked"),
        }
    };
    let mut gemm = graph_with(vec![node("Gemm", "g", &["input", "w"], "out")], &[1, 4]);
    gemm.graph.as_mut().unwrap().initializer = vec![initializer("w", &[4, 4], vec![1.0; 3])];
    check("a Gemm whose weights lie about their dims", gemm);

    let mut pad = graph_with(vec![node("Pad", "p", &["input"], "out")], &[1, 4]);
    pad.opset_import = vec![pb::OperatorSetIdProto { domain: String::new(), version: 10 }];
    pad.graph.as_mut().unwrap().node[0].attribute = vec![ints("pads", &[0, 1 << 40, 0, 1 << 40])];
    check("pads of 2^40", pad);

    check("a 10^9-value input", graph_with(vec![node("Relu", "r", &["input"], "out")], &[1_000_000_000]));
    check("input dims 2^32 × 2^32", graph_with(vec![node("Relu", "r", &["input"], "out")], &[1 << 32, 1 << 32]));

    let mut pool = graph_with(vec![node("MaxPool", "m", &["input"], "out")], &[1, 1, 8, 8]);
    pool.graph.as_mut().unwrap().node[0].attribute =
        vec![ints("kernel_shape", &[2, 2]), ints("dilations", &[(1 << 62) + 1, 1])];
    check("a dilation of 2^62 + 1", pool);

    check("an Equal with one input", graph_with(vec![node("Equal", "e", &["input"], "out")], &[1, 4]));

    let mut lstm = graph_with(vec![node("LSTM", "l", &["input", "w", "r", "", "", "", "", "p"], "out")], &[2, 1, 3]);
    lstm.graph.as_mut().unwrap().node[0].attribute =
        vec![pb::AttributeProto { name: "hidden_size".into(), i: 2, r#type: 2, ..Default::default() }];
    lstm.graph.as_mut().unwrap().initializer = vec![
        initializer("w", &[1, 8, 3], vec![0.1; 24]),
        initializer("r", &[1, 8, 2], vec![0.1; 16]),
        initializer("p", &[1, 2], vec![0.1; 2]),
    ];
    check("LSTM peepholes shorter than the gates", lstm);
}
