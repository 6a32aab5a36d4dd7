//! ONNX test models written node by node (tract's protobuf types).

use tract_onnx::pb;

/// `op` of `inputs` into `output`, unnamed.
pub fn node(op: &str, inputs: &[&str], output: &str) -> pb::NodeProto {
    pb::NodeProto {
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        ..Default::default()
    }
}

/// `node` with the integer attribute `name = value`.
pub fn with_int(mut node: pb::NodeProto, name: &str, value: i64) -> pb::NodeProto {
    node.attribute.push(pb::AttributeProto {
        name: name.into(),
        i: value,
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        ..Default::default()
    });
    node
}

/// A float input of shape `dims`.
pub fn float_input(name: &str, dims: &[i64]) -> pb::ValueInfoProto {
    let dim = dims
        .iter()
        .map(|&d| pb::tensor_shape_proto::Dimension {
            value: Some(pb::tensor_shape_proto::dimension::Value::DimValue(d)),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: 1,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The model of `nodes` reading `inputs`, with `initializers`, whose
/// outputs are the tensors named `outputs`.
pub fn model(
    nodes: Vec<pb::NodeProto>,
    inputs: Vec<pb::ValueInfoProto>,
    outputs: &[&str],
    initializers: Vec<pb::TensorProto>,
) -> pb::ModelProto {
    let output = outputs.iter().map(|&name| pb::ValueInfoProto { name: name.into(), ..Default::default() }).collect();
    let graph = pb::GraphProto { node: nodes, input: inputs, output, initializer: initializers, ..Default::default() };
    pb::ModelProto { graph: Some(graph), ..Default::default() }
}
