//! The host's vocabulary and the plugin contract's, mapped both ways.
//!
//! The host owns its types (they are stored, served and documented); the
//! contract's twins in `aftersale-sdk` are what a plugin sees. Each pair maps
//! variant by variant, so a variant added on one side and not the other is a
//! compile error here rather than a silent mismatch.

use aftersale_sdk as c;

use super::access::{Actor, Role};
use super::notification::Audience;
use super::sla::SlaMetric;
use super::ticket::{Channel, Customer, Priority, Product};
use super::workflow::Category;

/// `From` both ways between a host enum and its contract twin of the same
/// variants.
macro_rules! same_variants {
    ($($host:ident <=> $contract:path { $($variant:ident),+ $(,)? })+) => {$(
        impl From<$contract> for $host {
            fn from(value: $contract) -> Self {
                use $contract as C;
                match value {
                    $(C::$variant => $host::$variant,)+
                }
            }
        }

        impl From<$host> for $contract {
            fn from(value: $host) -> Self {
                use $contract as C;
                match value {
                    $($host::$variant => C::$variant,)+
                }
            }
        }
    )+};
}

same_variants! {
    Category <=> c::Category { New, Active, Waiting, Resolved, Closed, Cancelled }
    Role <=> c::Role { Admin, Agent, Technician, Partner, Viewer, Customer, System }
    Channel <=> c::Channel { Phone, Online, WalkIn, Onsite, Email, Api }
    Priority <=> c::Priority { P1, P2, P3, P4, P5 }
    SlaMetric <=> c::SlaMetric { Response, Resolution, OnSite }
    Audience <=> c::Audience { Customer, Assignee, GroupLead, Manager, Stakeholders, Admins }
}

/// `From` both ways between a host struct and its contract twin of the same
/// fields.
macro_rules! same_fields {
    ($($host:ident <=> $contract:path { $($field:ident),+ $(,)? })+) => {$(
        impl From<$contract> for $host {
            fn from(value: $contract) -> Self {
                $host { $($field: value.$field.into(),)+ }
            }
        }

        impl From<$host> for $contract {
            fn from(value: $host) -> Self {
                use $contract as C;
                C { $($field: value.$field.into(),)+ }
            }
        }
    )+};
}

same_fields! {
    Actor <=> c::Actor { id, role }
    Customer <=> c::Customer { name, phone, email, address }
    Product <=> c::Product {
        sku, category, model, serial, price, purchase_date, invoice_date, has_invoice,
        has_warranty_card,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two sides agree on the JSON form too, so a stored value reads as
    /// either.
    #[test]
    fn twins_share_their_json_form() {
        for role in [Role::Admin, Role::Technician, Role::System] {
            let contract: c::Role = role.into();
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::to_value(contract).unwrap()
            );
            assert_eq!(Role::from(contract), role);
        }
        let product = Product {
            serial: Some("SN-1".into()),
            has_invoice: Some(true),
            ..Product::default()
        };
        let contract: c::Product = product.clone().into();
        assert_eq!(
            serde_json::to_value(&product).unwrap(),
            serde_json::to_value(&contract).unwrap()
        );
        assert_eq!(Product::from(contract), product);
        assert_eq!(
            serde_json::to_value(Channel::WalkIn).unwrap(),
            serde_json::to_value(c::Channel::WalkIn).unwrap()
        );
    }
}
