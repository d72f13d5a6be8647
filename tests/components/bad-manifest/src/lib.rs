//! Declares a transition into a state that does not exist.

use aftersale_sdk::prelude::*;

pub struct Confused;

impl Plugin for Confused {
    fn manifest() -> Manifest {
        ManifestBuilder::new("confused", "0.1.0", "has a broken workflow")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .transition(
                        Transition::named("vanish", "Vanish")
                            .from(&["open"])
                            .to("nowhere")
                            .by(&[Role::Agent]),
                    ),
            )
            .build()
    }
}

export_plugin!(Confused);
