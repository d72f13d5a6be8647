//! Console accounts: people of a tenant who sign in with a password, their
//! sessions, and the invitations through which an admin adds them. API keys
//! stay for machines; both end up as the same [`Caller`].

use std::net::IpAddr;
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use super::error::ServiceError;
use super::tenants::token_hash;
use super::{Caller, Services};
use crate::domain::access;
use crate::domain::{Actor, Role};
use crate::store::{Session, StoreError, Tenant, User};

/// How long a session lasts after signing in.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// A session without a request for this long ends.
pub const SESSION_IDLE: SignedDuration = SignedDuration::from_mins(60);
/// How stale a session's last request may be noted, so that not every page
/// writes to the database.
const SEEN_EVERY: SignedDuration = SignedDuration::from_mins(1);
/// How long an invitation link stays valid.
pub const INVITE_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The console's languages; the first is a new tenant's default.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];
/// Shortest password a person may choose.
pub const MIN_PASSWORD: usize = 10;

/// A browser that just signed in: the cookie's token (shown once) and the
/// session it names.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub user: User,
}

/// Who is behind a console session.
#[derive(Debug, Clone)]
pub struct Desk {
    pub caller: Caller,
    pub user: User,
    pub session: Session,
    pub tenant: Tenant,
}

/// `bytes` random bytes as URL-safe text.
pub fn random_token(bytes: usize) -> Result<String, ServiceError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| ServiceError::Invalid(format!("no randomness available: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A fresh password to print once (96 random bits).
pub fn new_password() -> Result<String, ServiceError> {
    random_token(12)
}

/// The argon2id PHC string of a password, with a random salt.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Invalid(format!("cannot hash the password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the login is unknown, so a wrong login
/// takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that never matches").unwrap_or_default())
}

pub(super) fn check_login(login: &str) -> Result<String, ServiceError> {
    let login = login.trim().to_lowercase();
    let ok = !login.is_empty()
        && login.len() <= 100
        && login
            .chars()
            .all(|c| c.is_alphanumeric() || "@._-+".contains(c));
    if ok {
        Ok(login)
    } else {
        Err(ServiceError::Invalid(
            "a login is letters, digits and @ . _ - + (an email address will do)".into(),
        ))
    }
}

pub(super) fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(ServiceError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// A person's role must be one a person can hold.
pub(super) fn check_person_role(role: Role) -> Result<(), ServiceError> {
    if access::is_person(role) {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "{role:?} is not a role for a person"
        )))
    }
}

/// The name a person gave, or their login when they gave none.
pub(super) fn display_name(name: &str, login: &str) -> String {
    match name.trim() {
        "" => login.to_string(),
        name => name.to_string(),
    }
}

/// How an account acts on tickets.
pub fn caller_of(user: &User) -> Caller {
    Caller {
        tenant_id: user.tenant_id,
        actor: Actor {
            id: format!("user:{}", user.login),
            role: user.role,
        },
    }
}

