//! A change in progress: tickets with their new events, timers and links,
//! the plugins' effects applied to them, then written as one commit.
//!
//! Nothing reaches the database until [`Change::into_commit`]; a rejection,
//! a plugin failure or a change over its [`Budget`] anywhere drops the whole
//! change. How each effect acts on the change is in [`effects`]; stock
//! reserved, consumed and released for the change's tickets in [`parts`].

mod context;
mod effects;
mod parts;

use std::future::Future;
use std::sync::Arc;

use aftersale_sdk::{self as c, Effect};
use jiff::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::catalog::{Bound, Bundle, Installed};
use super::error::ServiceError;
use super::snapshot::contract_event;
use super::{Caller, Services};
use crate::domain::attachment::Attachment;
use crate::domain::dispatch::Appointment;
use crate::domain::event::{Created, apply};
use crate::domain::notification::{self, Directory};
use crate::domain::part::{Movement, StockLow};
use crate::domain::team;
use crate::domain::workflow;
use crate::domain::{Actor, Category, Priority, Role};
use crate::domain::{Event, EventData, NewTicket, Ticket};
use crate::plugins::{Budget, Failure, Hook, PluginError, Runtime};
use crate::store::{
    AppointmentOp, Claim, Commit, Idempotent, Link, Survey, SurveyAnswer, Timer, TimerOp,
};

struct Draft {
    ticket: Ticket,
    /// The version the ticket had when read; `None` for a new ticket.
    base: Option<i64>,
    stored: Vec<Event>,
    new: Vec<Event>,
    /// The unit's earlier tickets and the stored appointment, read at the
    /// first snapshot of a plugin that can see them.
    context: Option<context::Stored>,
}

pub(super) struct Change<'a> {
    services: &'a Services,
    bundle: &'a Bundle,
    now: Timestamp,
    drafts: Vec<Draft>,
    timers: Vec<TimerOp>,
    links: Vec<Link>,
    fired: Vec<Claim>,
    surveys: Vec<Survey>,
    appointments: Vec<AppointmentOp>,
    /// Stock reserved, consumed or released for the change's tickets.
    movements: Vec<Movement>,
    /// Points whose stock the change takes to their reorder point.
    alerts: Vec<StockLow>,
    answers: Vec<SurveyAnswer>,
    /// Files attached to the change's tickets.
    attachments: Vec<Attachment>,
    /// What the change has asked of plugins so far, against the budget.
    spent: Spent,
    /// The tenant's people and teams, read at the first `notify` or
    /// `escalate`.
    directory: Option<Arc<Directory>>,
}

/// What a change has used of its [`Budget`].
#[derive(Debug, Default)]
struct Spent {
    hook_calls: u32,
    follow_ups: u32,
    requested_transitions: u32,
}

/// Index of a ticket within a change.
pub(super) type Slot = usize;

impl<'a> Change<'a> {
    pub fn new(services: &'a Services, bundle: &'a Bundle, now: Timestamp) -> Self {
        Change {
            services,
            bundle,
            now,
            drafts: Vec::new(),
            timers: Vec::new(),
            links: Vec::new(),
            fired: Vec::new(),
            surveys: Vec::new(),
            appointments: Vec::new(),
            movements: Vec::new(),
            alerts: Vec::new(),
            answers: Vec::new(),
            attachments: Vec::new(),
            spent: Spent::default(),
            directory: None,
        }
    }

