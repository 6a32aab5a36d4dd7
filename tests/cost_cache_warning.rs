//! The warning a corrupt cost cache gets (alone in its test binary for the
//! reason tests/fallback_warning.rs gives: tracing caches callsite interest
//! per process).

use std::sync::Arc;

use zkaccel::CostModel;

/// A writer into a shared buffer, to read what was logged.
#[derive(Clone, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning() {
    let dir = std::env::temp_dir().join(format!("zkaccel-cost-warning-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("costs.txt");
    std::fs::write(&path, "garbage\n").unwrap();
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let model = tracing::subscriber::with_default(subscriber, || CostModel::load(Some(path.clone())));
    assert_eq!(model.path(), Some(path.as_path()));
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN") && text.contains("ignoring the cost model"), "{text}");
    assert!(text.contains("corrupt") && text.contains("measured again"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
