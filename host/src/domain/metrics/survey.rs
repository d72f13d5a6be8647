//! Survey answers and the scores built from them: the attribute ratings that
//! feed CSI and satisfaction rate, the 0–10 recommendation that feeds NPS, and
//! the CSI attribute weights.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

/// A rated attribute of a service, identified by its name. Each tenant
/// chooses which attributes its customers rate (by default the four of
/// [`Attribute::STANDARD`]) and may add, remove or rename them over time, so
/// stored ratings and summaries carry the name, never a position.
///
/// A name is `snake_case`: lowercase ASCII letters and digits in words joined
/// by single underscores, starting with a letter, at most
/// [`Attribute::MAX_LEN`] bytes (`timeliness`, `first_visit_2`). It is
/// checked when built and when deserialized, so a name is always safe as a
/// JSON key and a CSV header. It serializes as the bare string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Attribute(String);

impl Attribute {
    /// The longest name allowed, in bytes.
    pub const MAX_LEN: usize = 64;

    /// The attributes a tenant starts with: 及时性 (was the service on time),
    /// 服务态度 (the staff's attitude), 专业能力 (the staff's competence) and
    /// 服务结果 (did it fix the problem).
    pub const STANDARD: [&'static str; 4] = ["timeliness", "attitude", "professionalism", "result"];

    /// The attribute called `name`.
    ///
    /// # Errors
    ///
    /// [`ScoreError::Attribute`] when `name` is not `snake_case` or is longer
    /// than [`Attribute::MAX_LEN`].
    pub fn new(name: impl Into<String>) -> Result<Self, ScoreError> {
        let name = name.into();
        if is_snake_case(&name) {
            Ok(Attribute(name))
        } else {
            Err(ScoreError::Attribute(name))
        }
    }

    /// The four [`Attribute::STANDARD`] attributes, in that order.
    pub fn standard() -> [Attribute; 4] {
        Self::STANDARD.map(|name| Attribute(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `[a-z][a-z0-9]*(_[a-z0-9]+)*`, at most [`Attribute::MAX_LEN`] bytes.
fn is_snake_case(name: &str) -> bool {
    name.len() <= Attribute::MAX_LEN
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('_').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Attribute {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by [`Attribute`] can be looked up by `&str`: the order and
/// equality are those of the name.
impl Borrow<str> for Attribute {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl FromStr for Attribute {
    type Err = ScoreError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Attribute::new(name)
    }
}

impl TryFrom<String> for Attribute {
    type Error = ScoreError;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Attribute::new(name)
    }
}

impl TryFrom<&str> for Attribute {
    type Error = ScoreError;

    fn try_from(name: &str) -> Result<Self, Self::Error> {
        Attribute::new(name)
    }
}

impl From<Attribute> for String {
    fn from(attribute: Attribute) -> String {
        attribute.0
    }
}

impl Serialize for Attribute {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A survey value out of its scale, or a survey configuration that cannot be
/// used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// An attribute rating must be 1–5.
    #[error("a rating must be 1 to 5, got {0}")]
    Rating(u8),
    /// A recommendation score must be 0–10.
    #[error("a recommendation score must be 0 to 10, got {0}")]
    Recommendation(u8),
    /// An attribute name must be `snake_case`, at most
    /// [`Attribute::MAX_LEN`] bytes.
    #[error(
        "an attribute name must be snake_case (a-z and 0-9 in words joined by single \
         underscores, starting with a letter) and at most 64 bytes, got {0:?}"
    )]
    Attribute(String),
    /// CSI weights must be finite and non-negative, and when any are given,
    /// at least one must be positive.
    #[error("CSI weights must be finite, non-negative and not all zero")]
    Weights,
}

/// One attribute rating on the 1–5 scale (k = 5). Out-of-range values cannot
/// be built or deserialized, so tallies can index by it without checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// The top of the scale (k in the CSI formula).
    pub const SCALE: u8 = 5;

    /// The rating, 1–5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Satisfied means 4 or 5 of 5, as the standard's satisfaction rate says.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }

    /// Dissatisfied means 1 or 2 of 5; 3 is neutral.
    pub fn is_dissatisfied(self) -> bool {
        self.0 <= 2
    }
}

impl TryFrom<u8> for Rating {
    type Error = ScoreError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if (1..=Self::SCALE).contains(&value) {
            Ok(Rating(value))
        } else {
            Err(ScoreError::Rating(value))
        }
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> u8 {
        rating.0
    }
}

/// The answer to "how likely are you to recommend us", 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Recommendation(u8);

impl Recommendation {
    /// The score, 0–10.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Recommendation {
    type Error = ScoreError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if value <= 10 {
            Ok(Recommendation(value))
        } else {
            Err(ScoreError::Recommendation(value))
        }
    }
}

impl From<Recommendation> for u8 {
    fn from(score: Recommendation) -> u8 {
        score.0
    }
}

/// A customer's answer to the post-resolution survey. Every part is
/// optional: customers skip questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    /// Attribute ratings, 1–5.
    #[serde(default)]
    pub ratings: Ratings,
    /// The NPS question, 0–10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
}

impl SurveyAnswer {
    /// Whether the customer rated the service dissatisfied: any attribute
    /// rated 1 or 2. One poor attribute (say the result) is enough, because
    /// first-contact resolution asks whether the contact settled the matter
    /// for the customer, and an average would hide a failed result behind a
    /// polite technician.
    pub fn is_dissatisfied(&self) -> bool {
        self.ratings.iter().any(|(_, r)| r.is_dissatisfied())
    }
}

/// The attribute ratings of one survey: attribute name → rating. Attributes
/// the customer skipped, or the tenant did not ask about, are absent. The
/// serde form is a JSON object, `{"timeliness": 5, "attitude": 4}`; names and
/// ratings are checked on the way in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ratings(BTreeMap<Attribute, Rating>);

impl Ratings {
    /// No ratings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rating of the attribute called `attribute`, if given.
    pub fn get(&self, attribute: &str) -> Option<Rating> {
        self.0.get(attribute).copied()
    }

