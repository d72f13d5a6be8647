//! People who sign in to the web console: accounts per tenant, their
//! sessions and the invitations an admin sends.

mod sql;

use async_trait::async_trait;
use jiff::Timestamp;
use uuid::Uuid;

use super::StoreError;
use super::codec::instant;
use crate::domain::Role;

/// A person of a tenant with a console account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Sign-in name, unique across tenants.
    pub login: String,
    pub name: String,
    pub role: Role,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// `zh-CN` or `en`.
    pub locale: String,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

/// A signed-in browser. The cookie carries the token; the database only its
/// SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    /// The token forms of this session must echo.
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// The last request made with it, to the minute: a session idle for
    /// too long ends.
    pub last_seen_at: Timestamp,
}

/// An admin's invitation to join a tenant with a role.
#[derive(Debug, Clone, PartialEq)]
pub struct Invite {
    pub token_hash: String,
    pub tenant_id: Uuid,
    pub login: String,
    pub role: Role,
    pub invited_by: Uuid,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    /// The account whose password this link resets; `None` for an
    /// invitation to a new account.
    pub user_id: Option<Uuid>,
}

/// What an admin changes of an account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChange {
    pub role: Option<Role>,
    /// `Some(Some(at))` disables, `Some(None)` enables again.
    pub disabled_at: Option<Option<Timestamp>>,
}

/// Console accounts, sessions and invitations.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Add a user; [`StoreError::Duplicate`] when the login is taken.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    async fn user(&self, tenant: Uuid, id: Uuid) -> Result<Option<User>, StoreError>;
    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError>;
    /// The tenant's users, by login.
    async fn users(&self, tenant: Uuid) -> Result<Vec<User>, StoreError>;
    async fn set_user_locale(&self, tenant: Uuid, id: Uuid, locale: &str)
    -> Result<(), StoreError>;

    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Forget sessions that expired before `now`.
    async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64, StoreError>;

    async fn create_invite(&self, invite: &Invite) -> Result<(), StoreError>;
    async fn invite(&self, token_hash: &str) -> Result<Option<Invite>, StoreError>;
    /// Mark an open invitation accepted and add its user, atomically; false
    /// when it was accepted already.
    async fn accept_invite(&self, token_hash: &str, user: &User) -> Result<bool, StoreError>;

    /// Change an account's role or whether it is disabled; disabling ends
    /// its sessions in the same transaction. False when there is no such
    /// account in the tenant.
    async fn update_user(
        &self,
        tenant: Uuid,
        id: Uuid,
        change: &UserChange,
    ) -> Result<bool, StoreError>;
    /// Note a request on a session.
    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError>;
    /// The tenant's invitations and password-reset links not used yet,
    /// newest first.
    async fn open_invites(&self, tenant: Uuid) -> Result<Vec<Invite>, StoreError>;
    /// Withdraw an invitation not used yet; false when there is none.
    async fn revoke_invite(&self, tenant: Uuid, token_hash: &str) -> Result<bool, StoreError>;
    /// Use a password-reset link: mark it accepted, set the account's
    /// password and end its sessions, atomically; false when the link was
    /// used already.
    async fn reset_password(
        &self,
        token_hash: &str,
        user: Uuid,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}

fn role_name(role: Role) -> String {
    super::codec::name(&role)
}

fn role(text: &str) -> Result<Role, StoreError> {
    super::codec::parse(text, "role")
}

fn duplicate(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(format!("{what} is taken"))
        }
        _ => StoreError::Database(e),
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    tenant_id: Uuid,
    login: String,
    name: String,
    role: String,
    password_hash: String,
    locale: String,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id,
            tenant_id: r.tenant_id,
            login: r.login,
            name: r.name,
            role: role(&r.role)?,
            password_hash: r.password_hash,
            locale: r.locale,
            created_at: instant(r.created_at)?,
            disabled_at: r.disabled_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    user_id: Uuid,
    tenant_id: Uuid,
    csrf: String,
    created_at: i64,
    expires_at: i64,
    last_seen_at: Option<i64>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(Session {
            token_hash: r.token_hash,
            user_id: r.user_id,
            tenant_id: r.tenant_id,
            csrf: r.csrf,
            created_at: instant(r.created_at)?,
            expires_at: instant(r.expires_at)?,
            last_seen_at: instant(r.last_seen_at.unwrap_or(r.created_at))?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    token_hash: String,
    tenant_id: Uuid,
    login: String,
    role: String,
    invited_by: Uuid,
    created_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    user_id: Option<Uuid>,
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> Result<Self, StoreError> {
        Ok(Invite {
            token_hash: r.token_hash,
            tenant_id: r.tenant_id,
            login: r.login,
            role: role(&r.role)?,
            invited_by: r.invited_by,
            created_at: instant(r.created_at)?,
            expires_at: instant(r.expires_at)?,
            accepted_at: r.accepted_at.map(instant).transpose()?,
            user_id: r.user_id,
        })
    }
}
