//! `GET /api/v1/metrics/service` over a year of a million tickets.
//!
//! Seeds one tenant with N tickets spread over the 365 days of 2025 (ticket
//! rows and their metric facts, written through the store in one commit per
//! 10,000 tickets, as the service writes them), times the rollup refresh the
//! background job runs, then times the endpoint over the whole year through
//! the real router, as the tenant's admin, for several `group_by` (p50 and
//! max of 20 requests after 2 warm-ups; the target is p50 under 1 s).
//!
//! `cargo bench -p aftersale --bench metrics`: N = 1,000,000 on SQLite, and
//! on PostgreSQL too when `AFTERSALE_BENCH_POSTGRES_URL` names a server (a
//! scratch database is created on it and dropped afterwards).
//! `BENCH_TICKETS` overrides N; `BENCH_BACKENDS` (`sqlite,postgres`) picks
//! the databases.
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) N = 2,000 and 3
//! requests per `group_by`. Either way every answer is checked: each group's
//! report equals the one computed straight from the seeded facts (all but
//! CSI, which the tenant's weights decide), and `all` counts N tickets.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use aftersale::api::{AppState, app};
use aftersale::domain::Ticket;
use aftersale::domain::metrics::{
    Assignment, Clock, Complaint, Dimensions, Elapsed, FieldWork, MetricsPolicy, Phase, Repair,
    Report, SlaOutcome, SlaOutcomes, Summary, SurveyAnswer, TicketFacts, TicketHistory,
};
use aftersale::domain::{Category, Channel, Customer, Priority};
use aftersale::plugins::Runtime;
use aftersale::store::{Commit, FactsRow};
use axum::http::StatusCode;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use uuid::Uuid;

use support::{Database, Rng, get, ms};

/// Tickets per commit while seeding.
const BATCH: usize = 10_000;
const DAYS: i64 = 365;
const GROUP_BY: [&str; 5] = ["all", "kind", "region", "plugin", "assignee"];
/// The answer the benchmark is about.
const TARGET: Duration = Duration::from_secs(1);

const CHANNELS: [Channel; 6] = [
    Channel::Phone,
    Channel::Online,
    Channel::WalkIn,
    Channel::Onsite,
    Channel::Email,
    Channel::Api,
];
const PRIORITIES: [Priority; 5] = [
    Priority::P1,
    Priority::P2,
    Priority::P3,
    Priority::P4,
    Priority::P5,
];
const REGIONS: [&str; 6] = ["city", "county", "rural", "north", "south", "coast"];
const ASSIGNEES: u64 = 40;
const ATTRIBUTES: [&str; 4] = ["timeliness", "attitude", "professionalism", "result"];

/// What only this bench draws.
impl Rng {
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Log-uniform in `[lo, hi)` minutes, as a duration.
    fn minutes(&mut self, lo: f64, hi: f64) -> SignedDuration {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        SignedDuration::from_secs_f64(60.0 * lo * (hi / lo).powf(u))
    }
}

/// Wall-clock time: the seeded tickets' SLAs run on the calendar.
struct WallClock;

impl Elapsed for WallClock {
    fn between(&self, from: Timestamp, to: Timestamp, _business: bool) -> SignedDuration {
        if to > from {
            to.duration_since(from)
        } else {
            SignedDuration::ZERO
        }
    }
}

/// How much to seed and how often to ask.
#[derive(Debug, Clone, Copy)]
struct Plan {
    tickets: usize,
    warm_up: usize,
    samples: usize,
}

impl Plan {
    const FULL: Plan = Plan {
        tickets: 1_000_000,
        warm_up: 2,
        samples: 20,
    };
    /// A few seconds, answers still checked.
    const QUICK: Plan = Plan {
        tickets: 2_000,
        warm_up: 1,
        samples: 3,
    };
}

/// What the tenant's bindings offer: kinds and the plugins that own them.
struct Catalog {
    kinds: Vec<(String, String)>,
    zone: TimeZone,
    policy: MetricsPolicy,
    first_day: Date,
}

/// Per `group_by`, a summary of the facts seeded in each group, added up
/// one ticket at a time: what the merged rollups must equal exactly.
type Expected = BTreeMap<&'static str, BTreeMap<String, Summary>>;

fn expect(expected: &mut Expected, group_by: &'static str, group: &str, facts: &TicketFacts) {
    expected
        .entry(group_by)
        .or_default()
        .entry(group.to_string())
        .or_default()
        .add(facts);
}

