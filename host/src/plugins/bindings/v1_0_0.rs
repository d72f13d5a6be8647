//! Bindings for `aftersale:plugin@1.0.0` and the conversions between its
//! types and the host's.
//!
//! Later minor versions share this version's `types` and `host` interfaces
//! (their bindings map them here with `with`), so the conversions below serve
//! them too.

use aftersale_sdk as c;
use wasmtime::component::{HasSelf, InstancePre, Linker};

use super::hooks::HookCalls;
use super::{HookError, Measured};
use crate::plugins::error::Failure;
use crate::plugins::sandbox::CallState;

wasmtime::component::bindgen!({
    path: "../wit/1.0.0",
    world: "plugin",
    exports: { default: async },
});

use self::aftersale::plugin::host::Level;
use self::aftersale::plugin::types as w;

pub const VERSION: &str = "1.0.0";

pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    Plugin::add_to_linker::<CallState, HasSelf<CallState>>(linker, |state| state)
}

impl self::aftersale::plugin::types::Host for CallState {}

impl self::aftersale::plugin::host::Host for CallState {
    fn log(&mut self, level: Level, message: String) {
        let level = match level {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        self.log.line(level, &message);
    }
}

/// The interface whose functions are the hooks.
pub const HOOKS: &str = "aftersale:plugin/hooks@1.0.0";

/// A component of this version, ready to instantiate.
pub struct Pre {
    pub(super) calls: HookCalls,
}

impl Pre {
    pub fn new(pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        // Checks the type of every export once, here.
        PluginPre::new(pre.clone())?;
        Ok(Pre {
            calls: HookCalls::new(pre, HOOKS)?,
        })
    }
}

/// What `action` answered, converted and measured.
pub(super) fn action_output(
    out: Result<w::ActionOutput, w::Rejection>,
) -> Result<Measured<Result<c::ActionOutput, c::Rejection>>, HookError> {
    match out {
        Ok(out) => {
            let bytes = out.output.len() + effects_bytes(&out.effects);
            let output = serde_json::from_str(&out.output)
                .map_err(|e| Failure::malformed(format!("the action's output is not JSON: {e}")))?;
            Ok(Measured::new(
                Ok(c::ActionOutput {
                    output,
                    effects: effects(out.effects)?,
                }),
                bytes,
            ))
        }
        Err(r) => {
            let bytes = rejection_bytes(&r);
            Ok(Measured::new(Err(rejection(r)?), bytes))
        }
    }
}

// ---- host → guest -------------------------------------------------------

pub(super) fn wit_transition(transition: &c::TransitionRequest) -> w::TransitionRequest {
    w::TransitionRequest {
        name: transition.name.clone(),
        from: transition.from.clone(),
        to: transition.to.clone(),
        note: transition.note.clone(),
        changed_attributes: transition.changed_attributes.clone(),
    }
}

pub(super) fn wit_timer(timer: &c::FiredTimer) -> w::FiredTimer {
    w::FiredTimer {
        name: timer.name.clone(),
        due: timer.due.as_millisecond(),
        payload: timer.payload.as_text().to_string(),
    }
}

pub(super) fn wit_snapshot(s: &c::Snapshot, limit: usize) -> Result<w::Snapshot, HookError> {
    let t = &s.ticket;
    let snapshot = w::Snapshot {
        tenant: s.tenant.clone(),
        time_zone: s.time_zone.clone(),
        now: s.now.as_millisecond(),
        actor: wit_actor(&s.actor),
        ticket: w::Ticket {
            id: t.id.clone(),
            kind: t.kind.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            channel: match t.channel {
                c::Channel::Phone => w::Channel::Phone,
                c::Channel::Online => w::Channel::Online,
                c::Channel::WalkIn => w::Channel::WalkIn,
                c::Channel::Onsite => w::Channel::Onsite,
                c::Channel::Email => w::Channel::Email,
                c::Channel::Api => w::Channel::Api,
            },
            customer: w::Customer {
                name: t.customer.name.clone(),
                phone: t.customer.phone.clone(),
                email: t.customer.email.clone(),
                address: t.customer.address.clone(),
            },
            product: t.product.as_ref().map(|p| w::Product {
                sku: p.sku.clone(),
                category: p.category.clone(),
                model: p.model.clone(),
                serial: p.serial.clone(),
                price: p.price.clone(),
                purchase_date: p.purchase_date.clone(),
                invoice_date: p.invoice_date.clone(),
                has_invoice: p.has_invoice,
                has_warranty_card: p.has_warranty_card,
            }),
            priority: wit_priority(t.priority),
            state: t.state.clone(),
            assignee: t.assignee.clone(),
            attributes: t.attributes.to_text(),
            version: t.version,
            created_at: t.created_at.as_millisecond(),
            updated_at: t.updated_at.as_millisecond(),
        },
        history: s.history.iter().map(wit_event).collect(),
        config: s.config.as_text().to_string(),
    };
    let size = snapshot_bytes(&snapshot);
    if size > limit {
        return Err(Failure::InputTooLarge { size, limit }.into());
    }
    Ok(snapshot)
}

fn wit_actor(a: &c::Actor) -> w::Actor {
    w::Actor {
        id: a.id.clone(),
        role: match a.role {
            c::Role::Admin => w::Role::Admin,
            c::Role::Agent => w::Role::Agent,
            c::Role::Technician => w::Role::Technician,
            c::Role::Partner => w::Role::Partner,
            c::Role::Viewer => w::Role::Viewer,
            c::Role::Customer => w::Role::Customer,
            c::Role::System => w::Role::System,
        },
    }
}

pub(super) fn wit_event(e: &c::Event) -> w::Event {
    w::Event {
        id: e.id.clone(),
        at: e.at.as_millisecond(),
        actor: wit_actor(&e.actor),
        kind: e.kind.clone(),
        data: e.data.as_text().to_string(),
    }
}

fn wit_priority(p: c::Priority) -> w::Priority {
    match p {
        c::Priority::P1 => w::Priority::P1,
        c::Priority::P2 => w::Priority::P2,
        c::Priority::P3 => w::Priority::P3,
        c::Priority::P4 => w::Priority::P4,
        c::Priority::P5 => w::Priority::P5,
    }
}

/// The text a snapshot carries; fixed-size fields are noise next to it.
fn snapshot_bytes(s: &w::Snapshot) -> usize {
    let t = &s.ticket;
    let product = t.product.as_ref().map_or(0, |p| {
        [
            &p.sku,
            &p.category,
            &p.model,
            &p.serial,
            &p.price,
            &p.purchase_date,
            &p.invoice_date,
        ]
        .iter()
        .map(|f| f.as_ref().map_or(0, String::len))
        .sum()
    });
    let customer = t.customer.name.len()
        + [&t.customer.phone, &t.customer.email, &t.customer.address]
            .iter()
            .map(|f| f.as_ref().map_or(0, String::len))
            .sum::<usize>();
    let history: usize = s
        .history
        .iter()
        .map(|e| e.id.len() + e.actor.id.len() + e.kind.len() + e.data.len() + 16)
        .sum();
    s.tenant.len()
        + s.time_zone.len()
        + s.actor.id.len()
        + t.id.len()
        + t.kind.len()
        + t.title.len()
        + t.description.len()
        + t.state.len()
        + t.assignee.as_ref().map_or(0, String::len)
        + t.attributes.len()
        + customer
        + product
        + history
        + s.config.len()
}

// ---- guest → host -------------------------------------------------------

fn priority(p: w::Priority) -> c::Priority {
    match p {
        w::Priority::P1 => c::Priority::P1,
        w::Priority::P2 => c::Priority::P2,
        w::Priority::P3 => c::Priority::P3,
        w::Priority::P4 => c::Priority::P4,
        w::Priority::P5 => c::Priority::P5,
    }
}

fn role(r: w::Role) -> c::Role {
    match r {
        w::Role::Admin => c::Role::Admin,
        w::Role::Agent => c::Role::Agent,
        w::Role::Technician => c::Role::Technician,
        w::Role::Partner => c::Role::Partner,
        w::Role::Viewer => c::Role::Viewer,
        w::Role::Customer => c::Role::Customer,
        w::Role::System => c::Role::System,
    }
}

fn timestamp(ms: i64, what: &str) -> Result<c::Timestamp, Failure> {
    c::Timestamp::from_millisecond(ms)
        .map_err(|_| Failure::malformed(format!("{what}: {ms} ms is not a representable instant")))
}

fn json_value(text: &str, what: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::malformed(format!("{what} is not JSON: {e}")))
}

