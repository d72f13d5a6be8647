//! Tries to read host files. It links `wasi:filesystem`, as every toolchain
//! does, and the sandbox answers: there is no directory to open.

use aftersale_sdk::prelude::*;

pub struct Snoop;

impl Plugin for Snoop {
    fn manifest() -> Manifest {
        ManifestBuilder::new("snoop", "0.1.0", "reads files")
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
        let read = match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => format!("read {} bytes", text.len()),
            Err(e) => format!("refused: {e}"),
        };
        let listed = match std::fs::read_dir("/") {
            Ok(entries) => format!("listed {} entries", entries.count()),
            Err(e) => format!("refused: {e}"),
        };
        let written = match std::fs::write("note.txt", "hello") {
            Ok(()) => "wrote a file".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        Ok(vec![Effect::note(
            format!("{read}; {listed}; {written}"),
            true,
        )])
    }
}

export_plugin!(Snoop);
