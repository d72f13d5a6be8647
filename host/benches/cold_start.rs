//! Cold start: a fresh runtime loading 20 installed plugins (compile or
//! read machine code, check imports and exports, instantiate once for the
//! manifest, validate it), from the precompiled cache on disk against
//! compiling every one from scratch.
//!
//! Run with `cargo bench -p aftersale --bench cold_start`. The 20 plugins
//! are the first-party ones and the test components, each copy given its
//! own custom section so all 20 have distinct content hashes, as 20
//! installed versions would. Without `--bench` (as `cargo test
//! --all-targets` runs it) it loads 3 plugins once, to show it still works.

use std::path::Path;
use std::time::{Duration, Instant};

use aftersale::plugins::{DEFAULT_BUNDLE, Runtime, RuntimeConfig};
use aftersale_tests::components;

const PLUGINS: usize = 20;
const RUNS: usize = 5;

/// `bytes` with a custom section naming `copy`: other bytes, same plugin.
fn restamped(bytes: &[u8], copy: usize) -> Vec<u8> {
    let name = b"aftersale-bench";
    let tag = format!("copy-{copy}");
    let size = 1 + name.len() + tag.len();
    assert!(size < 128, "one-byte LEB128 sizes only");
    let mut out = bytes.to_vec();
    out.extend_from_slice(&[0, size as u8, name.len() as u8]);
    out.extend_from_slice(name);
    out.extend_from_slice(tag.as_bytes());
    out
}

fn installed(count: usize) -> Vec<Vec<u8>> {
    let mut sources: Vec<Vec<u8>> = DEFAULT_BUNDLE.iter().map(|(_, b)| b.to_vec()).collect();
    for path in [
        components::HOSTILE,
        components::GREETER_V1,
        components::GREETER_V2,
    ] {
        sources.push(std::fs::read(path).expect("the test components were built"));
    }
    (0..count)
        .map(|i| restamped(&sources[i % sources.len()], i))
        .collect()
}

/// A fresh runtime on `cache`, and the time to load every plugin.
async fn cold_start(cache: &Path, plugins: &[Vec<u8>]) -> (Duration, Runtime) {
    let started = Instant::now();
    let runtime = Runtime::new(RuntimeConfig {
        cache_dir: Some(cache.to_path_buf()),
        // One deployment's key, as `serve` reads it from the database.
        cache_key: Some([0x5a; 32]),
        ..RuntimeConfig::default()
    })
    .expect("the runtime starts");
    for bytes in plugins {
        runtime.load(bytes).await.expect("the plugin loads");
    }
    (started.elapsed(), runtime)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and wants a quick check only.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (count, runs) = if quick { (3, 1) } else { (PLUGINS, RUNS) };
    let plugins = installed(count);
    let total_kib: usize = plugins.iter().map(Vec::len).sum::<usize>() / 1024;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio starts");

    rt.block_on(async {
        let mut compiled = Vec::new();
        let mut cached = Vec::new();
        for _ in 0..runs {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let (took, runtime) = cold_start(dir.path(), &plugins).await;
            let stats = runtime.cache_stats().expect("a cache");
            assert_eq!(stats.misses as usize, count, "{stats:?}");
            compiled.push(took);
            drop(runtime);

            let (took, runtime) = cold_start(dir.path(), &plugins).await;
            let stats = runtime.cache_stats().expect("a cache");
            assert_eq!(stats.hits as usize, count, "{stats:?}");
            cached.push(took);
        }
        compiled.sort();
        cached.sort();
        let median = |v: &[Duration]| v[v.len() / 2];
        println!("cold start, {count} plugins ({total_kib} KiB of components), {runs} runs:");
        println!(
            "  from the precompiled cache: median {}, min {}",
            ms(median(&cached)),
            ms(cached[0])
        );
        println!(
            "  compiling from scratch:     median {}, min {}",
            ms(median(&compiled)),
            ms(compiled[0])
        );
        if !quick {
            println!(
                "  under 1 s from the cache: {}",
                if median(&cached) < Duration::from_secs(1) {
                    "yes"
                } else {
                    "NO"
                }
            );
        }
    });
}
