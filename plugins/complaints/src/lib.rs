//! Consultations and complaints, handled after ISO 10002.
//!
//! See `README.md` for the rules it decides and its configuration.

use aftersale_sdk::prelude::*;

/// The complaints plugin.
pub struct Complaints;

impl Plugin for Complaints {
    fn manifest() -> Manifest {
        ManifestBuilder::new(
            "complaints",
            env!("CARGO_PKG_VERSION"),
            "Consultations and complaints (ISO 10002): acknowledgement and decision deadlines, \
             service recovery",
        )
        .kind(
            KindBuilder::new("complaint", "Complaint")
                .state("received", "Received", Category::New)
                .state("acknowledged", "Acknowledged", Category::Active)
                .state("assessed", "Assessed", Category::Active)
                .state("investigating", "Investigating", Category::Active)
                .state("responded", "Responded", Category::Resolved)
                .state("closed", "Closed", Category::Closed)
                .transition(
                    "acknowledge",
                    "Acknowledge",
                    &["received"],
                    "acknowledged",
                    &[Role::Agent, Role::Admin],
                )
                .transition(
                    "assess",
                    "Assess",
                    &["acknowledged"],
                    "assessed",
                    &[Role::Agent, Role::Admin],
                )
                .transition(
                    "investigate",
                    "Investigate",
                    &["assessed"],
                    "investigating",
                    &[Role::Agent, Role::Admin],
                )
                .transition(
                    "respond",
                    "Respond",
                    &["assessed", "investigating"],
                    "responded",
                    &[Role::Agent, Role::Admin],
                )
                .transition(
                    "close",
                    "Close",
                    &["responded"],
                    "closed",
                    &[Role::Agent, Role::Admin, Role::System],
                ),
        )
        .kind(
            KindBuilder::new("consultation", "Consultation")
                .state("received", "Received", Category::New)
                .state("answered", "Answered", Category::Resolved)
                .state("closed", "Closed", Category::Closed)
                .transition(
                    "answer",
                    "Answer",
                    &["received"],
                    "answered",
                    &[Role::Agent, Role::Admin],
                )
                .transition(
                    "close",
                    "Close",
                    &["answered"],
                    "closed",
                    &[Role::Agent, Role::Admin, Role::System],
                ),
        )
        .build()
    }
}

export_plugin!(Complaints);
