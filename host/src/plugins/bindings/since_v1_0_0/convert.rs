//! Conversions between the contract's types and the host's: `From` towards
//! the guest (the host's values are always valid), `TryFrom` back (a guest's
//! answer may be malformed, and says how as a [`Failure`]).

use aftersale_sdk as c;

use super::aftersale::plugin::types as w;
use crate::plugins::error::Failure;

// ---- host → guest -------------------------------------------------------

impl From<&c::TransitionRequest> for w::TransitionRequest {
    fn from(t: &c::TransitionRequest) -> Self {
        w::TransitionRequest {
            name: t.name.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            note: t.note.clone(),
            changed_attributes: t.changed_attributes.clone(),
        }
    }
}

impl From<&c::FiredTimer> for w::FiredTimer {
    fn from(timer: &c::FiredTimer) -> Self {
        w::FiredTimer {
            name: timer.name.clone(),
            due: timer.due.as_millisecond(),
            payload: timer.payload.as_text().to_string(),
        }
    }
}

impl From<&c::Snapshot> for w::Snapshot {
    fn from(s: &c::Snapshot) -> Self {
        w::Snapshot {
            tenant: s.tenant.clone(),
            time_zone: s.time_zone.clone(),
            now: s.now.as_millisecond(),
            actor: (&s.actor).into(),
            ticket: (&s.ticket).into(),
            history: s.history.iter().map(w::Event::from).collect(),
            config: s.config.as_text().to_string(),
        }
    }
}

impl From<&c::Ticket> for w::Ticket {
    fn from(t: &c::Ticket) -> Self {
        w::Ticket {
            id: t.id.clone(),
            kind: t.kind.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            channel: t.channel.into(),
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
            priority: t.priority.into(),
            state: t.state.clone(),
            assignee: t.assignee.clone(),
            attributes: t.attributes.to_text(),
            version: t.version,
            created_at: t.created_at.as_millisecond(),
            updated_at: t.updated_at.as_millisecond(),
        }
    }
}

impl From<c::Channel> for w::Channel {
    fn from(channel: c::Channel) -> Self {
        match channel {
            c::Channel::Phone => w::Channel::Phone,
            c::Channel::Online => w::Channel::Online,
            c::Channel::WalkIn => w::Channel::WalkIn,
            c::Channel::Onsite => w::Channel::Onsite,
            c::Channel::Email => w::Channel::Email,
            c::Channel::Api => w::Channel::Api,
        }
    }
}

impl From<&c::Actor> for w::Actor {
    fn from(a: &c::Actor) -> Self {
        w::Actor {
            id: a.id.clone(),
            role: a.role.into(),
        }
    }
}

impl From<c::Role> for w::Role {
    fn from(role: c::Role) -> Self {
        match role {
            c::Role::Admin => w::Role::Admin,
            c::Role::Agent => w::Role::Agent,
            c::Role::Technician => w::Role::Technician,
            c::Role::Partner => w::Role::Partner,
            c::Role::Viewer => w::Role::Viewer,
            c::Role::Customer => w::Role::Customer,
            c::Role::System => w::Role::System,
        }
    }
}

impl From<&c::Event> for w::Event {
    fn from(e: &c::Event) -> Self {
        w::Event {
            id: e.id.clone(),
            at: e.at.as_millisecond(),
            actor: (&e.actor).into(),
            kind: e.kind.clone(),
            data: e.data.as_text().to_string(),
        }
    }
}

impl From<c::Priority> for w::Priority {
    fn from(p: c::Priority) -> Self {
        match p {
            c::Priority::P1 => w::Priority::P1,
            c::Priority::P2 => w::Priority::P2,
            c::Priority::P3 => w::Priority::P3,
            c::Priority::P4 => w::Priority::P4,
            c::Priority::P5 => w::Priority::P5,
        }
    }
}

// ---- guest → host -------------------------------------------------------

impl From<w::Priority> for c::Priority {
    fn from(p: w::Priority) -> Self {
        match p {
            w::Priority::P1 => c::Priority::P1,
            w::Priority::P2 => c::Priority::P2,
            w::Priority::P3 => c::Priority::P3,
            w::Priority::P4 => c::Priority::P4,
            w::Priority::P5 => c::Priority::P5,
        }
    }
}

