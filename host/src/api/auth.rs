//! Bearer tokens: tenant API keys, publisher keys and the operator key.
//!
//! A token is the operator's (`AFTERSALE_OPERATOR_KEY`), or it hashes to a
//! tenant's API key or to a publisher's key in the database.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use uuid::Uuid;

use super::AppState;
use super::error::{Problem, ProblemType};
use crate::domain::Actor;
use crate::service::tenants::KeyHolder as Holder;
use crate::service::tenants::token_hash;
use crate::service::{Caller, Services, Viewer};

/// How long a verified key is trusted without asking the database again.
/// Revoking a key through this host takes effect at once; through another
/// replica, within this time.
const CACHE_TTL: Duration = Duration::from_secs(30);

/// Who presented a valid bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer {
    Operator,
    Publisher(Uuid),
    Tenant(Caller),
}

/// Checks bearer tokens.
pub struct Authenticator {
    services: Services,
    operator_hash: Option<String>,
    cache: Mutex<HashMap<String, (Holder, Instant)>>,
}

impl Authenticator {
    pub fn new(services: Services, operator_key: Option<&str>) -> Self {
        Authenticator {
            services,
            operator_hash: operator_key.filter(|k| !k.is_empty()).map(token_hash),
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn holder(&self, token: &str) -> Result<Option<Holder>, Problem> {
        let hash = token_hash(token);
        if let Some((holder, at)) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(Some(*holder));
        }
        let found = self.services.key_holder(&hash).await.map_err(|e| {
            tracing::error!("looking up a key: {e}");
            Problem::new(ProblemType::Internal, "could not check the credentials")
        })?;
        if let Some(holder) = found {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (holder, Instant::now()));
        }
        Ok(found)
    }

    /// Who the request's bearer token belongs to; 401 without a token or
    /// with one that is unknown or revoked.
    pub async fn identify(&self, parts: &Parts) -> Result<Bearer, Problem> {
        let token = bearer(parts)?;
        if self.is_operator(token) {
            return Ok(Bearer::Operator);
        }
        match self.holder(token).await? {
            Some(Holder::Tenant(credential)) => Ok(Bearer::Tenant(Caller {
                tenant_id: credential.tenant_id,
                actor: Actor {
                    id: credential.key_id.to_string(),
                    role: credential.role,
                },
            })),
            Some(Holder::Publisher(id)) => Ok(Bearer::Publisher(id)),
            None => Err(Problem::new(
                ProblemType::Unauthorized,
                "the key is unknown or revoked",
            )),
        }
    }

    /// Forget cached keys, after one was revoked.
    pub fn forget(&self) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn is_operator(&self, token: &str) -> bool {
        self.operator_hash
            .as_deref()
            .is_some_and(|hash| constant_time_eq(hash.as_bytes(), token_hash(token).as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer(parts: &Parts) -> Result<&str, Problem> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Problem::new(
                ProblemType::Unauthorized,
                "send `Authorization: Bearer <key>` with an API key",
            )
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match state.auth.identify(parts).await? {
            Bearer::Tenant(caller) => Ok(caller),
            Bearer::Operator => Err(Problem::new(
                ProblemType::Forbidden,
                "the operator key manages tenants; use a tenant's key for its tickets",
            )),
            Bearer::Publisher(_) => Err(Problem::new(
                ProblemType::Forbidden,
                "a publisher key uploads plugins; use a tenant's key for its tickets",
            )),
        }
    }
}

/// The platform operator, who manages tenants, publishers and plugins.
pub struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = bearer(parts)?;
        if state.auth.is_operator(token) {
            Ok(Operator)
        } else {
            Err(Problem::new(
                ProblemType::Forbidden,
                "only the operator key (AFTERSALE_OPERATOR_KEY) may do this",
            ))
        }
    }
}

/// A publisher: a partner the operator issued a key to upload plugins.
pub struct Publisher {
    pub id: Uuid,
}

impl FromRequestParts<AppState> for Publisher {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match state.auth.identify(parts).await? {
            Bearer::Publisher(id) => Ok(Publisher { id }),
            _ => Err(Problem::new(
                ProblemType::Forbidden,
                "only a publisher key may do this; the operator issues them",
            )),
        }
    }
}

/// Anyone with a valid key, as the plugin catalogue shows it to them.
impl FromRequestParts<AppState> for Viewer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        Ok(match state.auth.identify(parts).await? {
            Bearer::Operator => Viewer::Operator,
            Bearer::Publisher(id) => Viewer::Publisher(id),
            Bearer::Tenant(caller) => Viewer::Tenant(caller),
        })
    }
}
