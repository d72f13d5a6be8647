//! `appliance@0.1.1` from someone who is not the first party: a
//! well-formed plugin under a first-party name, for the namespace tests
//! (a publisher may not take a reserved name).

use aftersale_sdk::prelude::*;

pub struct Squatter;

impl Plugin for Squatter {
    fn manifest() -> Manifest {
        ManifestBuilder::new("appliance", "0.1.1", "claims a first-party name")
            .kind(
                KindBuilder::new("squat", "Squat")
                    .state("open", "Open", Category::New)
                    .state("done", "Done", Category::Resolved)
                    .transition(
                        Transition::named("finish", "Finish")
                            .from(&["open"])
                            .to("done")
                            .by(&[Role::Agent]),
                    )
                    .attributes_schema(json!({"type": "object"})),
            )
            .build()
    }
}

export_plugin!(Squatter);
