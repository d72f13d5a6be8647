//! Teams: the groups that work a queue of tickets.
//!
//! A team has a lead — the `group_lead` a plugin's notice reaches — and
//! optionally a manager (the `manager` audience) and a support tier. A
//! plugin's `escalate {tier}` moves the ticket into the queue of the team
//! that serves the tier; an assignee who is not in that team lets go of it,
//! so the new team's lead can pick someone. Members, the lead and the
//! manager are console logins of the tenant.

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

use super::ticket::Ticket;

/// The longest team name.
pub const MAX_NAME: usize = 64;
/// The highest support tier a team may serve.
pub const MAX_TIER: u8 = 9;

/// A team of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Team {
    #[serde(skip)]
    pub tenant_id: Uuid,
    /// Stable name in URLs and on tickets, e.g. `field-service`.
    pub name: String,
    /// What people call it, e.g. "Field service, Nanning".
    pub title: String,
    /// The support tier it serves (1 = first line), if any.
    pub tier: Option<u8>,
    /// Login of the team's lead.
    pub lead: String,
    /// Login of the manager the lead reports to, if any.
    pub manager: Option<String>,
    /// Logins of the members, the lead not necessarily among them.
    pub members: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Team {
    /// Whether `login` works in this team, as its lead or a member.
    pub fn has(&self, login: &str) -> bool {
        self.lead == login || self.members.iter().any(|m| m == login)
    }
}

/// Why a team's fields are not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error(
        "`{0}` is not a team name: use 1 to {MAX_NAME} lower-case letters, digits and single \
         hyphens, starting with a letter (e.g. `field-service`)"
    )]
    Name(String),
    #[error("a team needs a title")]
    EmptyTitle,
    #[error("support tiers run from 1 (first line) to {MAX_TIER}; {0} is none of them")]
    Tier(u8),
}

/// Check a team name.
pub fn check_name(name: &str) -> Result<(), TeamError> {
    let ok = name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(TeamError::Name(name.into()))
    }
}

/// Check a title and a tier.
pub fn check_fields(title: &str, tier: Option<u8>) -> Result<(), TeamError> {
    if title.trim().is_empty() {
        return Err(TeamError::EmptyTitle);
    }
    match tier {
        Some(t) if !(1..=MAX_TIER).contains(&t) => Err(TeamError::Tier(t)),
        _ => Ok(()),
    }
}

/// The team serving support tier `tier`, if one does.
pub fn serving(teams: &[Team], tier: u8) -> Option<&Team> {
    teams.iter().find(|t| t.tier == Some(tier))
}

/// The team whose queue `ticket` is in, if it is in one that exists.
pub fn of<'t>(ticket: &Ticket, teams: &'t [Team]) -> Option<&'t Team> {
    let name = ticket.team.as_deref()?;
    teams.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case() {
        for good in ["l2", "field-service", "a"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        let long = "a".repeat(MAX_NAME + 1);
        for bad in [
            "",
            "L2",
            "2nd-line",
            "field--service",
            "field-",
            "维修",
            long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tiers_run_from_one_to_nine() {
        assert_eq!(check_fields("Second line", Some(2)), Ok(()));
        assert_eq!(check_fields("Desk", None), Ok(()));
        assert_eq!(check_fields("Desk", Some(0)), Err(TeamError::Tier(0)));
        assert_eq!(check_fields("Desk", Some(10)), Err(TeamError::Tier(10)));
        assert_eq!(check_fields("  ", None), Err(TeamError::EmptyTitle));
    }

    #[test]
    fn the_lead_works_in_the_team_without_being_listed() {
        let team = Team {
            tenant_id: Uuid::nil(),
            name: "l2".into(),
            title: "Second line".into(),
            tier: Some(2),
            lead: "li@acme.test".into(),
            manager: None,
            members: vec!["wang@acme.test".into()],
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        assert!(team.has("li@acme.test"));
        assert!(team.has("wang@acme.test"));
        assert!(!team.has("zhao@acme.test"));
        let teams = [team];
        assert_eq!(serving(&teams, 2).map(|t| t.name.as_str()), Some("l2"));
        assert!(serving(&teams, 3).is_none());
    }
}