    /// Rate `attribute`, answering the rating it replaces, if any.
    pub fn insert(&mut self, attribute: Attribute, rating: Rating) -> Option<Rating> {
        self.0.insert(attribute, rating)
    }

    /// Remove the rating of `attribute`, answering it, if any.
    pub fn remove(&mut self, attribute: &str) -> Option<Rating> {
        self.0.remove(attribute)
    }

    /// The given ratings with their attributes, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&Attribute, Rating)> + '_ {
        self.0
            .iter()
            .map(|(attribute, rating)| (attribute, *rating))
    }

    /// How many attributes were rated.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no attribute was rated.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Later ratings of the same attribute replace earlier ones.
impl FromIterator<(Attribute, Rating)> for Ratings {
    fn from_iter<I: IntoIterator<Item = (Attribute, Rating)>>(ratings: I) -> Self {
        Ratings(ratings.into_iter().collect())
    }
}

/// The relative weight of each attribute in CSI, by name. Only ratios
/// matter. An attribute with ratings but no configured weight counts with
/// weight [`CsiWeights::UNCONFIGURED`] (1), so an attribute added to the
/// survey, or the old name of a renamed one, still counts before the tenant
/// weighs it; a weight for an attribute nobody rated is ignored. The default
/// weighs the four [`Attribute::STANDARD`] attributes 1 each, which, with
/// that rule, weighs every attribute equally.
///
/// The serde form is a JSON object, `{"timeliness": 1, "result": 3}`,
/// checked on the way in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "BTreeMap<Attribute, f64>")]
pub struct CsiWeights(BTreeMap<Attribute, f64>);

impl CsiWeights {
    /// The weight of a rated attribute with no configured weight.
    pub const UNCONFIGURED: f64 = 1.0;

