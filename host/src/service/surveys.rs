//! Satisfaction surveys: issued on a ticket's first resolution, answered once
//! through a one-time link, feeding CSI, satisfaction rate and NPS.

use aftersale_sdk::{Rating, SurveyAnswer as ContractAnswer};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::change::Change;
use super::error::ServiceError;
use super::tenants::token_hash;
use super::{Caller, Services};
use crate::domain::EventData;
use crate::domain::access::Permission;
use crate::domain::{Actor, Role};
use crate::plugins::Hook;
use crate::store::{StoreError, Survey, SurveyAnswer};

/// The settings key of a tenant's survey configuration.
pub const SETTING: &str = "survey";

/// What a tenant asks its customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SurveySettings {
    /// Attributes rated 1–5, with their CSI weights.
    pub attributes: Vec<SurveyAttribute>,
    /// Whether to ask for a 0–10 recommendation score (NPS).
    pub nps: bool,
    /// Days a survey link stays valid.
    pub expires_after_days: u32,
}

/// One rated aspect of the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAttribute {
    /// Identifier, e.g. `timeliness`.
    pub name: String,
    /// Question shown to the customer, per language (`zh-CN`, `en`).
    #[schema(value_type = Object)]
    pub label: Map<String, Value>,
    /// Weight in the CSI; weights need not sum to 1.
    pub weight: f64,
}

impl Default for SurveySettings {
    fn default() -> Self {
        let attribute = |name: &str, zh: &str, en: &str| SurveyAttribute {
            name: name.into(),
            label: [
                ("zh-CN".to_string(), Value::from(zh)),
                ("en".to_string(), Value::from(en)),
            ]
            .into_iter()
            .collect(),
            weight: 1.0,
        };
        SurveySettings {
            attributes: vec![
                attribute("timeliness", "服务及时性", "Timeliness"),
                attribute("attitude", "服务态度", "Attitude"),
                attribute("professionalism", "专业水平", "Professionalism"),
                attribute("result", "服务结果", "Result"),
            ],
            nps: true,
            expires_after_days: 30,
        }
    }
}

impl SurveySettings {
    fn check(&self) -> Result<(), ServiceError> {
        if self.attributes.is_empty() {
            return Err(ServiceError::Invalid(
                "a survey needs at least one attribute".into(),
            ));
        }
        for a in &self.attributes {
            if a.name.is_empty() || !a.name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(ServiceError::Invalid(format!(
                    "`{}` is not a snake_case attribute name",
                    a.name
                )));
            }
            if !(a.weight.is_finite() && a.weight > 0.0) {
                return Err(ServiceError::Invalid(format!(
                    "the weight of `{}` must be positive",
                    a.name
                )));
            }
        }
        if self.expires_after_days == 0 {
            return Err(ServiceError::Invalid(
                "a survey must stay valid at least a day".into(),
            ));
        }
        Ok(())
    }
}

/// A customer's answer.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// Attribute → rating 1–5; every attribute of the survey.
    #[schema(value_type = Object)]
    pub ratings: Map<String, Value>,
    /// 0–10, when the survey asks for it.
    #[serde(default)]
    pub nps: Option<u8>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// What the survey page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyView {
    pub ticket_title: String,
    pub tenant: String,
    pub settings: SurveySettings,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    pub answered: bool,
}

/// A ticket's survey as the desk sees it: the link to send the customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketSurvey {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// The one-time credential of the public survey page and endpoint;
    /// absent when it can no longer be derived (the deployment's survey-link
    /// secret was replaced since the survey was issued).
    pub token: Option<String>,
    /// Path of the public page, relative to the host's address.
    pub link: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<Timestamp>,
    /// Ratings, recommendation score and comment, once answered.
    #[schema(value_type = Option<Object>)]
    pub answer: Option<Value>,
}

/// Where the tokens of survey links come from. A survey's token is an HMAC
/// of its id under a secret of the deployment (in `host_secrets`, shared by
/// every replica), so the desk can show a link again while the surveys
/// table keeps only the token's SHA-256: a copy of that table opens no
/// survey.
pub struct SurveyLinks {
    key: [u8; 32],
}

impl SurveyLinks {
    /// The name of the secret in `host_secrets`.
    pub const SECRET: &str = "survey-link-key";

    pub fn new(key: [u8; 32]) -> Self {
        SurveyLinks { key }
    }

