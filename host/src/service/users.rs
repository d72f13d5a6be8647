//! The tenant's people as an admin manages them: accounts and their roles,
//! invitations, password-reset links, disabling. Every change is recorded
//! in the audit log.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::accounts::{
    INVITE_LIFETIME, check_login, check_password, check_person_role, display_name, name_taken,
    random_token,
};
use super::error::ServiceError;
use super::tenants::token_hash;
use super::{Caller, Services};
use crate::domain::Role;
use crate::domain::access::Permission;
use crate::domain::notification::Person;
use crate::store::{Invite, User, UserChange};

/// How long a password-reset link stays valid.
pub const RESET_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

/// An account as an admin sees it (no password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    pub login: String,
    pub name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub locale: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub disabled_at: Option<Timestamp>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            login: u.login,
            name: u.name,
            role: u.role,
            locale: u.locale,
            created_at: u.created_at,
            disabled_at: u.disabled_at,
        }
    }
}

/// An invitation or password-reset link not used yet. Its id is the hash
/// of its token, so listing links reveals none of them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteView {
    pub id: String,
    pub login: String,
    #[schema(value_type = String)]
    pub role: Role,
    /// A link that resets an existing account's password.
    pub reset: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

impl From<Invite> for InviteView {
    fn from(i: Invite) -> Self {
        InviteView {
            id: i.token_hash,
            login: i.login,
            role: i.role,
            reset: i.user_id.is_some(),
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// A one-time link made for someone; the token is shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedLink {
    pub token: String,
    /// Path of the page, relative to the host's address.
    pub link: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

/// The login of the active account `who` (a login or a user id) names
/// among the tenant's `people`: what tickets and teams hold.
pub(super) fn active_login(people: &[Person], who: &str) -> Result<String, ServiceError> {
    crate::domain::notification::active(people, who)
        .map(|p| p.login.clone())
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "`{who}` is not an active account of the tenant; name a login or user id \
                 from GET /users"
            ))
        })
}

impl Services {
    /// The tenant's people (admin).
    pub async fn users(&self, caller: &Caller) -> Result<Vec<User>, ServiceError> {
        caller.may(Permission::ManageUsers)?;
        Ok(self.store.users(caller.tenant_id).await?)
    }

    /// The tenant's accounts as a plugin's `notify` may reach them.
    pub(super) async fn people(&self, tenant: Uuid) -> Result<Vec<Person>, ServiceError> {
        let users = self.store.users(tenant).await?;
        Ok(users
            .into_iter()
            .map(|u| Person {
                id: u.id,
                login: u.login,
                name: u.name,
                role: u.role,
                locale: u.locale,
                enabled: u.disabled_at.is_none(),
            })
            .collect())
    }

    /// Invite someone to the caller's tenant (admin); the answer is the
    /// invitation token, shown once, for the link `/invite/{token}`.
    pub async fn invite(
        &self,
        caller: &Caller,
        inviter: Uuid,
        login: &str,
        role: Role,
    ) -> Result<String, ServiceError> {
        caller.may(Permission::ManageUsers)?;
        let login = check_login(login)?;
        check_person_role(role)?;
        if self.store.user_by_login(&login).await?.is_some() {
            return Err(ServiceError::Invalid(format!(
                "the login `{login}` is taken"
            )));
        }
        let token = random_token(24)?;
        let now = super::now();
        self.store
            .create_invite(&Invite {
                token_hash: token_hash(&token),
                tenant_id: caller.tenant_id,
                login: login.clone(),
                role,
                invited_by: inviter,
                created_at: now,
                expires_at: now.checked_add(INVITE_LIFETIME).unwrap_or(Timestamp::MAX),
                accepted_at: None,
                user_id: None,
            })
            .await?;
        self.record(caller, "user.invite", &login, json!({"role": role}))
            .await;
        Ok(token)
    }

    /// Change an account's role, or disable or enable it (admin). A
    /// disabled account's sessions end at once. The tenant keeps at least
    /// one enabled admin.
    pub async fn change_user(
        &self,
        caller: &Caller,
        id: Uuid,
        change: UserChange,
    ) -> Result<User, ServiceError> {
        caller.may(Permission::ManageUsers)?;
        if let Some(role) = change.role {
            check_person_role(role)?;
        }
        let users = self.store.users(caller.tenant_id).await?;
        let user = users
            .iter()
            .find(|u| u.id == id)
            .ok_or(ServiceError::NotFound("user"))?;
        let stays_admin = change.role.unwrap_or(user.role) == Role::Admin
            && change.disabled_at.unwrap_or(user.disabled_at).is_none();
        let other_admins = users
            .iter()
            .filter(|u| u.id != id && u.role == Role::Admin && u.disabled_at.is_none())
            .count();
        if !stays_admin && other_admins == 0 && user.role == Role::Admin {
            return Err(ServiceError::Invalid(format!(
                "`{}` is the tenant's last admin; make someone else admin first",
                user.login
            )));
        }
        if !self
            .store
            .update_user(caller.tenant_id, id, &change)
            .await?
        {
            return Err(ServiceError::NotFound("user"));
        }
        let action = match change.disabled_at {
            Some(Some(_)) => "user.disable",
            Some(None) => "user.enable",
            None => "user.role",
        };
        self.record(
            caller,
            action,
            &user.login,
            json!({"role": change.role, "from_role": user.role}),
        )
        .await;
        self.store
            .user(caller.tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound("user"))
    }