    /// Weights by attribute; a later weight for the same attribute replaces
    /// an earlier one. Each must be finite and non-negative, and when any are
    /// given at least one must be positive: weighing every configured
    /// attribute 0 would leave CSI undefined for every survey on them. No
    /// weights at all is allowed and weighs every attribute 1.
    ///
    /// Whether the attributes that were actually rated have a positive total
    /// weight is only known at report time; when they do not, CSI is `None`.
    ///
    /// # Errors
    ///
    /// [`ScoreError::Weights`] when the weights break these rules.
    pub fn new(weights: impl IntoIterator<Item = (Attribute, f64)>) -> Result<Self, ScoreError> {
        let weights: BTreeMap<Attribute, f64> = weights.into_iter().collect();
        let valid = weights.values().all(|w| w.is_finite() && *w >= 0.0)
            && (weights.is_empty() || weights.values().any(|w| *w > 0.0));
        if valid {
            Ok(CsiWeights(weights))
        } else {
            Err(ScoreError::Weights)
        }
    }

    /// The weight CSI gives the attribute called `attribute`: its configured
    /// weight, or [`CsiWeights::UNCONFIGURED`].
    pub fn get(&self, attribute: &str) -> f64 {
        self.0.get(attribute).copied().unwrap_or(Self::UNCONFIGURED)
    }

    /// The configured weights, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&Attribute, f64)> + '_ {
        self.0
            .iter()
            .map(|(attribute, weight)| (attribute, *weight))
    }
}

impl Default for CsiWeights {
    fn default() -> Self {
        CsiWeights(
            Attribute::standard()
                .into_iter()
                .map(|attribute| (attribute, Self::UNCONFIGURED))
                .collect(),
        )
    }
}

impl TryFrom<BTreeMap<Attribute, f64>> for CsiWeights {
    type Error = ScoreError;

    fn try_from(weights: BTreeMap<Attribute, f64>) -> Result<Self, Self::Error> {
        CsiWeights::new(weights)
    }
}

