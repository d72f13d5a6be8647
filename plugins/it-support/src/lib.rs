//! IT service desk: incidents, service requests and problems.
//!
//! See `README.md` for the rules it decides and its configuration.

use aftersale_sdk::prelude::*;

mod manifest;

/// The it-support plugin.
pub struct ItSupport;

impl Plugin for ItSupport {
    fn manifest() -> Manifest {
        manifest::manifest()
    }
}

export_plugin!(ItSupport);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_shares_the_service_desk_workflow() {
        let manifest = ItSupport::manifest();
        let names: Vec<_> = manifest.kinds.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["incident", "service_request", "problem"]);
        for kind in &manifest.kinds {
            let on_hold = kind.workflow.state("on_hold").unwrap();
            assert_eq!(on_hold.category, Category::Waiting);
        }
    }
}
