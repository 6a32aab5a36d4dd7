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
            let theirs = common::tract_forward(&path, &program.input_shape, input);
            assert_eq!(ours.len(), theirs.len(), "{name}");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() < 1e-4, "{name}: {a} vs tract {b}");
            }
        }
    }
}
