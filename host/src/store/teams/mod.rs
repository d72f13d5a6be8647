//! Teams of a tenant (see [`crate::domain::team`]).

mod sql;

use async_trait::async_trait;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;
use crate::domain::team::Team;

/// The tenant's teams.
#[async_trait]
pub trait Teams: Send + Sync {
    /// Add a team; [`StoreError::Duplicate`] when its name, or the tier it
    /// serves, is taken.
    async fn create_team(&self, team: &Team) -> Result<(), StoreError>;
    /// Replace a team's fields (all but its name and creation time);
    /// `false` when there is no such team, [`StoreError::Duplicate`] when
    /// another team serves the tier.
    async fn update_team(&self, team: &Team) -> Result<bool, StoreError>;
    async fn team(&self, tenant: Uuid, name: &str) -> Result<Option<Team>, StoreError>;
    /// The tenant's teams, by tier (first line first), then by name.
    async fn teams(&self, tenant: Uuid) -> Result<Vec<Team>, StoreError>;
}

fn taken(e: sqlx::Error, team: &Team) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(match team.tier {
                Some(tier) => format!(
                    "a team named `{}`, or another team serving tier {tier}, exists",
                    team.name
                ),
                None => format!("a team named `{}` exists", team.name),
            })
        }
        _ => StoreError::Database(e),
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct TeamRow {
    tenant_id: Uuid,
    name: String,
    title: String,
    tier: Option<i64>,
    lead: String,
    manager: Option<String>,
    members: Json<Vec<String>>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TeamRow> for Team {
    type Error = StoreError;
    fn try_from(r: TeamRow) -> Result<Self, StoreError> {
        let tier = r
            .tier
            .map(|t| u8::try_from(t).map_err(|_| StoreError::Corrupt(format!("team tier {t}"))))
            .transpose()?;
        Ok(Team {
            tenant_id: r.tenant_id,
            name: r.name,
            title: r.title,
            tier,
            lead: r.lead,
            manager: r.manager,
            members: r.members.0,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}