fn effect(e: w::Effect) -> Result<c::Effect, Failure> {
    Ok(match e {
        w::Effect::SetAttribute(a) => {
            let value = json_value(&a.value, &format!("set-attribute `{}`", a.name))?;
            c::Effect::SetAttribute {
                name: a.name,
                value,
            }
        }
        w::Effect::SetPriority(p) => c::Effect::SetPriority {
            priority: priority(p),
        },
        w::Effect::ScheduleTimer(t) => {
            let what = format!("schedule-timer `{}`", t.name);
            json_value(&t.payload, &format!("{what} payload"))?;
            c::Effect::ScheduleTimer {
                at: timestamp(t.at, &what)?,
                name: t.name,
                payload: c::Json::from_text(t.payload),
            }
        }
        w::Effect::CancelTimer(name) => c::Effect::CancelTimer { name },
        w::Effect::CreateTicket(f) => {
            let attributes = match json_value(&f.attributes, "create-ticket attributes")? {
                serde_json::Value::Object(map) => c::Attributes::from(map),
                serde_json::Value::Null => c::Attributes::default(),
                _ => {
                    return Err(Failure::malformed(
                        "create-ticket attributes must be a JSON object",
                    ));
                }
            };
            c::Effect::CreateTicket(c::FollowUp {
                kind: f.kind,
                title: f.title,
                description: f.description,
                priority: f.priority.map(priority),
                attributes,
                relation: f.relation,
            })
        }
        w::Effect::Notify(n) => c::Effect::Notify {
            audience: match n.audience {
                w::Audience::Customer => c::Audience::Customer,
                w::Audience::Assignee => c::Audience::Assignee,
                w::Audience::GroupLead => c::Audience::GroupLead,
                w::Audience::Manager => c::Audience::Manager,
                w::Audience::Stakeholders => c::Audience::Stakeholders,
                w::Audience::Admins => c::Audience::Admins,
            },
            template: n.template,
            subject: n.subject,
            body: n.body,
        },
        w::Effect::AddNote(n) => c::Effect::AddNote {
            body: n.body,
            internal: n.internal,
        },
        w::Effect::RequestTransition(transition) => c::Effect::RequestTransition { transition },
        w::Effect::Escalate(e) => c::Effect::Escalate {
            tier: e.tier,
            reason: e.reason,
        },
        w::Effect::ReservePart(p) => c::Effect::ReservePart {
            sku: p.sku,
            quantity: p.quantity,
            node: p.node,
        },
    })
}

