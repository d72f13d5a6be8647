//! Returns, exchanges and refunds for retail sales.
//!
//! See `README.md` for the rules it decides and its configuration.

use aftersale_sdk::prelude::*;

mod manifest;

/// The retail-returns plugin.
pub struct RetailReturns;

impl Plugin for RetailReturns {
    fn manifest() -> Manifest {
        manifest::manifest()
    }
}

export_plugin!(RetailReturns);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_wait_for_the_goods_with_the_clock_paused() {
        let manifest = RetailReturns::manifest();
        let ret = manifest.kind("return").unwrap();
        assert_eq!(
            ret.workflow.state("awaiting_goods").unwrap().category,
            Category::Waiting
        );
        assert!(manifest.actions.iter().any(|a| a.name == "assess"));
    }
}
