// The greeter plugin, included by `greeter-v1` and `greeter-v2` with their
// own `VERSION`.

use aftersale_sdk::prelude::*;
use aftersale_sdk::ResourceRequest;

pub struct Greeter;

impl Plugin for Greeter {
    fn manifest() -> Manifest {
        ManifestBuilder::new("greeter", VERSION, "greets tickets, and gives up on request")
            .kind(
                KindBuilder::new("greeting", "Greeting")
                    .state("open", "Open", Category::New)
                    .state("done", "Done", Category::Resolved)
                    .transition(Transition::named("finish", "Finish").from(&["open"]).to("done").by(&[Role::Agent, Role::Admin]))
                    .attributes_schema(json!({
                        "type": "object",
                        "properties": {
                            "mode": {"type": "string", "enum": ["behave", "panic"]},
                            "greeted_by": {"type": "string"}
                        }
                    })),
            )
            // Asks for more than the defaults, for the operator's grant.
            .resources(ResourceRequest {
                fuel: Some(50_000_000),
                memory_bytes: None,
                deadline_ms: Some(200),
            })
            .build()
    }

    fn on_create(_snapshot: &Snapshot) -> Decision {
        Ok(vec![Effect::set_attribute("greeted_by", VERSION)])
    }

    /// `mode: panic` makes every guard call trap, to drive a quarantine.
    fn guard(snapshot: &Snapshot, transition: &TransitionRequest) -> Decision {
        if snapshot.ticket.attributes.str("mode") == Some("panic") {
            panic!("greeter {VERSION} gave up on ticket {}", snapshot.ticket.id);
        }
        Ok(vec![Effect::note(
            format!("{} by greeter {VERSION}", transition.name),
            true,
        )])
    }
}

export_plugin!(Greeter);