fn effects(list: Vec<w::Effect>) -> Result<Vec<c::Effect>, Failure> {
    list.into_iter().map(effect).collect()
}

/// What `after`, `on-timer` and `on-survey` answer, converted and measured.
pub(super) fn effect_list(list: Vec<w::Effect>) -> Result<Measured<Vec<c::Effect>>, HookError> {
    let bytes = effects_bytes(&list);
    Ok(Measured::new(effects(list)?, bytes))
}

fn effect_bytes(e: &w::Effect) -> usize {
    16 + match e {
        w::Effect::SetAttribute(a) => a.name.len() + a.value.len(),
        w::Effect::SetPriority(_) => 0,
        w::Effect::ScheduleTimer(t) => t.name.len() + t.payload.len(),
        w::Effect::CancelTimer(name) => name.len(),
        w::Effect::CreateTicket(f) => {
            f.kind.len()
                + f.title.len()
                + f.description.len()
                + f.attributes.len()
                + f.relation.len()
        }
        w::Effect::Notify(n) => n.template.len() + n.subject.len() + n.body.len(),
        w::Effect::AddNote(n) => n.body.len(),
        w::Effect::RequestTransition(t) => t.len(),
        w::Effect::Escalate(e) => e.reason.len(),
        w::Effect::ReservePart(p) => p.sku.len() + p.node.as_ref().map_or(0, String::len),
    }
}

fn effects_bytes(list: &[w::Effect]) -> usize {
    list.iter().map(effect_bytes).sum()
}

fn rejection(r: w::Rejection) -> Result<c::Rejection, Failure> {
    if r.code.trim().is_empty() {
        return Err(Failure::malformed("a rejection needs a code"));
    }
    Ok(c::Rejection {
        code: r.code,
        message: r.message,
        rule: r.rule,
        details: r.details,
    })
}

