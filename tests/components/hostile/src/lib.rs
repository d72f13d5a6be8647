//! A plugin that misbehaves on request, for the runtime's hostile-plugin
//! suite. The ticket attribute `mode` picks the misbehaviour; without it the
//! plugin behaves, so every test can also check that the next call works.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use aftersale_sdk::prelude::*;

pub struct Hostile;

/// Calls this instance has served. A fresh instance per call keeps it at 1.
static CALLS: AtomicU64 = AtomicU64::new(0);

impl Plugin for Hostile {
    fn manifest() -> Manifest {
        ManifestBuilder::new("hostile", "6.6.6", "misbehaves on request")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .state("working", "Working", Category::Active)
                    .state("waiting", "Waiting", Category::Waiting)
                    .state("done", "Done", Category::Resolved)
                    .transition(
                        Transition::named("finish", "Finish")
                            .from(&["open", "working", "waiting"])
                            .to("done")
                            .by(&[Role::Agent, Role::Admin, Role::System]),
                    )
                    .transition(
                        Transition::named("start", "Start work")
                            .from(&["open"])
                            .to("working")
                            .by(&[Role::Agent, Role::Admin]),
                    )
                    .transition(
                        Transition::named("pause", "Pause")
                            .from(&["open", "working"])
                            .to("waiting")
                            .by(&[Role::Agent, Role::Admin]),
                    )
                    .transition(
                        Transition::named("resume", "Resume")
                            .from(&["waiting"])
                            .to("working")
                            .by(&[Role::Agent, Role::Admin]),
                    )
                    .transition(
                        Transition::named("reopen", "Reopen")
                            .from(&["done"])
                            .to("open")
                            .by(&[Role::Admin]),
                    )
                    .attributes_schema(json!({
                        "type": "object",
                        "properties": {
                            "mode": {"type": "string"},
                            "verdict": {"type": "string"},
                            "score": {"type": "integer"},
                            "tier": {"type": "integer", "minimum": 1, "maximum": 255},
                            "alarm_at": {"type": "string", "format": "date-time"}
                        }
                    }))
                    .sla(SlaMetric::Response, None, 60, false)
                    .sla(SlaMetric::Resolution, None, 240, false),
            )
            .action(
                "echo",
                "Echo",
                &[],
                &[Role::Agent, Role::Admin],
                json!({"type": "object"}),
            )
            .build()
    }

    fn on_create(snapshot: &Snapshot) -> Decision {
        misbehave(snapshot)
    }

    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        let effects = misbehave(snapshot)?;
        if !effects.is_empty() {
            return Ok(effects);
        }
        if transition.name == "finish" && !snapshot.ticket.attributes.has("verdict") {
            return Err(Rejection::new("verdict-missing", "record a verdict first")
                .rule("H1")
                .details(["verdict"]));
        }
        Ok(vec![Effect::note(
            format!("{} allowed", transition.name),
            true,
        )])
    }

    fn after(snapshot: &Snapshot, event: &Event) -> Vec<Effect> {
        misbehave(snapshot).unwrap_or_default();
        if event.kind == "attached" {
            // What a plugin learns of a file: the event's data, as it came.
            return vec![Effect::note(
                format!("saw attached {}", event.data.as_text()),
                true,
            )];
        }
        vec![Effect::note(format!("saw {}", event.kind), true)]
    }

    fn on_timer(snapshot: &Snapshot, timer: &FiredTimer) -> Vec<Effect> {
        misbehave(snapshot).unwrap_or_default();
        vec![Effect::set_attribute("last_timer", &timer.name)]
    }

    fn on_survey(snapshot: &Snapshot, answer: &SurveyAnswer) -> Vec<Effect> {
        misbehave(snapshot).unwrap_or_default();
        match answer.lowest() {
            Some(worst) => vec![Effect::note(
                format!("survey lowest {}={}", worst.attribute, worst.score),
                true,
            )],
            None => Vec::new(),
        }
    }

    fn action(snapshot: &Snapshot, name: &str, input: &Json) -> Result<ActionOutput, Rejection> {
        misbehave(snapshot)?;
        match name {
            "echo" => Ok(ActionOutput::new(json!({
                "input": input.value()?,
                "now": snapshot.now,
                "clock": std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0),
                "config": snapshot.config.value()?,
            }))),
            other => Err(Rejection::unknown_action(other)),
        }
    }
}