    /// The runtime the change's hooks run on.
    pub fn runtime(&self) -> &'a Runtime {
        let services: &'a Services = self.services;
        &services.runtime
    }

    /// The tenant's people and teams, read once per change.
    async fn directory(&mut self, tenant: Uuid) -> Result<Arc<Directory>, ServiceError> {
        if let Some(directory) = &self.directory {
            return Ok(directory.clone());
        }
        let directory = Arc::new(Directory {
            people: self.services.people(tenant).await?,
            teams: self.services.teams_of(tenant).await?,
        });
        self.directory = Some(directory.clone());
        Ok(directory)
    }

    fn budget(&self) -> Budget {
        *self.services.runtime.budget()
    }

    /// Make one hook call of `installed` for this change, under
    /// supervision, as long as the change's budget of hook calls lasts.
    pub async fn call<T>(
        &mut self,
        installed: &Installed,
        hook: Hook,
        ticket: Option<Uuid>,
        call: impl Future<Output = Result<T, PluginError>>,
    ) -> Result<T, ServiceError> {
        self.spent.hook_calls += 1;
        let limit = self.budget().hook_calls;
        if self.spent.hook_calls > limit {
            return self
                .over_budget(installed, hook, ticket, "hook calls per change", limit)
                .await;
        }
        self.services
            .supervised(self.bundle, installed, ticket, call)
            .await
    }

    /// Refuse the change: `installed`'s answers asked for more than `limit`
    /// of `what`. It counts as the plugin's failure.
    async fn over_budget<T>(
        &self,
        installed: &Installed,
        hook: Hook,
        ticket: Option<Uuid>,
        what: &str,
        limit: u32,
    ) -> Result<T, ServiceError> {
        let error = PluginError {
            plugin: installed.plugin.name().to_string(),
            version: installed.plugin.version().to_string(),
            hook,
            failure: Failure::BudgetExceeded {
                budget: what.to_string(),
                limit,
            },
        };
        self.services
            .observe(self.bundle, installed, ticket, Err(error))
            .await
    }

    /// This change fires a claimed timer: it commits only if the claim holds.
    pub fn fire(&mut self, claim: Claim) {
        self.fired.push(claim);
    }

    /// This change records a survey answer: it commits only if the survey
    /// was not answered meanwhile.
    pub fn answer(&mut self, answer: SurveyAnswer) {
        self.answers.push(answer);
    }

    /// Work on a stored ticket with its history.
    pub fn open(&mut self, ticket: Ticket, history: Vec<Event>) -> Slot {
        self.drafts.push(Draft {
            base: Some(ticket.version),
            ticket,
            stored: history,
            new: Vec::new(),
            context: None,
        });
        self.drafts.len() - 1
    }

    /// Start a new ticket in its kind's initial state and record `created`.
    pub fn create(
        &mut self,
        bound: &Bound,
        new: NewTicket,
        priority: Option<Priority>,
        actor: &Actor,
        plugin: Option<String>,
    ) -> Slot {
        let kind = bound.kind();
        let initial = workflow::initial(kind);
        let created = Created {
            kind: new.kind,
            title: new.title.trim().to_string(),
            description: new.description,
            channel: new.channel,
            customer: new.customer,
            product: new.product,
            priority: priority.unwrap_or(kind.default_priority.into()),
            state: initial.name.clone(),
            category: initial.category.into(),
            assignee: None,
            team: new.team,
            attributes: new.attributes,
        };
        let id = Uuid::now_v7();
        let tenant_id = self.bundle.tenant.id;
        let event = Event {
            id: Uuid::now_v7(),
            tenant_id,
            ticket_id: id,
            seq: 1,
            at: self.now,
            actor: actor.clone(),
            plugin,
            data: EventData::Created(Box::new(created)),
        };
        let ticket = apply(None, &event).expect("a created event always starts a ticket");
        self.drafts.push(Draft {
            ticket,
            base: None,
            stored: Vec::new(),
            new: vec![event],
            context: None,
        });
        self.drafts.len() - 1
    }

    pub fn ticket(&self, slot: Slot) -> &Ticket {
        &self.drafts[slot].ticket
    }

    /// A ticket's whole log: stored events, then this change's.
    pub fn history(&self, slot: Slot) -> Vec<Event> {
        let draft = &self.drafts[slot];
        draft.stored.iter().chain(&draft.new).cloned().collect()
    }

    /// The instant of this change.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The tenant's bundle the change decides with.
    pub fn bundle(&self) -> &'a Bundle {
        self.bundle
    }

    /// Record an event on a ticket and project it.
    pub fn record(&mut self, slot: Slot, actor: &Actor, plugin: Option<String>, data: EventData) {
        let draft = &mut self.drafts[slot];
        let event = Event {
            id: Uuid::now_v7(),
            tenant_id: draft.ticket.tenant_id,
            ticket_id: draft.ticket.id,
            seq: draft.ticket.version + 1,
            at: self.now,
            actor: actor.clone(),
            plugin,
            data,
        };
        if let Some(ticket) = apply(Some(draft.ticket.clone()), &event) {
            draft.ticket = ticket;
        }
        let first_resolution = matches!(
            event.data,
            EventData::Transitioned {
                category: Category::Resolved,
                ..
            }
        ) && !draft.stored.iter().chain(&draft.new).any(|e| {
            matches!(
                e.data,
                EventData::Transitioned {
                    category: Category::Resolved,
                    ..
                }
            )
        });
        draft.new.push(event);
        if first_resolution {
            self.issue_survey(slot);
        }
    }

    /// The first entry into a resolved state asks the customer how it went.
    fn issue_survey(&mut self, slot: Slot) {
        let ticket = &self.drafts[slot].ticket;
        let survey = super::surveys::issue(
            ticket.tenant_id,
            ticket.id,
            &self.bundle.survey,
            &self.bundle.survey_links,
            self.now,
        );
        let data = EventData::SurveyIssued {
            survey: survey.id,
            expires_at: survey.expires_at,
        };
        self.surveys.push(survey);
        self.record(slot, &Actor::system(), None, data);
    }

    /// Book `appointment` for its ticket, cancelling what the ticket had
    /// booked before; refused at the commit if the slot is taken.
    pub fn book(&mut self, appointment: Appointment) {
        self.appointments.push(AppointmentOp::CancelFor {
            ticket_id: appointment.ticket_id,
            at: self.now,
        });
        self.appointments.push(AppointmentOp::Book(appointment));
    }

    /// Attach a file to ticket `slot`, whose bytes are kept already.
    pub fn attach(&mut self, slot: Slot, actor: &Actor, attachment: Attachment) {
        let data = EventData::Attached {
            attachment: attachment.id,
            name: attachment.name.clone(),
            media_type: attachment.media_type,
            size: attachment.size,
            sha256: attachment.sha256.clone(),
            comment: attachment.comment,
        };
        self.attachments.push(attachment);
        self.record(slot, actor, None, data);
    }

    /// How many events this change has recorded on a ticket so far.
    pub fn recorded(&self, slot: Slot) -> usize {
        self.drafts[slot].new.len()
    }

    /// Set attributes, recording an event for each that changes; returns the
    /// names of those that changed.
    pub fn set_attributes(
        &mut self,
        slot: Slot,
        actor: &Actor,
        plugin: Option<String>,
        attributes: Map<String, Value>,
    ) -> Vec<String> {
        let mut changed = Vec::new();
        for (name, after) in attributes {
            let before = self.drafts[slot]
                .ticket
                .attributes
                .get(&name)
                .cloned()
                .unwrap_or(Value::Null);
            if before != after {
                changed.push(name.clone());
                self.record(
                    slot,
                    actor,
                    plugin.clone(),
                    EventData::AttributeSet {
                        name,
                        before,
                        after,
                    },
                );
            }
        }
        changed
    }

    /// Everything to write, in one transaction: first the stock the
    /// change's resolved and cancelled tickets settle.
    pub async fn into_commit(
        mut self,
        idempotency: Option<Idempotent>,
    ) -> Result<Commit, ServiceError> {
        self.settle_parts().await?;
        let mut commit = Commit {
            tenant_id: self.bundle.tenant.id,
            timers: self.timers,
            links: self.links,
            idempotency,
            fired: self.fired,
            surveys: self.surveys,
            answers: self.answers,
            appointments: self.appointments,
            movements: self.movements,
            attachments: self.attachments,
            ..Commit::default()
        };
        for draft in self.drafts {
            if draft.base.is_some() && draft.new.is_empty() {
                continue;
            }
            let history: Vec<Event> = draft.stored.iter().chain(&draft.new).cloned().collect();
            // Clocks follow every change: a pause, a resumption, a new
            // priority all move the next threshold.
            match super::sla::timers(self.bundle, &draft.ticket, &history, self.now) {
                Ok(ops) => commit.timers.extend(ops),
                Err(e) => tracing::error!("SLA timers of ticket {}: {e}", draft.ticket.id),
            }
            match super::metrics::facts(self.bundle, &draft.ticket, &history, self.now) {
                Ok(row) => commit.facts.push(row),
                Err(e) => tracing::error!("metric facts of ticket {}: {e}", draft.ticket.id),
            }
            match draft.base {
                None => commit.inserts.push(draft.ticket),
                Some(base) => commit.updates.push((draft.ticket, base)),
            }
            commit.events.extend(draft.new);
        }
        let webhooks = &self.bundle.webhooks;
        commit.deliveries = super::webhooks::deliveries(webhooks, &commit.events, self.now);
        for alert in &self.alerts {
            let alerted = super::webhooks::stock_low(webhooks, alert, self.now);
            commit.deliveries.extend(alerted);
        }
        Ok(commit)
    }
}
