//! The plugins' effects acting on a change: attributes and priority set,
//! timers scheduled and cancelled, notes added, transitions requested,
//! follow-up tickets opened, and `after` run for what they recorded —
//! each within the change's budget.

use super::*;
use crate::domain::notification::{Audience, Fallback, Resolved};

/// A notice to record, its audience not yet resolved.
struct Notice {
    audience: Audience,
    template: String,
    subject: String,
    body: String,
}

impl<'a> Change<'a> {
    /// Apply the effects `installed` returned from `hook` to a ticket.
    pub async fn apply(
        &mut self,
        slot: Slot,
        effects: Vec<Effect>,
        installed: &Arc<Installed>,
        hook: Hook,
        depth: u32,
    ) -> Result<(), ServiceError> {
        let label = installed.label();
        let system = Actor::system();
        let mut requested = Vec::new();
        let mut attributes_changed = false;
        for effect in effects {
            let described = serde_json::to_value(&effect).unwrap_or(Value::Null);
            match effect {
                Effect::SetAttribute { name, value } => {
                    let mut one = Map::new();
                    one.insert(name, value);
                    attributes_changed |= !self
                        .set_attributes(slot, &system, Some(label.clone()), one)
                        .is_empty();
                }
                Effect::SetPriority { priority } => {
                    let priority = priority.into();
                    let before = self.drafts[slot].ticket.priority;
                    if before != priority {
                        self.record(
                            slot,
                            &system,
                            Some(label.clone()),
                            EventData::PrioritySet {
                                before,
                                after: priority,
                            },
                        );
                    }
                }
                Effect::ScheduleTimer { name, at, payload } => {
                    let payload = payload
                        .value()
                        .map_err(|r| malformed(installed, hook, r.message))?;
                    let ticket = &self.drafts[slot].ticket;
                    self.timers.push(TimerOp::Schedule(Timer {
                        id: Uuid::now_v7(),
                        tenant_id: ticket.tenant_id,
                        ticket_id: ticket.id,
                        name,
                        due_at: at,
                        payload,
                        plugin: Some(installed.plugin.name().to_string()),
                        created_at: self.now,
                    }));
                    self.record(
                        slot,
                        &system,
                        Some(label.clone()),
                        EventData::PluginEffect { effect: described },
                    );
                }
                Effect::CancelTimer { name } => {
                    let ticket_id = self.drafts[slot].ticket.id;
                    self.timers.push(TimerOp::Cancel { ticket_id, name });
                    self.record(
                        slot,
                        &system,
                        Some(label.clone()),
                        EventData::PluginEffect { effect: described },
                    );
                }
                Effect::CreateTicket(follow_up) => {
                    self.follow_up(slot, follow_up, installed, hook, depth)
                        .await?;
                }
                Effect::AddNote { body, internal } => {
                    self.record(
                        slot,
                        &system,
                        Some(label.clone()),
                        EventData::Commented { body, internal },
                    );
                }
                Effect::RequestTransition { transition } => {
                    self.spent.requested_transitions += 1;
                    let limit = self.budget().requested_transitions;
                    if self.spent.requested_transitions > limit {
                        let ticket = Some(self.drafts[slot].ticket.id);
                        let what = "requested transitions per change";
                        return self.over_budget(installed, hook, ticket, what, limit).await;
                    }
                    requested.push(transition);
                }
                Effect::Notify {
                    audience,
                    template,
                    subject,
                    body,
                } => {
                    let tenant = self.drafts[slot].ticket.tenant_id;
                    let directory = self.directory(tenant).await?;
                    let ticket = &self.drafts[slot].ticket;
                    let resolved = notification::resolve(audience.into(), ticket, &directory);
                    let notice = Notice {
                        audience: audience.into(),
                        template,
                        subject,
                        body,
                    };
                    self.notify(slot, &label, notice, resolved);
                }
                Effect::Escalate { tier, reason } => {
                    self.escalate(slot, &label, tier, reason).await?;
                }
                Effect::ReservePart {
                    sku,
                    quantity,
                    node,
                } => {
                    let request = parts::PartRequest {
                        sku,
                        quantity,
                        node,
                    };
                    if let Some(wait) = self.reserve_part(slot, &label, request).await?
                        && !requested.contains(&wait)
                    {
                        requested.push(wait);
                    }
                }
            }
        }
        if attributes_changed {
            let ticket = &self.drafts[slot].ticket;
            let owner = self.bundle.kind(&ticket.kind)?;
            let attributes = Value::Object(ticket.attributes.clone());
            if let Err(ServiceError::SchemaViolation { errors, .. }) =
                owner.installed.check_attributes(&ticket.kind, &attributes)
            {
                let first = errors
                    .first()
                    .map(|e| format!("{} {}", e.pointer, e.message));
                return Err(malformed(
                    installed,
                    hook,
                    format!(
                        "set-attribute breaks the attribute schema: {}",
                        first.unwrap_or_default()
                    ),
                ));
            }
        }
        for transition in requested {
            self.requested_transition(slot, &transition, depth).await?;
        }
        Ok(())
    }