    /// The token of the link to survey `id`.
    pub fn token(&self, id: Uuid) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Tokens of links issued before tokens were kept hashed: 24 random bytes,
/// 32 characters, in the table as they were until
/// [`Services::hash_legacy_survey_tokens`] replaces them by their hash. A
/// token of the current kind is 43 characters, and a hash 64.
const LEGACY_TOKEN_LEN: usize = 32;

/// A fresh survey for a ticket that was just resolved.
pub(super) fn issue(
    tenant_id: Uuid,
    ticket_id: Uuid,
    settings: &SurveySettings,
    links: &SurveyLinks,
    now: Timestamp,
) -> Survey {
    let id = Uuid::now_v7();
    let days = i64::from(settings.expires_after_days);
    Survey {
        id,
        tenant_id,
        ticket_id,
        token_key: token_hash(&links.token(id)),
        issued_at: now,
        expires_at: now
            .checked_add(SignedDuration::from_hours(24 * days))
            .unwrap_or(Timestamp::MAX),
        answered_at: None,
        answer: None,
    }
}

/// Why a survey link does not work.
fn unusable(survey: &Survey, now: Timestamp) -> Option<ServiceError> {
    if survey.answered_at.is_some() {
        Some(ServiceError::Gone(
            "this survey was answered already — thank you".into(),
        ))
    } else if now >= survey.expires_at {
        Some(ServiceError::Gone("this survey link has expired".into()))
    } else {
        None
    }
}

impl Services {
    /// The tenant's survey settings.
    pub async fn survey_settings(&self, tenant: Uuid) -> Result<SurveySettings, ServiceError> {
        match self.store.setting(tenant, SETTING).await? {
            Some(value) => serde_json::from_value(value).map_err(|e| {
                ServiceError::Store(StoreError::Corrupt(format!("survey settings: {e}")))
            }),
            None => Ok(SurveySettings::default()),
        }
    }

    pub async fn set_survey_settings(
        &self,
        caller: &Caller,
        settings: SurveySettings,
    ) -> Result<SurveySettings, ServiceError> {
        caller.may(Permission::ManageSurvey)?;
        settings.check()?;
        let value = serde_json::to_value(&settings).unwrap_or(Value::Null);
        self.store
            .set_setting(caller.tenant_id, SETTING, &value, super::now())
            .await?;
        self.catalog.invalidate(caller.tenant_id).await;
        self.record(caller, "survey.settings", "survey", value)
            .await;
        Ok(settings)
    }

    /// Keep only the hash of the tokens of links issued before tokens were
    /// kept hashed, so that no copy of the surveys table opens a survey.
    /// Those links go on working; the desk no longer shows them. Run at
    /// start, before serving.
    pub async fn hash_legacy_survey_tokens(&self) -> Result<u64, ServiceError> {
        let hashed = self
            .store
            .rekey_survey_tokens(LEGACY_TOKEN_LEN, token_hash)
            .await?;
        if hashed > 0 {
            tracing::info!("kept only the hash of {hashed} survey link tokens issued before");
        }
        Ok(hashed)
    }

    /// The survey issued for a ticket, if it was resolved (staff only).
    pub async fn ticket_survey(
        &self,
        caller: &Caller,
        ticket: Uuid,
    ) -> Result<TicketSurvey, ServiceError> {
        caller.may(Permission::SeeSurveys)?;
        self.store
            .ticket(caller.tenant_id, ticket)
            .await?
            .ok_or(ServiceError::NotFound("ticket"))?;
        let survey = self
            .store
            .survey_of(caller.tenant_id, ticket)
            .await?
            .ok_or(ServiceError::NotFound("survey"))?;
        // The token is derived again, and shown only if it is the one the
        // table knows: it is not once the deployment's secret was replaced,
        // nor for a link issued before tokens were kept hashed.
        let token = self.catalog.survey_links().await?.token(survey.id);
        let token = (token_hash(&token) == survey.token_key).then_some(token);
        Ok(TicketSurvey {
            id: survey.id,
            link: token.as_ref().map(|t| format!("/survey/{t}")),
            token,
            issued_at: survey.issued_at,
            expires_at: survey.expires_at,
            answered_at: survey.answered_at,
            answer: survey.answer,
        })
    }

    /// The survey behind a link, for its page.
    pub async fn survey(&self, token: &str) -> Result<SurveyView, ServiceError> {
        let survey = self
            .store
            .survey_by_token(&token_hash(token))
            .await?
            .ok_or(ServiceError::NotFound("survey"))?;
        let bundle = self.catalog.bundle(survey.tenant_id).await?;
        let ticket = self
            .store
            .ticket(survey.tenant_id, survey.ticket_id)
            .await?
            .ok_or(ServiceError::NotFound("survey"))?;
        Ok(SurveyView {
            ticket_title: ticket.title,
            tenant: bundle.tenant.name.clone(),
            settings: bundle.survey.clone(),
            expires_at: survey.expires_at,
            answered: survey.answered_at.is_some(),
        })
    }

