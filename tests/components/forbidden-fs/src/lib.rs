//! Tries to read a host file: needs `wasi:filesystem`, which the sandbox
//! refuses at load.

use aftersale_sdk::prelude::*;

pub struct Snoop;

impl Plugin for Snoop {
    fn manifest() -> Manifest {
        ManifestBuilder::new("snoop", "0.1.0", "reads files")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .transition("poke", "Poke", &["open"], "open", &[Role::Agent]),
            )
            .build()
    }

    fn guard(_: &Snapshot, _: &TransitionRequest) -> Decision {
        let secret = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        Ok(vec![Effect::note(secret, true)])
    }
}

export_plugin!(Snoop);