    /// Record a notice with the people its audience resolved to.
    fn notify(&mut self, slot: Slot, label: &str, notice: Notice, resolved: Resolved) {
        self.record(
            slot,
            &Actor::system(),
            Some(label.to_string()),
            EventData::Notification {
                audience: notice.audience,
                template: notice.template,
                subject: notice.subject,
                body: notice.body,
                recipients: resolved.recipients,
                fallback: resolved.fallback,
            },
        );
    }

    /// `escalate`: the ticket moves to the queue of the team serving `tier`,
    /// an assignee outside that team lets go of it, and the team's lead is
    /// told. When no team serves the tier, the tenant's admins are told.
    async fn escalate(
        &mut self,
        slot: Slot,
        label: &str,
        tier: u8,
        reason: String,
    ) -> Result<(), ServiceError> {
        let system = Actor::system();
        let plugin = || Some(label.to_string());
        let before = self.drafts[slot].ticket.clone();
        let directory = self.directory(before.tenant_id).await?;
        let target = team::serving(&directory.teams, tier);
        let escalated = EventData::Escalated {
            tier,
            reason: reason.clone(),
            team: target.map(|t| t.name.clone()),
        };
        self.record(slot, &system, plugin(), escalated);
        let resolved = match target {
            Some(target) => {
                if before.team.as_deref() != Some(target.name.as_str()) {
                    let moved = EventData::TeamSet {
                        before: before.team.clone(),
                        after: Some(target.name.clone()),
                    };
                    self.record(slot, &system, plugin(), moved);
                }
                if let Some(assignee) = &before.assignee {
                    let login = directory.person(assignee).map_or(assignee, |p| &p.login);
                    if !target.has(login) {
                        let released = EventData::Assigned {
                            before: Some(assignee.clone()),
                            after: None,
                        };
                        self.record(slot, &system, plugin(), released);
                    }
                }
                let ticket = &self.drafts[slot].ticket;
                notification::resolve(Audience::GroupLead, ticket, &directory)
            }
            None => directory.admins(Some(Fallback::NoTeamForTier)),
        };
        let notice = Notice {
            audience: Audience::GroupLead,
            template: "escalated".into(),
            subject: format!("Escalated to tier {tier}: {}", before.title),
            body: reason,
        };
        self.notify(slot, label, notice, resolved);
        Ok(())
    }

    /// Take a transition a plugin asked for, as the host, through the guard.
    /// A refusal is recorded, not an error: the change that asked stands.
    async fn requested_transition(
        &mut self,
        slot: Slot,
        name: &str,
        depth: u32,
    ) -> Result<(), ServiceError> {
        let system = Actor::system();
        let ticket = self.drafts[slot].ticket.clone();
        let bound = self.bundle.kind(&ticket.kind)?;
        let installed = bound.installed.clone();
        let refuse = |reason: Value| EventData::PluginEffect {
            effect: serde_json::json!({
                "effect": "request_transition",
                "transition": name,
                "refused": reason,
            }),
        };
        if depth >= self.budget().depth {
            self.record(
                slot,
                &system,
                Some(installed.label()),
                refuse("requested transitions nest too deep".into()),
            );
            return Ok(());
        }
        let step = match workflow::step(bound.kind(), &ticket.state, name, Role::System) {
            Ok(step) => step,
            Err(e) => {
                self.record(
                    slot,
                    &system,
                    Some(installed.label()),
                    refuse(e.to_string().into()),
                );
                return Ok(());
            }
        };
        let (to, category) = (step.to.name.clone(), step.category);
        let request = c::TransitionRequest {
            name: name.to_string(),
            from: ticket.state.clone(),
            to: to.clone(),
            note: None,
            changed_attributes: Vec::new(),
        };
        let snapshot = self.snapshot(slot, &system).await?;
        let runtime = self.runtime();
        let called = self
            .call(
                &installed,
                Hook::Guard,
                Some(ticket.id),
                runtime.guard(&installed.plugin, &snapshot, &request),
            )
            .await?;
        match called.value {
            Ok(effects) => {
                self.record(
                    slot,
                    &system,
                    Some(installed.label()),
                    EventData::Transitioned {
                        transition: name.to_string(),
                        from: ticket.state,
                        to,
                        category,
                        note: None,
                    },
                );
                Box::pin(self.apply(slot, effects, &installed, Hook::Guard, depth + 1)).await
            }
            Err(rejection) => {
                let reason = serde_json::to_value(&rejection).unwrap_or(Value::Null);
                self.record(slot, &system, Some(installed.label()), refuse(reason));
                Ok(())
            }
        }
    }

