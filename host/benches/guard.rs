//! Latency and throughput of a `guard` call through the sandbox, beside the
//! same rule compiled natively.
//!
//! Run with `cargo bench -p aftersale --bench guard`. Every sandboxed call
//! gets a fresh store and instance, as in production; the snapshot carries
//! about 2 KiB of text. With `--bench` the Python and JavaScript plugins
//! that `aftersale plugin new --lang …` writes are built (their `./build`
//! installs the pinned toolchain) and their guard is measured on the same
//! snapshot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aftersale::plugins::{DEFAULT_BUNDLE, Runtime, RuntimeConfig};
use aftersale::scaffold::{self, Lang};
use aftersale_sdk::testing::{Harness, SnapshotBuilder};
use aftersale_sdk::{Plugin, Role, Snapshot, TransitionRequest};
use appliance::Appliance;
use serde_json::json;

/// The allocator the server runs with (`src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WARM_UP: usize = 2_000;
const SAMPLES: usize = 20_000;
const THROUGHPUT_CALLS: usize = 40_000;

fn snapshot() -> Snapshot {
    let harness = Harness::<Appliance>::new();
    let builder: SnapshotBuilder = harness
        .snapshot("installation")
        .actor(Role::Technician)
        .attr("appointment_at", "2026-01-11T09:00:00+08:00")
        .attr("technician", "tech-7")
        .attr("region", "city")
        .attr(
            "checklist",
            json!({
                "vacuum_mmhg": -756, "vacuum_hold_minutes": 15, "vacuum_rise": false,
                "leak_test": true, "drain_test": true, "trial_run_minutes": 35,
                "anchor_bolts": 4, "exposed_pipe_cm": 15
            }),
        )
        .attr(
            "notes",
            "客户要求安装在阳台外墙，需要高空作业安全带。".repeat(12),
        );
    let mut snapshot = builder
        .event(
            "created",
            "2026-01-10T09:00:00+08:00",
            json!({"state": "scheduled"}),
        )
        .event(
            "attribute_set",
            "2026-01-10T09:30:00+08:00",
            json!({"name": "appointment_at", "value": "2026-01-11T09:00:00+08:00"}),
        )
        .build();
    snapshot.ticket.description = "格力 KFR-35GW 分体挂机，一拖一，含 3 米铜管".into();
    snapshot
}

fn check_in() -> TransitionRequest {
    TransitionRequest {
        name: "check_in".into(),
        from: "scheduled".into(),
        to: "on_site".into(),
        note: None,
        changed_attributes: Vec::new(),
    }
}

fn snapshot_bytes(s: &Snapshot) -> usize {
    serde_json::to_string(s).map(|t| t.len()).unwrap_or(0)
}

struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let total: Duration = samples.iter().sum();
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        mean: total / samples.len() as u32,
    }
}

