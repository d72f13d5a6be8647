//! A component whose `manifest` waits in host calls for the clock to move
//! (`std::thread::sleep` in a loop): installing or checking it must end
//! within the deadline, refused, instead of hanging.

use std::time::{Duration, Instant};

use aftersale_sdk::prelude::*;

pub struct Sleepy;

impl Plugin for Sleepy {
    fn manifest() -> Manifest {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3600) {
            std::thread::sleep(Duration::from_secs(1));
        }
        ManifestBuilder::new("sleepy", "0.1.0", "never finishes its manifest")
            .kind(
                KindBuilder::new("nap", "Nap")
                    .state("open", "Open", Category::New)
                    .state("done", "Done", Category::Resolved)
                    .transition(
                        Transition::named("finish", "Finish")
                            .from(&["open"])
                            .to("done")
                            .by(&[Role::Agent]),
                    ),
            )
            .build()
    }
}

export_plugin!(Sleepy);