/// One ticket of the year: its row, its facts row, and the groups it counts in.
fn ticket(
    rng: &mut Rng,
    tenant: Uuid,
    catalog: &Catalog,
    expected: &mut Expected,
) -> (Ticket, FactsRow) {
    let day = catalog
        .first_day
        .checked_add(jiff::Span::new().days(rng.below(DAYS as u64) as i64))
        .expect("a day of the year");
    // Mostly office hours, some at night.
    let second = if rng.chance(85) {
        8 * 3600 + rng.below(10 * 3600)
    } else {
        rng.below(24 * 3600)
    };
    let created = day
        .to_zoned_datetime(catalog.zone.clone())
        .expect("midnight exists")
        .timestamp()
        + SignedDuration::from_secs(second as i64);

    let (kind, plugin) = rng.pick(&catalog.kinds).clone();
    let channel = *rng.pick(&CHANNELS);
    let priority = PRIORITIES[[0, 1, 1, 2, 2, 2, 2, 3, 3, 4][rng.below(10) as usize]];
    let region = (!rng.chance(8)).then(|| rng.pick(&REGIONS).to_string());
    let first = (!rng.chance(5)).then(|| format!("agent-{:02}", rng.below(ASSIGNEES)));

    let mut phases = vec![Phase {
        at: created,
        category: Category::New,
    }];
    let mut assignments = Vec::new();
    let mut escalations = Vec::new();
    let mut on_site = Vec::new();
    let mut assignee = first.clone();
    let mut sla = SlaOutcomes::default();
    let mut survey = None;
    let handling = rng
        .chance(96)
        .then(|| created + rng.minutes(1.0, 8.0 * 60.0));
    let mut category = Category::New;
    if let Some(handled) = handling {
        if first.is_some() {
            assignments.push(Assignment {
                at: created,
                assignee: first.clone(),
            });
        }
        sla.response = Some(if rng.chance(88) {
            SlaOutcome::Met
        } else {
            SlaOutcome::Breached
        });
        phases.push(Phase {
            at: handled,
            category: Category::Active,
        });
        category = Category::Active;
        let mut at = handled;
        if rng.chance(10) {
            let other = format!("agent-{:02}", rng.below(ASSIGNEES));
            at += rng.minutes(5.0, 240.0);
            assignments.push(Assignment {
                at,
                assignee: Some(other.clone()),
            });
            assignee = Some(other);
        }
        if rng.chance(4) {
            at += rng.minutes(5.0, 120.0);
            escalations.push(at);
        }
        if plugin == "appliance" && rng.chance(40) {
            at += rng.minutes(30.0, 48.0 * 60.0);
            on_site.push(at);
            sla.on_site = Some(if rng.chance(85) {
                SlaOutcome::Met
            } else {
                SlaOutcome::Breached
            });
        }
        if rng.chance(20) {
            at += rng.minutes(5.0, 600.0);
            phases.push(Phase {
                at,
                category: Category::Waiting,
            });
            at += rng.minutes(10.0, 3.0 * 24.0 * 60.0);
            phases.push(Phase {
                at,
                category: Category::Active,
            });
        }
        if rng.chance(88) {
            at += rng.minutes(5.0, 10.0 * 24.0 * 60.0);
            phases.push(Phase {
                at,
                category: Category::Resolved,
            });
            category = Category::Resolved;
            sla.resolution = Some(if rng.chance(80) {
                SlaOutcome::Met
            } else {
                SlaOutcome::Breached
            });
            if rng.chance(6) {
                at += rng.minutes(60.0, 14.0 * 24.0 * 60.0);
                phases.push(Phase {
                    at,
                    category: Category::Active,
                });
                at += rng.minutes(30.0, 3.0 * 24.0 * 60.0);
                phases.push(Phase {
                    at,
                    category: Category::Resolved,
                });
            }
            if rng.chance(35) {
                let mut ratings = serde_json::Map::new();
                for attribute in ATTRIBUTES {
                    if rng.chance(90) {
                        let rating = [1, 2, 3, 4, 4, 5, 5, 5, 5, 5][rng.below(10) as usize];
                        ratings.insert(attribute.into(), json!(rating));
                    }
                }
                let answer = json!({"ratings": ratings, "recommendation": rng.below(11)});
                survey =
                    Some(serde_json::from_value::<SurveyAnswer>(answer).expect("a valid answer"));
            }
            if rng.chance(70) {
                at += rng.minutes(60.0, 7.0 * 24.0 * 60.0);
                phases.push(Phase {
                    at,
                    category: Category::Closed,
                });
                category = Category::Closed;
            }
        }
    } else if rng.chance(30) {
        phases.push(Phase {
            at: created + rng.minutes(1.0, 600.0),
            category: Category::Cancelled,
        });
        category = Category::Cancelled;
    }

    let dimensions = Dimensions {
        kind: kind.clone(),
        channel,
        priority,
        assignee: assignee.clone(),
        region: region.clone(),
        plugin: Some(plugin.clone()),
        team: None,
        technician: None,
        service_point: None,
    };
    let history = TicketHistory {
        created_at: created,
        dimensions,
        phases,
        handling_started_at: handling,
        assignments,
        escalations,
        on_site_dispatches: on_site,
        complaint: (kind == "complaint").then(|| Complaint {
            service_recovery: rng.chance(30),
        }),
        repair: (kind == "repair").then(|| Repair {
            re_repair: rng.chance(5),
        }),
        survey,
        sla,
        field: FieldWork::default(),
    };
    let facts =
        TicketFacts::from(&history, &catalog.policy, &WallClock).expect("a consistent history");

    expect(expected, "all", "all", &facts);
    expect(expected, "kind", &kind, &facts);
    expect(expected, "plugin", &plugin, &facts);
    expect(
        expected,
        "region",
        region.as_deref().unwrap_or_default(),
        &facts,
    );
    expect(
        expected,
        "assignee",
        assignee.as_deref().unwrap_or_default(),
        &facts,
    );

    let id = Uuid::now_v7();
    let mut attributes = serde_json::Map::new();
    if let Some(region) = &region {
        attributes.insert("region".into(), json!(region));
    }
    let row = Ticket {
        id,
        tenant_id: tenant,
        kind,
        title: format!("Seeded ticket #{}", rng.below(1_000_000)),
        description: "Seeded for the metrics benchmark.".into(),
        channel,
        customer: Customer {
            name: "Chen Jing".into(),
            phone: Some("+86 138 0000 0000".into()),
            email: None,
            address: None,
        },
        product: None,
        priority,
        state: format!("{category:?}").to_lowercase(),
        category,
        assignee,
        team: None,
        attributes,
        version: 1,
        created_at: created,
        updated_at: created,
    };
    let facts = FactsRow {
        ticket_id: id,
        tenant_id: tenant,
        day: created
            .to_zoned_datetime(catalog.zone.clone())
            .date()
            .to_string(),
        facts: serde_json::to_value(&facts).expect("facts serialize"),
    };
    (row, facts)
}

