//! Who a plugin's `notify` reaches: an audience resolved to real people.
//!
//! A plugin names an audience (the contract's `audience`), never an address;
//! the host resolves it against the ticket and the tenant's accounts when
//! the change is made, and records the result as a `notification` event, so
//! the timeline and the webhook receiver see exactly who was meant. The
//! tenant has no team model yet, so the audiences a team would answer —
//! the group lead, the manager — and an assignee who is not an account of
//! the tenant fall back to the tenant's admins, and the event says so.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::access::Role;
use super::ticket::Ticket;

/// Who a notice is for, as a plugin names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The ticket's customer.
    Customer,
    /// The account the ticket is assigned to.
    Assignee,
    /// The lead of the group handling the ticket.
    GroupLead,
    /// The service manager.
    Manager,
    /// Everyone with a stake in the ticket: the customer and the assignee.
    Stakeholders,
    /// The tenant's admins.
    Admins,
}

/// An account of the tenant, as far as notifying it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub locale: String,
    pub enabled: bool,
}

/// One person a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipient {
    /// The ticket's customer, with whatever contact the ticket has.
    Customer {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
    },
    /// An account of the tenant.
    User {
        id: Uuid,
        login: String,
        name: String,
        role: Role,
        locale: String,
    },
}

/// Why the tenant's admins stand in for an audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// `assignee`, and the ticket has none.
    NoAssignee,
    /// `assignee`, and it names no active account of the tenant.
    AssigneeNotAnAccount,
    /// `group_lead` or `manager`: the tenant has no teams to ask.
    NoTeams,
}

/// An audience resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub recipients: Vec<Recipient>,
    /// Why the tenant's admins stand in for the audience, when they do.
    pub fallback: Option<Fallback>,
}

/// Resolve `audience` for `ticket` among the tenant's accounts `people`.
pub fn resolve(audience: Audience, ticket: &Ticket, people: &[Person]) -> Resolved {
    let admins = || Resolved {
        recipients: people
            .iter()
            .filter(|p| p.enabled && p.role == Role::Admin)
            .map(recipient)
            .collect(),
        fallback: None,
    };
    let stand_in = |why| Resolved {
        fallback: Some(why),
        ..admins()
    };
    match audience {
        Audience::Customer => Resolved {
            recipients: vec![customer(ticket)],
            fallback: None,
        },
        Audience::Assignee => match assignee(ticket, people) {
            Some(person) => Resolved {
                recipients: vec![recipient(person)],
                fallback: None,
            },
            None if ticket.assignee.is_none() => stand_in(Fallback::NoAssignee),
            None => stand_in(Fallback::AssigneeNotAnAccount),
        },
        Audience::GroupLead | Audience::Manager => stand_in(Fallback::NoTeams),
        Audience::Stakeholders => Resolved {
            recipients: std::iter::once(customer(ticket))
                .chain(assignee(ticket, people).map(recipient))
                .collect(),
            fallback: None,
        },
        Audience::Admins => admins(),
    }
}

/// The active account `ticket` is assigned to, by login or id.
fn assignee<'p>(ticket: &Ticket, people: &'p [Person]) -> Option<&'p Person> {
    let wanted = ticket.assignee.as_deref()?;
    people
        .iter()
        .find(|p| p.enabled && (p.login == wanted || p.id.to_string() == wanted))
}

fn customer(ticket: &Ticket) -> Recipient {
    Recipient::Customer {
        name: ticket.customer.name.clone(),
        email: ticket.customer.email.clone(),
        phone: ticket.customer.phone.clone(),
    }
}

fn recipient(person: &Person) -> Recipient {
    Recipient::User {
        id: person.id,
        login: person.login.clone(),
        name: person.name.clone(),
        role: person.role,
        locale: person.locale.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Channel, Customer, Priority};
    use jiff::Timestamp;
    use serde_json::Map;

    fn person(login: &str, role: Role, enabled: bool) -> Person {
        Person {
            id: Uuid::now_v7(),
            login: login.into(),
            name: login.to_uppercase(),
            role,
            locale: "zh-CN".into(),
            enabled,
        }
    }

    fn ticket(assignee: Option<&str>) -> Ticket {
        Ticket {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            kind: "repair".into(),
            title: "No cooling".into(),
            description: String::new(),
            channel: Channel::Phone,
            customer: Customer {
                name: "Li Lei".into(),
                phone: Some("13800000000".into()),
                ..Customer::default()
            },
            product: None,
            priority: Priority::P3,
            state: "new".into(),
            category: Category::New,
            assignee: assignee.map(Into::into),
            attributes: Map::new(),
            version: 1,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn logins(resolved: &Resolved) -> Vec<&str> {
        resolved
            .recipients
            .iter()
            .map(|r| match r {
                Recipient::Customer { name, .. } => name.as_str(),
                Recipient::User { login, .. } => login.as_str(),
            })
            .collect()
    }

    fn people() -> Vec<Person> {
        vec![
            person("admin", Role::Admin, true),
            person("former", Role::Admin, false),
            person("wang", Role::Technician, true),
            person("gone", Role::Technician, false),
        ]
    }

    #[test]
    fn the_customer_is_reached_with_the_ticket_s_contact() {
        let resolved = resolve(Audience::Customer, &ticket(None), &people());
        assert_eq!(
            resolved.recipients,
            vec![Recipient::Customer {
                name: "Li Lei".into(),
                email: None,
                phone: Some("13800000000".into()),
            }]
        );
        assert_eq!(resolved.fallback, None);
    }

    #[test]
    fn the_assignee_is_the_account_by_login_or_id() {
        let people = people();
        let by_login = resolve(Audience::Assignee, &ticket(Some("wang")), &people);
        assert_eq!(logins(&by_login), ["wang"]);
        let id = people[2].id.to_string();
        let by_id = resolve(Audience::Assignee, &ticket(Some(&id)), &people);
        assert_eq!(logins(&by_id), ["wang"]);
    }

    #[test]
    fn no_account_to_reach_falls_back_to_active_admins_and_says_why() {
        let people = people();
        let unassigned = resolve(Audience::Assignee, &ticket(None), &people);
        assert_eq!(logins(&unassigned), ["admin"]);
        assert_eq!(unassigned.fallback, Some(Fallback::NoAssignee));
        let disabled = resolve(Audience::Assignee, &ticket(Some("gone")), &people);
        assert_eq!(logins(&disabled), ["admin"]);
        assert_eq!(disabled.fallback, Some(Fallback::AssigneeNotAnAccount));
        let lead = resolve(Audience::GroupLead, &ticket(Some("wang")), &people);
        assert_eq!(logins(&lead), ["admin"]);
        assert_eq!(lead.fallback, Some(Fallback::NoTeams));
    }

    #[test]
    fn stakeholders_are_the_customer_and_the_assignee() {
        let people = people();
        let both = resolve(Audience::Stakeholders, &ticket(Some("wang")), &people);
        assert_eq!(logins(&both), ["Li Lei", "wang"]);
        let alone = resolve(Audience::Stakeholders, &ticket(None), &people);
        assert_eq!(logins(&alone), ["Li Lei"]);
        let admins = resolve(Audience::Admins, &ticket(None), &people);
        assert_eq!(logins(&admins), ["admin"]);
        assert_eq!(admins.fallback, None);
    }

    #[test]
    fn recipients_serialize_with_their_kind() {
        let json = serde_json::to_value(recipient(&people()[2])).unwrap();
        assert_eq!(json["kind"], "user");
        assert_eq!(json["role"], "technician");
    }
}
