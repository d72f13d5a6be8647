//! Saved views: a named filter of the queue, kept by the person who saved
//! it and, when they share it, seen by every member of one team.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Priority;

/// Longest view name, in characters.
pub const MAX_NAME: usize = 60;

/// Most views one person keeps.
pub const MAX_PER_OWNER: usize = 50;

/// What a view selects: the queue's filters, the search text among them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Search text, as `GET /tickets?q=` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

impl ViewFilter {
    /// The filter with blank fields dropped, or why it cannot be saved.
    pub fn normalized(self) -> Result<ViewFilter, String> {
        let keep = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let filter = ViewFilter {
            state: keep(self.state),
            kind: keep(self.kind),
            priority: self.priority,
            assignee: keep(self.assignee),
            team: keep(self.team),
            q: keep(self.q),
        };
        let long = [
            &filter.state,
            &filter.kind,
            &filter.assignee,
            &filter.team,
            &filter.q,
        ]
        .into_iter()
        .flatten()
        .any(|v| v.chars().count() > 200);
        if long {
            return Err("a view's filter values are at most 200 characters".into());
        }
        Ok(filter)
    }

    /// The pairs of the queue's query string, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let priority = self.priority.map(|p| {
            serde_json::to_value(p)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        });
        [
            ("state", self.state.clone()),
            ("kind", self.kind.clone()),
            ("priority", priority),
            ("assignee", self.assignee.clone()),
            ("team", self.team.clone()),
            ("q", self.q.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// A saved view.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SavedView {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    /// Who saved it: `user:<login>` for a person, the key's id for a key.
    pub owner: String,
    pub name: String,
    /// The team it is shared with, if any.
    pub team: Option<String>,
    pub filter: ViewFilter,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// A view's name, trimmed, or why it is not one.
pub fn name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(format!("a view's name has 1 to {MAX_NAME} characters"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(name("  My breaches ").as_deref(), Ok("My breaches"));
        assert!(name("   ").is_err());
        assert!(name(&"长".repeat(MAX_NAME + 1)).is_err());
    }

    #[test]
    fn blank_filters_are_dropped_and_pairs_keep_their_order() {
        let filter = ViewFilter {
            state: Some(" ".into()),
            kind: Some("repair".into()),
            priority: Some(Priority::P1),
            q: Some(" 王芳 ".into()),
            ..ViewFilter::default()
        }
        .normalized()
        .unwrap();
        assert_eq!(filter.state, None);
        assert_eq!(
            filter.pairs(),
            [
                ("kind", "repair".into()),
                ("priority", "P1".into()),
                ("q", "王芳".to_string())
            ]
        );
    }
}
