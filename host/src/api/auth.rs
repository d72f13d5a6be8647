//! Bearer tokens: tenant API keys and the operator key.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use aftersale_sdk::Actor;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::AppState;
use super::error::{Problem, ProblemType};
use crate::service::Caller;
use crate::service::tenants::token_hash;
use crate::store::{Credential, SharedStore};

/// How long a verified key is trusted without asking the database again.
/// Revoking a key through this host takes effect at once; through another
/// replica, within this time.
const CACHE_TTL: Duration = Duration::from_secs(30);

/// Checks bearer tokens.
pub struct Authenticator {
    store: SharedStore,
    operator_hash: Option<String>,
    cache: Mutex<HashMap<String, (Credential, Instant)>>,
}

impl Authenticator {
    pub fn new(store: SharedStore, operator_key: Option<&str>) -> Self {
        Authenticator {
            store,
            operator_hash: operator_key.filter(|k| !k.is_empty()).map(token_hash),
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn credential(&self, token: &str) -> Result<Option<Credential>, Problem> {
        let hash = token_hash(token);
        if let Some((credential, at)) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(Some(*credential));
        }
        let found = self.store.credential(&hash).await.map_err(|e| {
            tracing::error!("looking up a key: {e}");
            Problem::new(ProblemType::Internal, "could not check the credentials")
        })?;
        if let Some(credential) = found {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (credential, Instant::now()));
        }
        Ok(found)
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
        let token = bearer(parts)?;
        match state.auth.credential(token).await? {
            Some(credential) => Ok(Caller {
                tenant_id: credential.tenant_id,
                actor: Actor {
                    id: credential.key_id.to_string(),
                    role: credential.role,
                },
            }),
            None if state.auth.is_operator(token) => Err(Problem::new(
                ProblemType::Forbidden,
                "the operator key manages tenants; use a tenant's key for its tickets",
            )),
            None => Err(Problem::new(
                ProblemType::Unauthorized,
                "the key is unknown or revoked",
            )),
        }
    }
}

/// The platform operator, who manages tenants.
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
                "only the operator key (AFTERSALE_OPERATOR_KEY) may manage tenants",
            ))
        }
    }
}
