//! Saved views: anyone of the tenant keeps named filters of the queue, and
//! shares one with a team they work in; its members see it beside their
//! own. Only its owner, or an admin, deletes one.

use uuid::Uuid;

use super::accounts::name_taken;
use super::{Caller, ServiceError, Services};
use crate::domain::Role;
use crate::domain::team::Team;
use crate::domain::view::{self, MAX_PER_OWNER, SavedView, ViewFilter};

/// The login behind a console session's caller; `None` for an API key.
fn login(caller: &Caller) -> Option<&str> {
    caller.actor.id.strip_prefix("user:")
}

impl Services {
    /// Save `filter` as `name`, shared with `team` when given.
    pub async fn create_view(
        &self,
        caller: &Caller,
        name: &str,
        team: Option<String>,
        filter: ViewFilter,
    ) -> Result<SavedView, ServiceError> {
        let name = view::name(name).map_err(ServiceError::Invalid)?;
        let filter = filter.normalized().map_err(ServiceError::Invalid)?;
        if let Some(team) = &team {
            let found = self
                .store
                .team(caller.tenant_id, team)
                .await?
                .ok_or_else(|| ServiceError::Invalid(format!("there is no team `{team}`")))?;
            let member = login(caller).is_some_and(|l| found.has(l));
            if !member && caller.role() != Role::Admin {
                return Err(ServiceError::Forbidden(format!(
                    "only a member of `{team}` shares a view with it"
                )));
            }
        }
        let owner = caller.actor.id.clone();
        if self.store.view_count(caller.tenant_id, &owner).await? >= MAX_PER_OWNER as u64 {
            return Err(ServiceError::Invalid(format!(
                "you keep {MAX_PER_OWNER} views already; delete one first"
            )));
        }
        let saved = SavedView {
            id: Uuid::now_v7(),
            tenant_id: caller.tenant_id,
            owner,
            name,
            team,
            filter,
            created_at: super::now(),
        };
        self.store.create_view(&saved).await.map_err(name_taken)?;
        Ok(saved)
    }

    /// The caller's views and those shared with their teams, by name.
    pub async fn views(&self, caller: &Caller) -> Result<Vec<SavedView>, ServiceError> {
        let teams = self.teams(caller).await?;
        self.views_among(caller, &teams).await
    }

    /// [`Services::views`], given the tenant's teams (read already).
    pub async fn views_among(
        &self,
        caller: &Caller,
        teams: &[Team],
    ) -> Result<Vec<SavedView>, ServiceError> {
        let mine: Vec<String> = match login(caller) {
            Some(login) => teams
                .iter()
                .filter(|t| t.has(login))
                .map(|t| t.name.clone())
                .collect(),
            None => Vec::new(),
        };
        Ok(self
            .store
            .views(caller.tenant_id, &caller.actor.id, &mine)
            .await?)
    }

    /// Delete a view the caller owns (an admin: any view of the tenant).
    pub async fn delete_view(&self, caller: &Caller, id: Uuid) -> Result<(), ServiceError> {
        let found = self
            .store
            .view(caller.tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound("view"))?;
        if found.owner != caller.actor.id && caller.role() != Role::Admin {
            return Err(ServiceError::Forbidden(
                "only the view's owner or an admin deletes it".into(),
            ));
        }
        self.store.delete_view(caller.tenant_id, id).await?;
        Ok(())
    }
}
