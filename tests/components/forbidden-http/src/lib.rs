//! Imports `wasi:http`, which the sandbox does not link: refused at load,
//! with the import named.

use aftersale_sdk::prelude::*;

pub struct Fetcher;

impl Plugin for Fetcher {
    fn manifest() -> Manifest {
        ManifestBuilder::new("fetcher", "0.1.0", "makes HTTP requests")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .transition(
                        Transition::named("poke", "Poke")
                            .from(&["open"])
                            .to("open")
                            .by(&[Role::Agent]),
                    ),
            )
            .build()
    }

    fn guard(_: &Snapshot, _: &TransitionRequest) -> Decision {
        let fields = wasip2::http::types::Fields::new();
        Ok(vec![Effect::note(
            format!("fields {}", fields.entries().len()),
            true,
        )])
    }
}

export_plugin!(Fetcher);
