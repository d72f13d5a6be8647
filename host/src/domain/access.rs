//! Who may do what: one [`Permission`] per kind of act, and the one table
//! that says which roles hold it. Services ask [`Permission::check`] before
//! they act; nothing else compares roles.
//!
//! Transitions are the exception that proves the rule: which role may take
//! a transition is the plugin's to say (its workflow lists the roles per
//! transition, see [`workflow::step`](super::workflow::step)).

use serde::{Deserialize, Serialize};

/// Who is acting: a staff role, a customer, or the host itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Agent,
    Technician,
    Partner,
    Viewer,
    Customer,
    System,
}

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub role: Role,
}

impl Actor {
    /// The host itself (timers, requested transitions, supervision).
    pub fn system() -> Self {
        Actor {
            id: "system".into(),
            role: Role::System,
        }
    }
}

/// An act that only some roles may perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open, edit and comment on tickets.
    WriteTickets,
    /// See a ticket's survey link and answers.
    SeeSurveys,
    /// Issue and revoke the tenant's API keys.
    ManageKeys,
    /// Bind kinds to plugin versions, configure plugins.
    ManagePlugins,
    /// Invite people, change and remove accounts.
    ManageUsers,
    /// Subscribe and remove webhooks, redeliver dead letters.
    ManageWebhooks,
    /// SLA policies and settings, the business calendar.
    ManageServiceLevels,
    /// Teams, their leads, members and support tiers.
    ManageTeams,
    /// The service network: service centres, outlets, providers, and the
    /// technicians based at them.
    ManageServiceNetwork,
    /// The parts catalogue: SKUs, prices, reorder points.
    ManageParts,
    /// Record stock received, transferred or returned by hand.
    MoveStock,
    /// The satisfaction survey's settings.
    ManageSurvey,
    /// Read the audit log of admin actions.
    ReadAudit,
}

impl Permission {
    /// Whether `role` holds this permission.
    pub fn granted_to(self, role: Role) -> bool {
        match self {
            Permission::WriteTickets => is_staff(role),
            Permission::SeeSurveys => !matches!(role, Role::Customer | Role::System),
            Permission::MoveStock => matches!(role, Role::Admin | Role::Agent | Role::Technician),
            Permission::ManageKeys
            | Permission::ManagePlugins
            | Permission::ManageUsers
            | Permission::ManageWebhooks
            | Permission::ManageServiceLevels
            | Permission::ManageTeams
            | Permission::ManageServiceNetwork
            | Permission::ManageParts
            | Permission::ManageSurvey
            | Permission::ReadAudit => role == Role::Admin,
        }
    }

    /// `Ok` when `role` holds the permission, else why not, in a sentence
    /// for the caller.
    pub fn check(self, role: Role) -> Result<(), Denied> {
        if self.granted_to(role) {
            Ok(())
        } else {
            Err(Denied {
                permission: self,
                role,
            })
        }
    }

    /// What the permission allows, as a verb phrase.
    fn act(self) -> &'static str {
        match self {
            Permission::WriteTickets => "open, edit or comment on tickets",
            Permission::SeeSurveys => "see survey links",
            Permission::ManageKeys => "manage API keys",
            Permission::ManagePlugins => "manage the plugin bundle and configuration",
            Permission::ManageUsers => "manage users",
            Permission::ManageWebhooks => "manage webhooks",
            Permission::ManageServiceLevels => "change service levels",
            Permission::ManageTeams => "manage teams",
            Permission::ManageServiceNetwork => "manage the service network",
            Permission::ManageParts => "manage the parts catalogue",
            Permission::MoveStock => "record stock movements",
            Permission::ManageSurvey => "change the survey",
            Permission::ReadAudit => "read the audit log",
        }
    }
}

/// A refused act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the role {role:?} may not {}", permission.act())]
pub struct Denied {
    pub permission: Permission,
    pub role: Role,
}

/// People and machines that work tickets: everyone but viewers, customers
/// and the host itself.
pub fn is_staff(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Agent | Role::Technician | Role::Partner
    )
}

/// Roles a person signing in to the console may have.
pub fn is_person(role: Role) -> bool {
    is_staff(role) || role == Role::Viewer
}

/// Roles an API key may carry: the tenant's people and machines, never the
/// customer or the host.
pub fn is_key_role(role: Role) -> bool {
    !matches!(role, Role::System | Role::Customer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Role; 7] = [
        Role::Admin,
        Role::Agent,
        Role::Technician,
        Role::Partner,
        Role::Viewer,
        Role::Customer,
        Role::System,
    ];

    #[test]
    fn only_admins_manage_the_tenant() {
        for role in ALL {
            assert_eq!(
                Permission::ManageWebhooks.granted_to(role),
                role == Role::Admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn viewers_read_but_do_not_write_tickets() {
        assert!(!Permission::WriteTickets.granted_to(Role::Viewer));
        assert!(Permission::SeeSurveys.granted_to(Role::Viewer));
        assert!(Permission::WriteTickets.granted_to(Role::Partner));
        assert!(!Permission::WriteTickets.granted_to(Role::System));
    }

    #[test]
    fn people_in_the_field_move_stock_and_only_admins_keep_the_catalogue() {
        for role in ALL {
            let field = matches!(role, Role::Admin | Role::Agent | Role::Technician);
            assert_eq!(Permission::MoveStock.granted_to(role), field, "{role:?}");
            assert_eq!(
                Permission::ManageParts.granted_to(role),
                role == Role::Admin
            );
        }
    }

    #[test]
    fn a_refusal_names_the_role_and_the_act() {
        let denied = Permission::ManageUsers.check(Role::Agent).unwrap_err();
        assert_eq!(denied.to_string(), "the role Agent may not manage users");
    }
}