fn rejection_bytes(r: &w::Rejection) -> usize {
    r.code.len()
        + r.message.len()
        + r.rule.as_ref().map_or(0, String::len)
        + r.details.iter().map(String::len).sum::<usize>()
}

pub(super) fn decision(
    out: Result<Vec<w::Effect>, w::Rejection>,
) -> Result<Measured<c::Decision>, HookError> {
    Ok(match out {
        Ok(list) => {
            let bytes = effects_bytes(&list);
            Measured::new(Ok(effects(list)?), bytes)
        }
        Err(r) => {
            let bytes = rejection_bytes(&r);
            Measured::new(Err(rejection(r)?), bytes)
        }
    })
}

pub(super) fn manifest_bytes(m: &w::PluginManifest) -> usize {
    let kinds: usize = m
        .kinds
        .iter()
        .map(|k| {
            k.name.len()
                + k.label.len()
                + k.attributes_schema.len()
                + k.workflow
                    .states
                    .iter()
                    .map(|s| s.name.len() + s.label.len())
                    .sum::<usize>()
                + k.workflow
                    .transitions
                    .iter()
                    .map(|t| {
                        t.name.len() + t.label.len() + t.from.iter().map(String::len).sum::<usize>()
                    })
                    .sum::<usize>()
        })
        .sum();
    let actions: usize = m
        .actions
        .iter()
        .map(|a| a.name.len() + a.label.len() + a.input_schema.len())
        .sum();
    m.name.len()
        + m.description.len()
        + m.config_schema.len()
        + m.default_config.len()
        + kinds
        + actions
}

pub(super) fn manifest(m: w::PluginManifest) -> Result<c::Manifest, Failure> {
    let invalid = |reason: String| Failure::InvalidManifest { reason };
    let schema = |text: &str, what: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| invalid(format!("{what} is not JSON: {e}")))
    };
    let mut kinds = Vec::with_capacity(m.kinds.len());
    for k in m.kinds {
        kinds.push(c::Kind {
            attributes_schema: schema(
                &k.attributes_schema,
                &format!("kind `{}` attributes schema", k.name),
            )?,
            name: k.name,
            label: k.label,
            workflow: c::Workflow {
                initial: k.workflow.initial,
                states: k
                    .workflow
                    .states
                    .into_iter()
                    .map(|s| c::State {
                        name: s.name,
                        label: s.label,
                        category: match s.category {
                            w::Category::New => c::Category::New,
                            w::Category::Active => c::Category::Active,
                            w::Category::Waiting => c::Category::Waiting,
                            w::Category::Resolved => c::Category::Resolved,
                            w::Category::Closed => c::Category::Closed,
                            w::Category::Cancelled => c::Category::Cancelled,
                        },
                    })
                    .collect(),
                transitions: k
                    .workflow
                    .transitions
                    .into_iter()
                    .map(|t| c::Transition {
                        name: t.name,
                        label: t.label,
                        from: t.from,
                        to: t.to,
                        roles: t.roles.into_iter().map(role).collect(),
                    })
                    .collect(),
            },
            default_priority: priority(k.default_priority),
            sla: k
                .sla
                .into_iter()
                .map(|s| c::SlaTarget {
                    metric: match s.metric {
                        w::SlaMetric::Response => c::SlaMetric::Response,
                        w::SlaMetric::Resolution => c::SlaMetric::Resolution,
                        w::SlaMetric::OnSite => c::SlaMetric::OnSite,
                    },
                    priority: s.priority.map(priority),
                    minutes: s.minutes,
                    business_time: s.business_time,
                })
                .collect(),
        });
    }
    let mut actions = Vec::with_capacity(m.actions.len());
    for a in m.actions {
        actions.push(c::Action {
            input_schema: schema(
                &a.input_schema,
                &format!("action `{}` input schema", a.name),
            )?,
            name: a.name,
            label: a.label,
            kinds: a.kinds,
            roles: a.roles.into_iter().map(role).collect(),
        });
    }
    Ok(c::Manifest {
        config_schema: schema(&m.config_schema, "config schema")?,
        default_config: schema(&m.default_config, "default config")?,
        name: m.name,
        version: m.version,
        description: m.description,
        kinds,
        actions,
        resources: c::ResourceRequest {
            fuel: m.resources.fuel,
            memory_bytes: m.resources.memory_bytes,
            deadline_ms: m.resources.deadline_ms,
        },
    })
}
