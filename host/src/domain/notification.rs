//! Who a plugin's `notify` reaches: an audience resolved to real people.
//!
//! A plugin names an audience (the contract's `audience`), never an address;
//! the host resolves it against the ticket and the tenant's accounts when
//! the change is made, and records the result as a `notification` event, so
//! the timeline and the webhook receiver see exactly who was meant. The
//! group lead and the manager are those of the ticket's team (see
//! [`super::team`]). Whenever an audience names nobody who can be reached —
//! no assignee, a ticket in no team, a team without a manager, an account
//! since disabled — the tenant's admins stand in, and the event says why.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::access::Role;
use super::team::{self, Team};
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

/// Who is who in a tenant, as far as reaching people goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub people: Vec<Person>,
    pub teams: Vec<Team>,
}

impl Directory {
    /// The active account with this login or user id.
    pub fn person(&self, who: &str) -> Option<&Person> {
        active(&self.people, who)
    }

    /// The tenant's active admins, standing in for an audience because of
    /// `why` (or reached as `admins`, when `None`).
    pub fn admins(&self, why: Option<Fallback>) -> Resolved {
        Resolved {
            recipients: self
                .people
                .iter()
                .filter(|p| p.enabled && p.role == Role::Admin)
                .map(recipient)
                .collect(),
            fallback: why,
        }
    }
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
    /// `group_lead` or `manager`: the ticket is in no team's queue.
    NoTeam,
    /// `manager`: the ticket's team has none.
    NoManager,
    /// `group_lead` or `manager`: the team names someone who is no active
    /// account of the tenant.
    NotAnAccount,
    /// An escalation to a tier no team of the tenant serves.
    NoTeamForTier,
}

/// An audience resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub recipients: Vec<Recipient>,
    /// Why the tenant's admins stand in for the audience, when they do.
    pub fallback: Option<Fallback>,
}

/// Resolve `audience` for `ticket` among the tenant's people and teams.
pub fn resolve(audience: Audience, ticket: &Ticket, directory: &Directory) -> Resolved {
    let one = |person: &Person| Resolved {
        recipients: vec![recipient(person)],
        fallback: None,
    };
    let stand_in = |why| directory.admins(Some(why));
    match audience {
        Audience::Customer => Resolved {
            recipients: vec![customer(ticket)],
            fallback: None,
        },
        Audience::Assignee => match ticket.assignee.as_deref() {
            None => stand_in(Fallback::NoAssignee),
            Some(who) => directory
                .person(who)
                .map_or_else(|| stand_in(Fallback::AssigneeNotAnAccount), one),
        },
        Audience::GroupLead | Audience::Manager => {
            let Some(team) = team::of(ticket, &directory.teams) else {
                return stand_in(if directory.teams.is_empty() {
                    Fallback::NoTeams
                } else {
                    Fallback::NoTeam
                });
            };
            let who = if audience == Audience::GroupLead {
                Some(team.lead.as_str())
            } else {
                team.manager.as_deref()
            };
            match who {
                None => stand_in(Fallback::NoManager),
                Some(who) => directory
                    .person(who)
                    .map_or_else(|| stand_in(Fallback::NotAnAccount), one),
            }
        }
        Audience::Stakeholders => Resolved {
            recipients: std::iter::once(customer(ticket))
                .chain(
                    ticket
                        .assignee
                        .as_deref()
                        .and_then(|who| directory.person(who))
                        .map(recipient),
                )
                .collect(),
            fallback: None,
        },
        Audience::Admins => directory.admins(None),
    }
}

/// The active account of `people` with this login or user id.
pub fn active<'p>(people: &'p [Person], who: &str) -> Option<&'p Person> {
    people
        .iter()
        .find(|p| p.enabled && (p.login == who || p.id.to_string() == who))
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
        in_team(assignee, None)
    }

    fn in_team(assignee: Option<&str>, team: Option<&str>) -> Ticket {
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
            team: team.map(Into::into),
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

    fn people() -> Directory {
        Directory {
            people: vec![
                person("admin", Role::Admin, true),
                person("former", Role::Admin, false),
                person("wang", Role::Technician, true),
                person("gone", Role::Technician, false),
                person("li", Role::Agent, true),
            ],
            teams: Vec::new(),
        }
    }

    fn team(name: &str, lead: &str, manager: Option<&str>) -> Team {
        Team {
            tenant_id: Uuid::nil(),
            name: name.into(),
            title: name.to_uppercase(),
            tier: None,
            lead: lead.into(),
            manager: manager.map(Into::into),
            members: vec!["wang".into()],
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
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
        let id = people.people[2].id.to_string();
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
        let json = serde_json::to_value(recipient(&people().people[2])).unwrap();
        assert_eq!(json["kind"], "user");
        assert_eq!(json["role"], "technician");
    }

    #[test]
    fn the_group_lead_and_the_manager_are_those_of_the_ticket_s_team() {
        let mut directory = people();
        directory.teams = vec![
            team("desk", "li", Some("admin")),
            team("field", "gone", None),
        ];
        let desk = in_team(Some("wang"), Some("desk"));
        let lead = resolve(Audience::GroupLead, &desk, &directory);
        assert_eq!((logins(&lead), lead.fallback), (vec!["li"], None));
        let manager = resolve(Audience::Manager, &desk, &directory);
        assert_eq!((logins(&manager), manager.fallback), (vec!["admin"], None));

        let field = in_team(None, Some("field"));
        let lead = resolve(Audience::GroupLead, &field, &directory);
        assert_eq!(lead.fallback, Some(Fallback::NotAnAccount));
        assert_eq!(logins(&lead), ["admin"]);
        let manager = resolve(Audience::Manager, &field, &directory);
        assert_eq!(manager.fallback, Some(Fallback::NoManager));

        let nowhere = resolve(Audience::GroupLead, &ticket(Some("wang")), &directory);
        assert_eq!(nowhere.fallback, Some(Fallback::NoTeam));
        let gone = resolve(
            Audience::Manager,
            &in_team(None, Some("dissolved")),
            &directory,
        );
        assert_eq!(gone.fallback, Some(Fallback::NoTeam));
    }
}