    /// A one-time link with which the account's owner chooses a new
    /// password (admin); the old one works until the link is used, which
    /// ends the account's sessions.
    pub async fn reset_link(
        &self,
        caller: &Caller,
        issuer: Option<Uuid>,
        id: Uuid,
    ) -> Result<IssuedLink, ServiceError> {
        caller.may(Permission::ManageUsers)?;
        let user = self
            .store
            .user(caller.tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let token = random_token(24)?;
        let now = super::now();
        let expires_at = now.checked_add(RESET_LIFETIME).unwrap_or(Timestamp::MAX);
        self.store
            .create_invite(&Invite {
                token_hash: token_hash(&token),
                tenant_id: caller.tenant_id,
                login: user.login.clone(),
                role: user.role,
                // A key has no account: the link is then issued in the
                // name of the account it resets.
                invited_by: issuer.unwrap_or(user.id),
                created_at: now,
                expires_at,
                accepted_at: None,
                user_id: Some(user.id),
            })
            .await?;
        self.record(caller, "user.reset_password", &user.login, json!({}))
            .await;
        Ok(IssuedLink {
            link: format!("/invite/{token}"),
            token,
            expires_at,
        })
    }

    /// Invitations and reset links not used yet (admin).
    pub async fn open_invites(&self, caller: &Caller) -> Result<Vec<InviteView>, ServiceError> {
        caller.may(Permission::ManageUsers)?;
        let now = super::now();
        Ok(self
            .store
            .open_invites(caller.tenant_id)
            .await?
            .into_iter()
            .filter(|i| i.expires_at > now)
            .map(InviteView::from)
            .collect())
    }

    /// Withdraw an invitation or reset link not used yet (admin).
    pub async fn revoke_invite(&self, caller: &Caller, id: &str) -> Result<(), ServiceError> {
        caller.may(Permission::ManageUsers)?;
        let invite = self
            .store
            .open_invites(caller.tenant_id)
            .await?
            .into_iter()
            .find(|i| i.token_hash == id)
            .ok_or(ServiceError::NotFound("invitation"))?;
        if !self.store.revoke_invite(caller.tenant_id, id).await? {
            return Err(ServiceError::NotFound("invitation"));
        }
        self.record(
            caller,
            "user.revoke_invitation",
            &invite.login,
            json!({"reset": invite.user_id.is_some()}),
        )
        .await;
        Ok(())
    }

    /// An invitation that can still be accepted.
    pub async fn invitation(&self, token: &str) -> Result<Invite, ServiceError> {
        let invite = self
            .store
            .invite(&token_hash(token))
            .await?
            .ok_or(ServiceError::NotFound("invitation"))?;
        if invite.accepted_at.is_some() {
            return Err(ServiceError::Gone(
                "this invitation was used already".into(),
            ));
        }
        if super::now() >= invite.expires_at {
            return Err(ServiceError::Gone("this invitation has expired".into()));
        }
        Ok(invite)
    }

    /// Accept an invitation: the invited login with the chosen name and
    /// password; or, for a reset link, the account's new password (the name
    /// stays).
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password: &str,
    ) -> Result<User, ServiceError> {
        let invite = self.invitation(token).await?;
        check_password(password)?;
        let tenant = self
            .store
            .tenant(invite.tenant_id)
            .await?
            .ok_or(ServiceError::NotFound("tenant"))?;
        let password_hash = self.hash_new_password(password).await?;
        let used = || ServiceError::Gone("this invitation was used already".into());
        if let Some(id) = invite.user_id {
            if !self
                .store
                .reset_password(&invite.token_hash, id, &password_hash, super::now())
                .await?
            {
                return Err(used());
            }
            return self
                .store
                .user(invite.tenant_id, id)
                .await?
                .ok_or(ServiceError::NotFound("user"));
        }
        let user = User {
            id: Uuid::now_v7(),
            tenant_id: invite.tenant_id,
            name: display_name(name, &invite.login),
            login: invite.login.clone(),
            role: invite.role,
            password_hash,
            locale: tenant.locale,
            created_at: super::now(),
            disabled_at: None,
        };
        if self
            .store
            .accept_invite(&invite.token_hash, &user)
            .await
            .map_err(name_taken)?
        {
            Ok(user)
        } else {
            Err(used())
        }
    }
}
