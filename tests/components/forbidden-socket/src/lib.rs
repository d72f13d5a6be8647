//! Tries to open a TCP connection: needs `wasi:sockets`, which the sandbox
//! refuses at load.

use aftersale_sdk::prelude::*;

pub struct Caller;

impl Plugin for Caller {
    fn manifest() -> Manifest {
        ManifestBuilder::new("caller", "0.1.0", "phones home")
            .kind(
                KindBuilder::new("trial", "Trial")
                    .state("open", "Open", Category::New)
                    .transition("poke", "Poke", &["open"], "open", &[Role::Agent]),
            )
            .build()
    }

    fn guard(_: &Snapshot, _: &TransitionRequest) -> Decision {
        let reached = std::net::TcpStream::connect("127.0.0.1:5432").is_ok();
        Ok(vec![Effect::note(format!("reached: {reached}"), true)])
    }
}

export_plugin!(Caller);