fn misbehave(snapshot: &Snapshot) -> Decision {
    let calls = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
    match snapshot.ticket.attributes.str("mode").unwrap_or("behave") {
        "spin" => loop {
            black_box(calls);
            aftersale_sdk::log::debug("spinning");
        },
        "burn" => {
            let mut x = calls;
            loop {
                x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
        }
        "hog" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(Vec::with_capacity(1 << 20));
                black_box(&hoard);
            }
        }
        "recurse" => Ok(vec![Effect::note(recurse(black_box(1)).to_string(), true)]),
        "deep_frames" => Ok(vec![Effect::note(
            deep_frames(black_box(1)).to_string(),
            true,
        )]),
        "panic" => panic!("the plugin gave up on ticket {}", snapshot.ticket.id),
        "flood" => Ok(vec![Effect::set_attribute("blob", "x".repeat(200 << 10))]),
        "chatter" => {
            for i in 0..1_000 {
                println!("line {i} of chatter that nobody needs");
            }
            Ok(vec![])
        }
        "unknown_transition" => Ok(vec![Effect::request_transition("teleport")]),
        "bad_name" => Ok(vec![Effect::set_attribute("Not An Identifier", 1)]),
        "count" => Ok(vec![Effect::set_attribute("calls", calls)]),
        // What contract 1.2.0's `context` tells of the unit and the visit.
        "context" => Ok(vec![Effect::set_attribute(
            "seen",
            json!({
                "unit": snapshot.unit_history.iter().map(|p| json!({
                    "kind": p.kind, "category": p.category, "resolved": p.resolved_at.is_some(),
                })).collect::<Vec<_>>(),
                "appointment": snapshot.appointment.as_ref().map(|a| &a.technician),
            }),
        )]),
        // Effects for the host to apply, one of each kind it persists.
        "effects" => Ok(vec![
            Effect::set_attribute("score", 7),
            Effect::schedule_timer(
                "remind",
                snapshot.now + std::time::Duration::from_secs(3600),
                json!({"why": "check back"}),
            ),
            Effect::note("the plugin looked at this", true),
            Effect::notify(
                Audience::Assignee,
                "nudge",
                "Have a look",
                "Ticket needs you",
            ),
            Effect::CreateTicket(FollowUp {
                kind: "trial".into(),
                title: "spawned by a plugin".into(),
                description: String::new(),
                priority: Some(Priority::P2),
                attributes: Attributes::default().with("mode", "behave"),
                relation: "spawned".into(),
            }),
        ]),
        // A notice to each kind of audience the host resolves differently.
        "notify" => Ok([
            Audience::Assignee,
            Audience::Stakeholders,
            Audience::Manager,
        ]
        .into_iter()
        .map(|audience| Effect::notify(audience, "nudge", "Have a look", "Ticket needs you"))
        .collect()),
        // A timer at the instant the ticket's `alarm_at` names.
        "alarm" => {
            let at = snapshot
                .ticket
                .attributes
                .str("alarm_at")
                .and_then(|at| at.parse().ok())
                .unwrap_or(snapshot.now);
            Ok(vec![Effect::schedule_timer("alarm", at, json!({}))])
        }
        "request_finish" => Ok(vec![Effect::request_transition("finish")]),
        // One of the part `sku` from the service point `node`.
        "reserve" => Ok(vec![Effect::ReservePart {
            sku: snapshot
                .ticket
                .attributes
                .str("sku")
                .unwrap_or("none")
                .into(),
            quantity: 1,
            node: snapshot.ticket.attributes.str("node").map(Into::into),
        }]),
        // Escalate to the support tier the ticket's `tier` names (2 when
        // absent), then tell the group lead and the manager.
        "escalate" => {
            let tier = snapshot.ticket.attributes.parse::<u8>("tier")?.unwrap_or(2);
            Ok(vec![
                Effect::escalate(tier, "the customer asked for a specialist"),
                Effect::notify(
                    Audience::GroupLead,
                    "nudge",
                    "Over to you",
                    "Please take it",
                ),
                Effect::notify(Audience::Manager, "nudge", "For your eyes", "Escalated"),
            ])
        }
        // A long sleep in a host call (`monotonic-clock.subscribe-duration`
        // and `poll`). The sandbox's clock stands still, so it returns at
        // once and the call carries on.
        "sleep" => {
            std::thread::sleep(std::time::Duration::from_secs(30));
            Ok(vec![Effect::note("slept", true)])
        }
        // Wait in host calls for the clock to move, which it never does in
        // the sandbox: the call's deadline ends it.
        "wait_for_clock" => {
            let start = std::time::Instant::now();
            while start.elapsed() < std::time::Duration::from_secs(30) {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Ok(vec![])
        }
        // Breadth: one answer with more effects than a call may return.
        "fan_out" => Ok((0..200)
            .map(|i| Effect::note(format!("note {i}"), true))
            .collect()),
        // Breadth across a change: follow-up tickets that each behave.
        "follow_ups" => Ok((0..12)
            .map(|i| follow_up(&format!("child {i}"), "behave"))
            .collect()),
        // Depth times breadth: follow-ups that each ask for more.
        "cascade" => Ok((0..4)
            .map(|i| follow_up(&format!("child {i}"), "cascade"))
            .collect()),
        // More requested transitions than a change may take.
        "transitions" => Ok((0..20)
            .map(|_| Effect::request_transition("finish"))
            .collect()),
        "bad_score" => Ok(vec![Effect::set_attribute("score", "high")]),
        _ => Ok(vec![]),
    }
}

fn follow_up(title: &str, mode: &str) -> Effect {
    Effect::CreateTicket(FollowUp {
        kind: "trial".into(),
        title: title.into(),
        description: String::new(),
        priority: None,
        attributes: Attributes::default().with("mode", mode),
        relation: "spawned".into(),
    })
}

/// Recursion in WebAssembly locals: exhausts the wasm call stack.
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    black_box(recurse(black_box(depth + 1))) + 1
}

/// Recursion with large frames: exhausts the stack Rust keeps in linear
/// memory first.
#[allow(unconditional_recursion)]
fn deep_frames(depth: u64) -> u64 {
    let frame = black_box([depth; 64]);
    deep_frames(frame[depth as usize % 64] + 1) + frame[0]
}

export_plugin!(Hostile);