impl Serialize for CsiWeights {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str) -> Attribute {
        Attribute::new(name).expect("a snake_case name")
    }

    fn rating(value: u8) -> Rating {
        Rating::try_from(value).expect("1–5")
    }

    #[test]
    fn ratings_outside_one_to_five_are_refused_even_from_json() {
        assert_eq!(Rating::try_from(0), Err(ScoreError::Rating(0)));
        assert_eq!(Rating::try_from(6), Err(ScoreError::Rating(6)));
        assert!(serde_json::from_str::<Ratings>(r#"{"result": 6}"#).is_err());
        assert!(serde_json::from_str::<SurveyAnswer>(r#"{"recommendation": 11}"#).is_err());
    }

    #[test]
    fn attribute_names_are_snake_case() {
        for good in ["timeliness", "result", "first_visit_2", "a", "x9_y"] {
            assert_eq!(attribute(good).as_str(), good);
        }
        let longest = "a".repeat(Attribute::MAX_LEN);
        assert!(Attribute::new(longest.as_str()).is_ok());
        for bad in [
            "",
            "Timeliness",
            "time liness",
            "_result",
            "result_",
            "first__visit",
            "2nd_visit",
            "attitude-1",
            "态度",
        ] {
            assert_eq!(
                Attribute::new(bad),
                Err(ScoreError::Attribute(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert!(Attribute::new("a".repeat(Attribute::MAX_LEN + 1)).is_err());
        let message = ScoreError::Attribute(String::new()).to_string();
        assert!(message.contains(&format!("at most {} bytes", Attribute::MAX_LEN)));
    }

    #[test]
    fn ratings_are_a_json_object_by_name() {
        let ratings: Ratings = [
            (attribute("timeliness"), rating(5)),
            (attribute("attitude"), rating(4)),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            serde_json::to_value(&ratings).expect("serializes"),
            serde_json::json!({"timeliness": 5, "attitude": 4})
        );
        let back: Ratings =
            serde_json::from_str(r#"{"timeliness": 5, "attitude": 4}"#).expect("deserializes");
        assert_eq!(back, ratings);
        assert_eq!(back.get("attitude"), Some(rating(4)));
        assert_eq!(back.get("result"), None);
        assert_eq!(back.len(), 2);

        // A survey with no ratings at all reads as empty ratings.
        let survey: SurveyAnswer = serde_json::from_str(r#"{"recommendation": 9}"#).expect("ok");
        assert!(survey.ratings.is_empty());
    }

    #[test]
    fn a_rating_under_a_bad_name_is_refused_from_json() {
        assert!(serde_json::from_str::<Ratings>(r#"{"Result": 5}"#).is_err());
        assert!(serde_json::from_str::<Ratings>(r#"{"the result": 5}"#).is_err());
    }

    #[test]
    fn a_single_rating_of_two_makes_the_survey_dissatisfied_and_three_does_not() {
        let survey = |result| SurveyAnswer {
            ratings: [
                (attribute("timeliness"), rating(5)),
                (attribute("result"), rating(result)),
            ]
            .into_iter()
            .collect(),
            recommendation: None,
        };
        assert!(survey(2).is_dissatisfied());
        assert!(!survey(3).is_dissatisfied());
    }

    #[test]
    fn a_tenant_defined_attribute_rated_two_makes_the_survey_dissatisfied() {
        let survey = SurveyAnswer {
            ratings: [(attribute("cleanliness"), rating(1))]
                .into_iter()
                .collect(),
            recommendation: None,
        };
        assert!(survey.is_dissatisfied());
    }

    #[test]
    fn weights_must_be_non_negative_and_not_all_zero() {
        let four = |t, a, p, r| {
            CsiWeights::new([
                (attribute("timeliness"), t),
                (attribute("attitude"), a),
                (attribute("professionalism"), p),
                (attribute("result"), r),
            ])
        };
        assert_eq!(four(0.0, 0.0, 0.0, 0.0), Err(ScoreError::Weights));
        assert_eq!(four(-1.0, 1.0, 1.0, 1.0), Err(ScoreError::Weights));
        assert_eq!(four(f64::NAN, 1.0, 1.0, 1.0), Err(ScoreError::Weights));
        assert_eq!(four(f64::INFINITY, 1.0, 1.0, 1.0), Err(ScoreError::Weights));
        assert!(four(0.0, 0.0, 0.0, 1.0).is_ok());
        let json = r#"{"timeliness":0,"attitude":0,"professionalism":0,"result":0}"#;
        assert!(serde_json::from_str::<CsiWeights>(json).is_err());
        assert!(serde_json::from_str::<CsiWeights>(r#"{"result":-2}"#).is_err());
        assert!(serde_json::from_str::<CsiWeights>(r#"{"Result":1}"#).is_err());
    }

    #[test]
    fn unconfigured_attributes_weigh_one() {
        let weights = CsiWeights::new([(attribute("result"), 3.0)]).expect("valid");
        assert_eq!(weights.get("result"), 3.0);
        assert_eq!(weights.get("cleanliness"), CsiWeights::UNCONFIGURED);
        assert_eq!(CsiWeights::UNCONFIGURED, 1.0);
        // No weights at all: every attribute weighs 1.
        let none = CsiWeights::new([]).expect("valid");
        assert_eq!(none.get("timeliness"), 1.0);
        assert_eq!(none.iter().count(), 0);
    }

    #[test]
    fn default_weights_are_the_four_standard_attributes_at_one() {
        let weights = CsiWeights::default();
        let configured: Vec<(&str, f64)> = weights.iter().map(|(a, w)| (a.as_str(), w)).collect();
        assert_eq!(
            configured,
            vec![
                ("attitude", 1.0),
                ("professionalism", 1.0),
                ("result", 1.0),
                ("timeliness", 1.0),
            ]
        );
    }

    #[test]
    fn weights_are_a_json_object_by_name() {
        let json = r#"{"result":3.0,"timeliness":1.0}"#;
        let weights: CsiWeights = serde_json::from_str(json).expect("deserializes");
        assert_eq!(weights.get("result"), 3.0);
        assert_eq!(serde_json::to_string(&weights).expect("serializes"), json);
    }
}
