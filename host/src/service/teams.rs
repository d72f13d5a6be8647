//! The tenant's teams as an admin manages them. Everyone of the tenant may
//! list them (the queue filters by team); every change is in the audit log.

use serde_json::json;
use uuid::Uuid;

use super::accounts::name_taken;
use super::error::ServiceError;
use super::users::active_login;
use super::{Caller, Services};
use crate::domain::access::Permission;
use crate::domain::notification::Person;
use crate::domain::team::{self, Team};

/// A new team as an admin describes it; people by login or user id.
#[derive(Debug, Clone, Default)]
pub struct NewTeam {
    pub name: String,
    pub title: String,
    pub tier: Option<u8>,
    pub lead: String,
    pub manager: Option<String>,
    pub members: Vec<String>,
}

/// What to change of a team; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct TeamChange {
    pub title: Option<String>,
    /// `Some(None)`: the team serves no tier any more.
    pub tier: Option<Option<u8>>,
    pub lead: Option<String>,
    /// `Some(None)`: the team has no manager any more.
    pub manager: Option<Option<String>>,
    pub members: Option<Vec<String>>,
}

impl Services {
    /// The tenant's teams, first line first.
    pub async fn teams(&self, caller: &Caller) -> Result<Vec<Team>, ServiceError> {
        self.teams_of(caller.tenant_id).await
    }

    pub async fn team(&self, caller: &Caller, name: &str) -> Result<Team, ServiceError> {
        self.store
            .team(caller.tenant_id, name)
            .await?
            .ok_or(ServiceError::NotFound("team"))
    }

    /// Add a team (admin).
    pub async fn create_team(&self, caller: &Caller, new: NewTeam) -> Result<Team, ServiceError> {
        caller.may(Permission::ManageTeams)?;
        team::check_name(&new.name).map_err(invalid)?;
        let people = self.people(caller.tenant_id).await?;
        let now = super::now();
        let team = Team {
            tenant_id: caller.tenant_id,
            name: new.name,
            title: new.title.trim().to_string(),
            tier: new.tier,
            lead: active_login(&people, &new.lead)?,
            manager: new.manager.map(|m| active_login(&people, &m)).transpose()?,
            members: logins(&people, &new.members)?,
            created_at: now,
            updated_at: now,
        };
        team::check_fields(&team.title, team.tier).map_err(invalid)?;
        self.store.create_team(&team).await.map_err(name_taken)?;
        self.record(caller, "team.create", &team.name, json!(team))
            .await;
        Ok(team)
    }

    /// Change a team (admin).
    pub async fn change_team(
        &self,
        caller: &Caller,
        name: &str,
        change: TeamChange,
    ) -> Result<Team, ServiceError> {
        caller.may(Permission::ManageTeams)?;
        let mut team = self.team(caller, name).await?;
        let people = self.people(caller.tenant_id).await?;
        if let Some(title) = change.title {
            team.title = title.trim().to_string();
        }
        if let Some(tier) = change.tier {
            team.tier = tier;
        }
        if let Some(lead) = change.lead {
            team.lead = active_login(&people, &lead)?;
        }
        if let Some(manager) = change.manager {
            team.manager = manager.map(|m| active_login(&people, &m)).transpose()?;
        }
        if let Some(members) = change.members {
            team.members = logins(&people, &members)?;
        }
        team::check_fields(&team.title, team.tier).map_err(invalid)?;
        team.updated_at = super::now();
        if !self.store.update_team(&team).await.map_err(name_taken)? {
            return Err(ServiceError::NotFound("team"));
        }
        self.record(caller, "team.change", &team.name, json!(team))
            .await;
        Ok(team)
    }

    /// The tenant's teams as a change needs them (no permission asked: the
    /// host resolves audiences and escalations on everyone's behalf).
    pub(super) async fn teams_of(&self, tenant: Uuid) -> Result<Vec<Team>, ServiceError> {
        Ok(self.store.teams(tenant).await?)
    }
}

/// Each of `who` as the login of an active account, once each.
fn logins(people: &[Person], who: &[String]) -> Result<Vec<String>, ServiceError> {
    let mut logins = Vec::with_capacity(who.len());
    for w in who {
        let login = active_login(people, w)?;
        if !logins.contains(&login) {
            logins.push(login);
        }
    }
    Ok(logins)
}

fn invalid(e: team::TeamError) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}