impl Services {
    /// Add a person to a tenant with a password (the first admin, or an
    /// operator's script). The language defaults to the tenant's.
    pub async fn create_user(
        &self,
        tenant_id: Uuid,
        login: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, ServiceError> {
        let login = check_login(login)?;
        check_password(password)?;
        check_person_role(role)?;
        let tenant = self
            .store
            .tenant(tenant_id)
            .await?
            .ok_or(ServiceError::NotFound("tenant"))?;
        let password_hash = self.hash_new_password(password).await?;
        let user = User {
            id: Uuid::now_v7(),
            tenant_id,
            name: display_name(name, &login),
            login,
            role,
            password_hash,
            locale: tenant.locale,
            created_at: super::now(),
            disabled_at: None,
        };
        self.store.create_user(&user).await.map_err(name_taken)?;
        Ok(user)
    }

    /// The argon2 hash of a new password, in one of the hashing slots.
    pub(super) async fn hash_new_password(&self, password: &str) -> Result<String, ServiceError> {
        let password = password.to_string();
        self.throttle.hash(move || hash_password(&password)).await?
    }

    /// Check a login and password and open a session; `None` when either is
    /// wrong (which one is not told). A login or a client address that
    /// failed too often lately is refused with
    /// [`ServiceError::Throttled`] before the password is looked at.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<Option<SignedIn>, ServiceError> {
        let login = login.trim().to_lowercase();
        self.throttle.check(&login, client, Instant::now())?;
        let user = self
            .store
            .user_by_login(&login)
            .await?
            .filter(|u| u.disabled_at.is_none());
        let hash = user
            .as_ref()
            .map_or_else(|| decoy_hash().to_string(), |u| u.password_hash.clone());
        let password = password.to_string();
        let matches = self
            .throttle
            .hash(move || verify_password(&password, &hash))
            .await?;
        let Some(user) = user.filter(|_| matches) else {
            self.throttle.failed(&login, client, Instant::now());
            return Ok(None);
        };
        self.throttle.succeeded(&login);
        let token = random_token(32)?;
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            tenant_id: user.tenant_id,
            csrf: random_token(24)?,
            created_at: now,
            expires_at: now.checked_add(SESSION_LIFETIME).unwrap_or(Timestamp::MAX),
            last_seen_at: now,
        };
        self.store.create_session(&session).await?;
        // Sweeping here keeps the table small without another job.
        if let Err(e) = self.store.delete_expired_sessions(now).await {
            tracing::warn!("sweeping expired sessions: {e}");
        }
        Ok(Some(SignedIn {
            token,
            session,
            user,
        }))
    }

    /// The person behind a session cookie, while the session lasts and has
    /// not been idle for [`SESSION_IDLE`].
    pub async fn desk(&self, token: &str, now: Timestamp) -> Result<Option<Desk>, ServiceError> {
        let Some(session) = self.store.session(&token_hash(token)).await? else {
            return Ok(None);
        };
        let idle = now.duration_since(session.last_seen_at);
        if now >= session.expires_at || idle >= SESSION_IDLE {
            self.store.delete_session(&session.token_hash).await?;
            return Ok(None);
        }
        if idle >= SEEN_EVERY {
            self.store.touch_session(&session.token_hash, now).await?;
        }
        let Some(user) = self
            .store
            .user(session.tenant_id, session.user_id)
            .await?
            .filter(|u| u.disabled_at.is_none())
        else {
            return Ok(None);
        };
        let Some(tenant) = self.store.tenant(session.tenant_id).await? else {
            return Ok(None);
        };
        Ok(Some(Desk {
            caller: caller_of(&user),
            user,
            session,
            tenant,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), ServiceError> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// Change the language a person reads the console in.
    pub async fn set_locale(&self, user: &User, locale: &str) -> Result<(), ServiceError> {
        if !LOCALES.contains(&locale) {
            return Err(ServiceError::Invalid(format!(
                "the console speaks {}",
                LOCALES.join(", ")
            )));
        }
        Ok(self
            .store
            .set_user_locale(user.tenant_id, user.id, locale)
            .await?)
    }
}

/// A name (a login, a team) someone else holds is the caller's to change.
pub(super) fn name_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Duplicate(what) => ServiceError::Invalid(what),
        other => other.into(),
    }
}

/// The first tenant and admin of an empty database, with the only copy of
/// the admin's password.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub tenant: Tenant,
    pub user: User,
    pub password: String,
}

/// Login of the first admin of an empty database.
pub const FIRST_LOGIN: &str = "admin";
/// Name of the first tenant of an empty database.
pub const FIRST_TENANT: &str = "aftersale";

impl Services {
    /// On an empty database, create a tenant and an admin who can sign in to
    /// the console; `None` when any tenant exists.
    pub async fn bootstrap(&self) -> Result<Option<FirstAdmin>, ServiceError> {
        if !self.store.tenants().await?.is_empty() {
            return Ok(None);
        }
        let created = self.create_tenant(FIRST_TENANT, None).await?;
        let password = new_password()?;
        let user = self
            .create_user(
                created.tenant.id,
                FIRST_LOGIN,
                "Admin",
                Role::Admin,
                &password,
            )
            .await?;
        Ok(Some(FirstAdmin {
            tenant: created.tenant,
            user,
            password,
        }))
    }

    /// A console admin for a tenant made on the command line: login
    /// `admin-<8 hex of the tenant id>` and a fresh password.
    pub async fn create_first_admin(
        &self,
        tenant: &Tenant,
    ) -> Result<(User, String), ServiceError> {
        let id = tenant.id.simple().to_string();
        let login = format!("admin-{}", &id[id.len() - 8..]);
        let password = new_password()?;
        let user = self
            .create_user(tenant.id, &login, "Admin", Role::Admin, &password)
            .await?;
        Ok((user, password))
    }
}
