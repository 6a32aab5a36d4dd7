//! The warning a corrupt cost cache gets (alone in its test binary for the
//! reason tests/fallback_warning.rs gives: tracing caches callsite interest
//! per process).

use zkaccel::CostModel;

mod common;

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning() {
    let dir = std::env::temp_dir().join(format!("zkaccel-cost-warning-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("costs.txt");
    std::fs::write(&path, "garbage\n").unwrap();
    let (model, text) = common::logged(|| CostModel::load(Some(path.clone())));
    assert_eq!(model.path(), Some(path.as_path()));
    assert!(text.contains("WARN") && text.contains("ignoring the cost model"), "{text}");
    assert!(text.contains("corrupt") && text.contains("measured again"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
