//! A plugin built against `aftersale:plugin@1.0.0` with raw wit-bindgen, as a
//! partner would have built it before 1.1.0: it exports `hooks@1.0.0` and
//! knows nothing of surveys. The host must keep running it next to plugins
//! built against newer versions.

#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({
    path: "../../../wit/1.0.0",
    world: "plugin",
});

use aftersale::plugin::host::{Level, log};
use aftersale::plugin::types::{
    ActionOutput, AttributeChange, Category, Effect, Event, FiredTimer, Kind, Note, PluginManifest,
    Priority, Rejection, ResourceRequest, Role, Snapshot, State, Transition, TransitionRequest,
    Workflow,
};
use exports::aftersale::plugin::hooks::Guest;

struct Legacy;

fn note(body: String) -> Effect {
    Effect::AddNote(Note {
        body,
        internal: true,
    })
}

impl Guest for Legacy {
    fn manifest() -> PluginManifest {
        let state = |name: &str, category| State {
            name: name.into(),
            label: name.into(),
            category,
        };
        PluginManifest {
            name: "legacy".into(),
            version: "1.0.3".into(),
            description: "built against contract 1.0.0".into(),
            kinds: vec![Kind {
                name: "legacy_repair".into(),
                label: "Legacy repair".into(),
                workflow: Workflow {
                    initial: "open".into(),
                    states: vec![
                        state("open", Category::New),
                        state("done", Category::Resolved),
                    ],
                    transitions: vec![Transition {
                        name: "finish".into(),
                        label: "Finish".into(),
                        from: vec!["open".into()],
                        to: "done".into(),
                        roles: vec![Role::Agent, Role::Admin, Role::System],
                    }],
                },
                attributes_schema: r#"{"type":"object"}"#.into(),
                default_priority: Priority::P3,
                sla: vec![],
            }],
            actions: vec![],
            config_schema: r#"{"type":"object"}"#.into(),
            default_config: "{}".into(),
            resources: ResourceRequest {
                fuel: None,
                memory_bytes: None,
                deadline_ms: None,
            },
        }
    }

    fn on_create(_: Snapshot) -> Result<Vec<Effect>, Rejection> {
        log(Level::Info, "legacy on-create");
        Ok(vec![Effect::SetAttribute(AttributeChange {
            name: "contract".into(),
            value: r#""1.0.0""#.into(),
        })])
    }

    fn guard(s: Snapshot, t: TransitionRequest) -> Result<Vec<Effect>, Rejection> {
        if t.name == "finish" && t.note.is_none() {
            return Err(Rejection {
                code: "note-missing".into(),
                message: format!("say what was done before finishing {}", s.ticket.id),
                rule: Some("L1".into()),
                details: vec![],
            });
        }
        Ok(vec![])
    }

    fn after(_: Snapshot, e: Event) -> Vec<Effect> {
        vec![note(format!("legacy saw {}", e.kind))]
    }

    fn on_timer(_: Snapshot, t: FiredTimer) -> Vec<Effect> {
        vec![note(format!("legacy timer {}", t.name))]
    }

    fn action(_: Snapshot, name: String, _: String) -> Result<ActionOutput, Rejection> {
        Err(Rejection {
            code: "unknown-action".into(),
            message: format!("no action `{name}`"),
            rule: None,
            details: vec![],
        })
    }
}

export!(Legacy);