    /// Record the customer's answer, once.
    pub async fn answer_survey(&self, token: &str, input: AnswerInput) -> Result<(), ServiceError> {
        let survey = self
            .store
            .survey_by_token(&token_hash(token))
            .await?
            .ok_or(ServiceError::NotFound("survey"))?;
        let now = super::now();
        if let Some(reason) = unusable(&survey, now) {
            return Err(reason);
        }
        let bundle = self.catalog.bundle(survey.tenant_id).await?;
        let settings = &bundle.survey;
        let mut ratings = Map::new();
        for attribute in &settings.attributes {
            let rating = input
                .ratings
                .get(&attribute.name)
                .and_then(Value::as_u64)
                .filter(|r| (1..=5).contains(r))
                .ok_or_else(|| {
                    ServiceError::Invalid(format!("rate `{}` from 1 to 5", attribute.name))
                })?;
            ratings.insert(attribute.name.clone(), Value::from(rating));
        }
        if let Some(extra) = input.ratings.keys().find(|k| !ratings.contains_key(*k)) {
            return Err(ServiceError::Invalid(format!(
                "the survey has no attribute `{extra}`"
            )));
        }
        let nps = match (settings.nps, input.nps) {
            (_, Some(score)) if score > 10 => {
                return Err(ServiceError::Invalid(
                    "the recommendation score runs from 0 to 10".into(),
                ));
            }
            (true, None) => {
                return Err(ServiceError::Invalid(
                    "give a recommendation score from 0 to 10".into(),
                ));
            }
            (false, Some(_)) => {
                return Err(ServiceError::Invalid(
                    "this survey does not ask for a recommendation score".into(),
                ));
            }
            (_, score) => score,
        };
        let comment = input
            .comment
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
            return Err(ServiceError::Invalid(
                "the comment is longer than 2000 characters".into(),
            ));
        }

        let customer = Actor {
            id: format!("survey:{}", survey.id),
            role: Role::Customer,
        };
        // What `on-survey` (contract 1.1.0) sees: ratings in the survey's order.
        let answer = ContractAnswer {
            survey: survey.id.to_string(),
            ratings: settings
                .attributes
                .iter()
                .filter_map(|a| {
                    let score = ratings.get(&a.name)?.as_u64()?;
                    Some(Rating {
                        attribute: a.name.clone(),
                        score: u8::try_from(score).ok()?,
                    })
                })
                .collect(),
            nps,
            comment: comment.clone(),
        };
        for _ in 0..3 {
            let ticket = self
                .store
                .ticket(survey.tenant_id, survey.ticket_id)
                .await?
                .ok_or(ServiceError::NotFound("survey"))?;
            let kind = ticket.kind.clone();
            let history = self
                .store
                .events(survey.tenant_id, survey.ticket_id)
                .await?;
            let mut change = Change::new(self, &bundle, now);
            let slot = change.open(ticket, history);
            change.answer(SurveyAnswer {
                survey_id: survey.id,
                answer: serde_json::json!({"ratings": ratings, "nps": nps, "comment": comment}),
                at: now,
            });
            change.record(
                slot,
                &customer,
                None,
                EventData::SurveyAnswered {
                    survey: survey.id,
                    ratings: ratings.clone(),
                    nps,
                    comment: comment.clone(),
                },
            );
            change
                .after(
                    slot,
                    change.recorded(slot) - 1,
                    &Caller::system(survey.tenant_id),
                )
                .await?;
            let installed = bundle.kind(&kind)?.installed.clone();
            let snapshot = change.snapshot(slot, &customer).await?;
            let ticket_id = Some(change.ticket(slot).id);
            match change
                .call(
                    &installed,
                    Hook::OnSurvey,
                    ticket_id,
                    self.runtime
                        .on_survey(&installed.plugin, &snapshot, &answer),
                )
                .await
            {
                Ok(Some(called)) => {
                    change
                        .apply(slot, called.value, &installed, Hook::OnSurvey, 1)
                        .await?
                }
                Ok(None) => {}
                // The answer stands even if the plugin cannot react to it.
                Err(error) if error.is_plugin_failure() => {
                    tracing::warn!("survey answer to {}: {error}", installed.label())
                }
                Err(error) => return Err(error),
            }
            match self.store.commit(&change.into_commit(None).await?).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict { .. }) => continue,
                Err(StoreError::AlreadyAnswered) => {
                    return Err(ServiceError::Gone(
                        "this survey was answered already — thank you".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::StaleVersion { current: -1 })
    }
}