/// Seed, refresh, query on one database; `true` when every p50 is on target.
async fn run(label: &str, db: &Database, runtime: Arc<Runtime>, plan: Plan) -> bool {
    let n = plan.tickets;
    let started = Instant::now();
    let (store, services) = support::services(db, runtime).await;
    let created = services
        .create_tenant("Metrics Bench", None)
        .await
        .expect("a tenant");
    let tenant = created.tenant.id;
    let zone = TimeZone::get(&created.tenant.time_zone).expect("the tenant's zone");
    let kinds: Vec<(String, String)> = store
        .bindings(tenant)
        .await
        .expect("bindings")
        .into_iter()
        .map(|b| (b.kind, b.plugin_name))
        .collect();
    let setup = started.elapsed();
    assert!(!kinds.is_empty(), "the tenant has kinds");
    let catalog = Catalog {
        kinds,
        zone,
        policy: MetricsPolicy {
            response: Clock::Calendar,
            resolution: Clock::Calendar,
            reopen_window_days: 7,
            time_zone: created.tenant.time_zone.clone(),
        },
        first_day: date(2025, 1, 1),
    };
    let last_day = catalog
        .first_day
        .checked_add(jiff::Span::new().days(DAYS - 1))
        .expect("a last day");

    // Seed.
    let mut rng = Rng(0x00af_7e25_a1e5);
    let mut expected = Expected::new();
    let started = Instant::now();
    let mut generating = Duration::ZERO;
    let mut seeded = 0;
    while seeded < n {
        let size = BATCH.min(n - seeded);
        let t = Instant::now();
        let (inserts, facts): (Vec<_>, Vec<_>) = (0..size)
            .map(|_| ticket(&mut rng, tenant, &catalog, &mut expected))
            .unzip();
        generating += t.elapsed();
        store
            .commit(&Commit {
                tenant_id: tenant,
                inserts,
                facts,
                ..Commit::default()
            })
            .await
            .expect("a batch commits");
        seeded += size;
    }
    let seeding = started.elapsed();
    println!(
        "\n{label}: {n} tickets over {DAYS} days ({} – {last_day}), kinds {:?}",
        catalog.first_day,
        catalog
            .kinds
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
    );
    println!(
        "  setup (migrations, plugins, tenant): {:.1} s",
        setup.as_secs_f64()
    );
    println!(
        "  seed (ticket + facts rows, {BATCH} per commit): {:.1} s, {:.0} tickets/s ({:.1} s of it generating)",
        seeding.as_secs_f64(),
        n as f64 / seeding.as_secs_f64(),
        generating.as_secs_f64()
    );

    // What the background job does.
    let started = Instant::now();
    services
        .refresh_tenant_rollups(tenant)
        .await
        .expect("the rollups refresh");
    let refresh = started.elapsed();
    println!(
        "  refresh_tenant_rollups: {:.1} s, {:.0} facts rows/s",
        refresh.as_secs_f64(),
        n as f64 / refresh.as_secs_f64()
    );
    assert!(
        store
            .dirty_facts(tenant, 1)
            .await
            .expect("dirty facts")
            .is_empty(),
        "the refresh leaves no facts dirty"
    );

    // The endpoint, over the whole year.
    let state = AppState::new(services.clone(), None);
    let router = app(state);
    let key = created.admin_key;
    let mut pass = true;
    println!(
        "  GET /api/v1/metrics/service?from={}&to={last_day}",
        catalog.first_day
    );
    println!("    group_by   rollups  groups  p50 ms   max ms");
    for group_by in GROUP_BY {
        let uri = format!(
            "/api/v1/metrics/service?from={}&to={last_day}&group_by={group_by}",
            catalog.first_day
        );
        let rollups = store
            .rollups(
                tenant,
                group_by,
                &catalog.first_day.to_string(),
                &last_day.to_string(),
            )
            .await
            .expect("rollups")
            .len();
        let mut samples = Vec::with_capacity(plan.samples);
        let mut answer = Value::Null;
        for i in 0..plan.warm_up + plan.samples {
            let t = Instant::now();
            let (status, body) = get(&router, &uri, &key).await;
            let elapsed = t.elapsed();
            assert_eq!(status, StatusCode::OK, "{body}");
            if i >= plan.warm_up {
                samples.push(elapsed);
            }
            answer = body;
        }
        samples.sort();
        let (p50, max) = (samples[samples.len() / 2], samples[samples.len() - 1]);

        // The answer is exactly the report of what was seeded, group by
        // group (all but CSI, whose weights are the tenant's).
        let groups = answer["groups"].as_array().expect("groups");
        let answered: BTreeMap<String, Value> = groups
            .iter()
            .map(|g| {
                let mut report = g.clone();
                let group = report["group"].as_str().expect("a group").to_string();
                let fields = report.as_object_mut().expect("an object");
                fields.remove("group");
                fields.remove("csi");
                (group, report)
            })
            .collect();
        let seeded: BTreeMap<String, Value> = expected[group_by]
            .iter()
            .map(|(group, summary)| {
                let mut report = serde_json::to_value(Report::from(summary)).expect("a report");
                report.as_object_mut().expect("an object").remove("csi");
                (group.clone(), report)
            })
            .collect();
        assert_eq!(
            answered.keys().collect::<Vec<_>>(),
            seeded.keys().collect::<Vec<_>>(),
            "the groups of {group_by}"
        );
        for (group, report) in &seeded {
            assert_eq!(&answered[group], report, "{group_by} = {group:?}");
        }
        let counted: u64 = groups.iter().filter_map(|g| g["tickets"].as_u64()).sum();
        assert_eq!(counted, n as u64, "every ticket once in {group_by}");
        if group_by == "all" {
            assert_eq!(
                answered["all"]["tickets"],
                json!(n),
                "the year counts every ticket"
            );
        }

        let verdict = if p50 < TARGET { "" } else { "  over 1 s" };
        pass &= p50 < TARGET;
        println!(
            "    {group_by:<9} {rollups:>8} {:>7} {:>7.1} {:>8.1}{verdict}",
            groups.len(),
            ms(p50),
            ms(max)
        );
    }
    pass
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` passes
    // nothing and only wants to know the bench builds, runs and is right.
    let quick = !std::env::args().any(|a| a == "--bench");
    let plan = if quick {
        Plan::QUICK
    } else {
        Plan {
            tickets: std::env::var("BENCH_TICKETS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(Plan::FULL.tickets),
            ..Plan::FULL
        }
    };
    let verdicts = support::on_each_database(|label, db, runtime| async move {
        run(label, &db, runtime, plan).await
    });
    if !quick {
        let target = format!("p50 < 1 s for every group_by over {} tickets", plan.tickets);
        support::print_verdicts(&verdicts, &target);
    }
}