impl From<w::Role> for c::Role {
    fn from(r: w::Role) -> Self {
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
}

impl From<w::Audience> for c::Audience {
    fn from(a: w::Audience) -> Self {
        match a {
            w::Audience::Customer => c::Audience::Customer,
            w::Audience::Assignee => c::Audience::Assignee,
            w::Audience::GroupLead => c::Audience::GroupLead,
            w::Audience::Manager => c::Audience::Manager,
            w::Audience::Stakeholders => c::Audience::Stakeholders,
            w::Audience::Admins => c::Audience::Admins,
        }
    }
}

impl From<c::Category> for w::Category {
    fn from(category: c::Category) -> Self {
        match category {
            c::Category::New => w::Category::New,
            c::Category::Active => w::Category::Active,
            c::Category::Waiting => w::Category::Waiting,
            c::Category::Resolved => w::Category::Resolved,
            c::Category::Closed => w::Category::Closed,
            c::Category::Cancelled => w::Category::Cancelled,
        }
    }
}

impl From<w::Category> for c::Category {
    fn from(category: w::Category) -> Self {
        match category {
            w::Category::New => c::Category::New,
            w::Category::Active => c::Category::Active,
            w::Category::Waiting => c::Category::Waiting,
            w::Category::Resolved => c::Category::Resolved,
            w::Category::Closed => c::Category::Closed,
            w::Category::Cancelled => c::Category::Cancelled,
        }
    }
}

impl From<w::SlaMetric> for c::SlaMetric {
    fn from(metric: w::SlaMetric) -> Self {
        match metric {
            w::SlaMetric::Response => c::SlaMetric::Response,
            w::SlaMetric::Resolution => c::SlaMetric::Resolution,
            w::SlaMetric::OnSite => c::SlaMetric::OnSite,
        }
    }
}

fn timestamp(ms: i64, what: &str) -> Result<c::Timestamp, Failure> {
    c::Timestamp::from_millisecond(ms)
        .map_err(|_| Failure::malformed(format!("{what}: {ms} ms is not a representable instant")))
}

fn json_value(text: &str, what: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::malformed(format!("{what} is not JSON: {e}")))
}

impl TryFrom<w::Effect> for c::Effect {
    type Error = Failure;

    fn try_from(e: w::Effect) -> Result<Self, Failure> {
        Ok(match e {
            w::Effect::SetAttribute(a) => {
                let value = json_value(&a.value, &format!("set-attribute `{}`", a.name))?;
                c::Effect::SetAttribute {
                    name: a.name,
                    value,
                }
            }
            w::Effect::SetPriority(p) => c::Effect::SetPriority { priority: p.into() },
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
                    priority: f.priority.map(c::Priority::from),
                    attributes,
                    relation: f.relation,
                })
            }
            w::Effect::Notify(n) => c::Effect::Notify {
                audience: n.audience.into(),
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
}

impl TryFrom<w::Rejection> for c::Rejection {
    type Error = Failure;

    fn try_from(r: w::Rejection) -> Result<Self, Failure> {
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
}

impl TryFrom<w::ActionOutput> for c::ActionOutput {
    type Error = Failure;

    fn try_from(out: w::ActionOutput) -> Result<Self, Failure> {
        let output = serde_json::from_str(&out.output)
            .map_err(|e| Failure::malformed(format!("the action's output is not JSON: {e}")))?;
        Ok(c::ActionOutput {
            output,
            effects: out
                .effects
                .into_iter()
                .map(c::Effect::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl TryFrom<w::PluginManifest> for c::Manifest {
    type Error = Failure;

    fn try_from(m: w::PluginManifest) -> Result<Self, Failure> {
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
                            category: s.category.into(),
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
                            roles: t.roles.into_iter().map(c::Role::from).collect(),
                        })
                        .collect(),
                },
                default_priority: k.default_priority.into(),
                sla: k
                    .sla
                    .into_iter()
                    .map(|s| c::SlaTarget {
                        metric: s.metric.into(),
                        priority: s.priority.map(c::Priority::from),
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
                roles: a.roles.into_iter().map(c::Role::from).collect(),
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
}
