//! Builders that keep a manifest declaration short and readable.

use serde_json::{Value, json};

use crate::types::{
    Action, Category, Kind, Manifest, Priority, ResourceRequest, Role, SlaMetric, SlaTarget, State,
    Transition, Workflow,
};

/// Builds a [`Manifest`].
#[derive(Debug, Clone)]
pub struct ManifestBuilder {
    manifest: Manifest,
}

impl ManifestBuilder {
    /// A plugin with no kinds, no actions and an empty configuration.
    pub fn new(name: &str, version: &str, description: &str) -> Self {
        ManifestBuilder {
            manifest: Manifest {
                name: name.into(),
                version: version.into(),
                description: description.into(),
                kinds: Vec::new(),
                actions: Vec::new(),
                config_schema: json!({"type": "object"}),
                default_config: json!({}),
                resources: ResourceRequest::default(),
            },
        }
    }

    /// Declare a ticket kind.
    pub fn kind(mut self, kind: KindBuilder) -> Self {
        self.manifest.kinds.push(kind.build());
        self
    }

    /// Declare a named action for `kinds` (empty: every kind of the plugin).
    pub fn action(
        mut self,
        name: &str,
        label: &str,
        kinds: &[&str],
        roles: &[Role],
        input_schema: Value,
    ) -> Self {
        self.manifest.actions.push(Action {
            name: name.into(),
            label: label.into(),
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            roles: roles.to_vec(),
            input_schema,
        });
        self
    }

    /// The configuration's JSON Schema and the defaults a tenant starts with.
    pub fn config(mut self, schema: Value, defaults: Value) -> Self {
        self.manifest.config_schema = schema;
        self.manifest.default_config = defaults;
        self
    }

    /// Ask the operator for more than the default per-call resources.
    pub fn resources(mut self, resources: ResourceRequest) -> Self {
        self.manifest.resources = resources;
        self
    }

    pub fn build(self) -> Manifest {
        self.manifest
    }
}

/// Builds a [`Kind`]: its workflow, attribute schema and SLA defaults.
#[derive(Debug, Clone)]
pub struct KindBuilder {
    kind: Kind,
}

impl KindBuilder {
    /// A kind with an empty workflow; its first state becomes the initial one
    /// unless [`KindBuilder::initial`] says otherwise.
    pub fn new(name: &str, label: &str) -> Self {
        KindBuilder {
            kind: Kind {
                name: name.into(),
                label: label.into(),
                workflow: Workflow {
                    initial: String::new(),
                    states: Vec::new(),
                    transitions: Vec::new(),
                },
                attributes_schema: json!({"type": "object"}),
                default_priority: Priority::P3,
                sla: Vec::new(),
            },
        }
    }

    /// Add a state.
    pub fn state(mut self, name: &str, label: &str, category: Category) -> Self {
        if self.kind.workflow.states.is_empty() && self.kind.workflow.initial.is_empty() {
            self.kind.workflow.initial = name.into();
        }
        self.kind
            .workflow
            .states
            .push(State::new(name, label, category));
        self
    }

    /// Add a transition: `.transition(Transition::named("fix",
    /// "Fix").from(&["open"]).to("fixed").by(&[Role::Technician]))`.
    pub fn transition(mut self, transition: Transition) -> Self {
        self.kind.workflow.transitions.push(transition);
        self
    }

    /// The state new tickets start in.
    pub fn initial(mut self, state: &str) -> Self {
        self.kind.workflow.initial = state.into();
        self
    }

    /// JSON Schema of the kind's attributes.
    pub fn attributes_schema(mut self, schema: Value) -> Self {
        self.kind.attributes_schema = schema;
        self
    }

    /// Priority of new tickets.
    pub fn default_priority(mut self, priority: Priority) -> Self {
        self.kind.default_priority = priority;
        self
    }

    /// A default SLA target, for one priority or (`None`) for all.
    pub fn sla(
        mut self,
        metric: SlaMetric,
        priority: Option<Priority>,
        minutes: u32,
        business_time: bool,
    ) -> Self {
        self.kind.sla.push(SlaTarget {
            metric,
            priority,
            minutes,
            business_time,
        });
        self
    }

    pub fn build(self) -> Kind {
        self.kind
    }
}