/// p50 and p99 of the `finish` guard of the `--lang` kit, one call at a
/// time, on `snapshot` made a ticket of the kit's kind.
fn kit_guard(
    rt: &tokio::runtime::Runtime,
    runtime: &Runtime,
    lang: Lang,
    snapshot: &Snapshot,
    samples: usize,
) -> (Stats, u64) {
    let name = format!("bench-{lang:?}").to_lowercase();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let project = scaffold::create(&scaffold::NewPlugin {
        name: name.clone(),
        path: Some(dir.path().join(&name)),
        sdk: None,
        lang,
    })
    .expect("the project is written");
    let wasm = scaffold::build(&project, &name).unwrap_or_else(|e| panic!("{e:#}"));
    let bytes = std::fs::read(&wasm).expect("the component was built");
    let plugin = rt.block_on(runtime.load(&bytes)).expect("the kit loads");
    let mut snapshot = snapshot.clone();
    snapshot.ticket.kind = name.replace('-', "_");
    snapshot.ticket.state = "repairing".into();
    snapshot.ticket.attributes.insert("under_warranty", true);
    let finish = TransitionRequest {
        name: "finish".into(),
        from: "repairing".into(),
        to: "done".into(),
        note: None,
        changed_attributes: Vec::new(),
    };
    let (latencies, fuel) = rt.block_on(async {
        let mut latencies = Vec::with_capacity(samples);
        let mut fuel = 0;
        for i in 0..samples / 10 + samples {
            let started = Instant::now();
            let called = runtime
                .guard(&plugin, &snapshot, &finish)
                .await
                .expect("guard runs");
            let elapsed = started.elapsed();
            assert!(
                called.value.is_ok(),
                "the warranty is decided: {:?}",
                called.value
            );
            fuel = called.report.fuel_used;
            if i >= samples / 10 {
                latencies.push(elapsed);
            }
        }
        (latencies, fuel)
    });
    (stats(latencies), fuel)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and only wants to know the bench builds and runs.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (warm_up, samples, throughput) = if quick {
        (10, 100, 200)
    } else {
        (WARM_UP, SAMPLES, THROUGHPUT_CALLS)
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Arc::new(Runtime::new(RuntimeConfig::default()).expect("runtime starts"));
    let bytes = DEFAULT_BUNDLE
        .iter()
        .find(|(name, _)| *name == "appliance")
        .expect("appliance is embedded")
        .1;
    let plugin = rt.block_on(runtime.load(bytes)).expect("appliance loads");
    let snapshot = Arc::new(snapshot());
    let request = Arc::new(check_in());
    // The sandbox must decide exactly what the native rule decides.
    let expected = Appliance::guard(&snapshot, &request);
    assert!(expected.is_ok(), "the visit is arranged: {expected:?}");

    // Sandboxed latency, one call at a time.
    let latencies = rt.block_on(async {
        let mut latencies = Vec::with_capacity(samples);
        for i in 0..warm_up + samples {
            let started = Instant::now();
            let called = runtime
                .guard(&plugin, &snapshot, &request)
                .await
                .expect("guard runs");
            let elapsed = started.elapsed();
            assert_eq!(called.value, expected, "sandbox and native agree");
            if i >= warm_up {
                latencies.push(elapsed);
            }
        }
        latencies
    });
    let wasm = stats(latencies);

    // Sandboxed throughput on both cores: 8 tasks of 8 tenants, then of
    // one tenant, which runs on half the cores.
    let tasks = 2 * 4;
    let per_second = |tenants: usize| {
        let started = Instant::now();
        rt.block_on(async {
            let handles: Vec<_> = (0..tasks)
                .map(|i| {
                    let (runtime, plugin) = (runtime.clone(), plugin.clone());
                    let mut snapshot = (*snapshot).clone();
                    snapshot.tenant = format!("tenant-{}", i % tenants);
                    let request = request.clone();
                    tokio::spawn(async move {
                        for _ in 0..throughput / tasks {
                            let called = runtime.guard(&plugin, &snapshot, &request).await;
                            assert!(called.is_ok());
                        }
                    })
                })
                .collect();
            for handle in handles {
                handle.await.expect("no task panicked");
            }
        });
        throughput as f64 / started.elapsed().as_secs_f64()
    };
    let across_tenants = per_second(tasks);
    let one_tenant = per_second(1);

    // The same rule, compiled natively, with the same snapshot.
    let mut native = Vec::with_capacity(samples);
    for i in 0..warm_up + samples {
        let started = Instant::now();
        let decision = Appliance::guard(std::hint::black_box(&snapshot), &request);
        let elapsed = started.elapsed();
        assert_eq!(decision, expected);
        if i >= warm_up {
            native.push(elapsed);
        }
    }
    let native = stats(native);

    println!(
        "guard(check_in) of appliance@{}, snapshot {} bytes of JSON",
        plugin.version(),
        snapshot_bytes(&snapshot)
    );
    println!("                      p50 µs    p99 µs   mean µs");
    println!(
        "sandboxed (fresh store) {:>8.2} {:>9.2} {:>9.2}",
        micros(wasm.p50),
        micros(wasm.p99),
        micros(wasm.mean)
    );
    println!(
        "native                  {:>8.3} {:>9.3} {:>9.3}",
        micros(native.p50),
        micros(native.p99),
        micros(native.mean)
    );
    println!(
        "sandboxed throughput, 2 cores, {tasks} tasks: {across_tenants:.0} calls/s \
         across {tasks} tenants, {one_tenant:.0} calls/s for one tenant"
    );
    println!(
        "sandbox overhead at p50: {:.0}× native",
        wasm.p50.as_secs_f64() / native.p50.as_secs_f64().max(1e-9)
    );

    if quick {
        // Building the kits takes a minute; the e2e tests cover them.
        return;
    }
    for lang in [Lang::Python, Lang::Js] {
        let (kit, fuel) = kit_guard(&rt, &runtime, lang, &snapshot, samples / 10);
        println!(
            "{lang:?} kit guard(finish), fresh instance: p50 {:.0} µs, p99 {:.0} µs, \
             mean {:.0} µs, {fuel} fuel",
            micros(kit.p50),
            micros(kit.p99),
            micros(kit.mean)
        );
    }
}