    /// Open a linked ticket a plugin asked for and run its own `on-create`.
    async fn follow_up(
        &mut self,
        parent: Slot,
        follow_up: c::FollowUp,
        origin: &Arc<Installed>,
        hook: Hook,
        depth: u32,
    ) -> Result<(), ServiceError> {
        if depth >= self.budget().depth {
            return Err(malformed(
                origin,
                hook,
                "follow-up tickets nest too deep".into(),
            ));
        }
        self.spent.follow_ups += 1;
        let limit = self.budget().follow_ups;
        if self.spent.follow_ups > limit {
            let ticket = Some(self.drafts[parent].ticket.id);
            let what = "follow-up tickets per change";
            return self.over_budget(origin, hook, ticket, what, limit).await;
        }
        let bundle = self.bundle;
        let bound = bundle.kind(&follow_up.kind).map_err(|_| {
            malformed(
                origin,
                hook,
                format!(
                    "create-ticket: kind `{}` is not in this tenant's bundle",
                    follow_up.kind
                ),
            )
        })?;
        let parent_ticket = self.drafts[parent].ticket.clone();
        let new = NewTicket {
            kind: follow_up.kind.clone(),
            title: follow_up.title,
            description: follow_up.description,
            channel: parent_ticket.channel,
            customer: parent_ticket.customer.clone(),
            product: parent_ticket.product.clone(),
            attributes: follow_up.attributes.as_map().clone(),
            // A follow-up starts in its parent's queue.
            team: parent_ticket.team.clone(),
        };
        new.validate()
            .map_err(|e| malformed(origin, hook, format!("create-ticket: {e}")))?;
        bound
            .installed
            .check_attributes(&new.kind, &Value::Object(new.attributes.clone()))
            .map_err(|e| malformed(origin, hook, format!("create-ticket: {e}")))?;
        let system = Actor::system();
        let child = self.create(
            bound,
            new,
            follow_up.priority.map(Into::into),
            &system,
            Some(origin.label()),
        );
        let child_id = self.drafts[child].ticket.id;
        let relation = follow_up.relation;
        self.links.push(Link {
            from: parent_ticket.id,
            to: child_id,
            relation: relation.clone(),
        });
        self.record(
            parent,
            &system,
            Some(origin.label()),
            EventData::Linked {
                relation: relation.clone(),
                ticket: child_id,
                outgoing: true,
            },
        );
        self.record(
            child,
            &system,
            Some(origin.label()),
            EventData::Linked {
                relation,
                ticket: parent_ticket.id,
                outgoing: false,
            },
        );
        let installed = bound.installed.clone();
        let snapshot = self.snapshot(child, &system).await?;
        let runtime = self.runtime();
        let called = self
            .call(
                &installed,
                Hook::OnCreate,
                None,
                runtime.on_create(&installed.plugin, &snapshot),
            )
            .await?;
        match called.value {
            Ok(effects) => {
                Box::pin(self.apply(child, effects, &installed, Hook::OnCreate, depth + 1)).await
            }
            Err(rejection) => Err(ServiceError::Rejected {
                plugin: installed.label(),
                rejection,
            }),
        }
    }

    /// Run `after` for the `index`-th event this change recorded on a ticket
    /// and apply what it returns.
    pub async fn after(
        &mut self,
        slot: Slot,
        index: usize,
        caller: &Caller,
    ) -> Result<(), ServiceError> {
        let Some(event) = self.drafts[slot].new.get(index).map(contract_event) else {
            return Ok(());
        };
        let bound = self.bundle.kind(&self.drafts[slot].ticket.kind)?;
        let installed = bound.installed.clone();
        let snapshot = self.snapshot(slot, &caller.actor).await?;
        let ticket = self.drafts[slot].ticket.id;
        let runtime = self.runtime();
        let called = self
            .call(
                &installed,
                Hook::After,
                Some(ticket),
                runtime.after(&installed.plugin, &snapshot, &event),
            )
            .await?;
        if called.value.is_empty() {
            return Ok(());
        }
        self.apply(slot, called.value, &installed, Hook::After, 1)
            .await
    }
}

/// A plugin's effects that the host cannot apply are the plugin's failure.
fn malformed(installed: &Installed, hook: Hook, reason: String) -> ServiceError {
    ServiceError::PluginFailed(PluginError {
        plugin: installed.plugin.name().to_string(),
        version: installed.plugin.version().to_string(),
        hook,
        failure: Failure::MalformedOutput { reason },
    })
}
