//! What `GET /tickets?q=` finds: each ticket's texts, kept as search
//! documents in the change that writes them, and how a query reads.
//!
//! A ticket has a document per [`Source`] it has text for, written when
//! it is opened (its texts do not change after), and one more per comment. Each has a tier, and a match ranks the ticket by the best tier
//! it matched in: the unit's serial or the customer's phone (0), the title
//! (1), the customer and product (2), the description and comments (3);
//! newest first within a tier. Matching is by substring, case-insensitive,
//! for Chinese and English alike (trigram indexes on both databases).
//!
//! A query that is exactly a serial or a phone number of the tenant takes
//! the fast path: the answer is that unit's or that customer's tickets.

use super::{Event, EventData, Ticket};

/// Queries are cut to this many characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Shortest phone number the fast path looks up, in digits.
const MIN_PHONE_DIGITS: usize = 5;

/// Which text of a ticket a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Serial,
    Phone,
    Title,
    Party,
    Description,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Serial,
        Source::Phone,
        Source::Title,
        Source::Party,
        Source::Description,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Serial => "serial",
            Source::Phone => "phone",
            Source::Title => "title",
            Source::Party => "party",
            Source::Description => "description",
        }
    }

    pub fn tier(self) -> i32 {
        match self {
            Source::Serial | Source::Phone => 0,
            Source::Title => 1,
            Source::Party => 2,
            Source::Description => 3,
        }
    }
}

/// The tier of a comment's document.
pub const COMMENT_TIER: i32 = 3;

/// One searchable text of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `serial`, `phone`, `title`, `party`, `description`, or
    /// `comment:<event id>`.
    pub source: String,
    pub tier: i32,
    pub text: String,
}

/// The documents of a ticket, in [`Source::ALL`] order, leaving out the
/// sources it has no text for.
pub fn documents(ticket: &Ticket) -> Vec<Document> {
    Source::ALL
        .into_iter()
        .map(|source| Document {
            source: source.name().to_owned(),
            tier: source.tier(),
            text: text(ticket, source),
        })
        .filter(|d| !d.text.is_empty())
        .collect()
}

fn text(ticket: &Ticket, source: Source) -> String {
    let c = &ticket.customer;
    let p = ticket.product.as_ref();
    match source {
        Source::Serial => p
            .and_then(|p| p.serial.as_deref())
            .map(str::trim)
            .unwrap_or_default()
            .to_owned(),
        Source::Phone => c.phone.as_deref().and_then(phone_key).unwrap_or_default(),
        Source::Title => ticket.title.clone(),
        Source::Party => {
            let product = [
                p.and_then(|p| p.sku.as_deref()),
                p.and_then(|p| p.model.as_deref()),
                p.and_then(|p| p.serial.as_deref()),
            ];
            [
                Some(c.name.as_str()),
                c.phone.as_deref(),
                c.email.as_deref(),
                c.address.as_deref(),
            ]
            .into_iter()
            .chain(product)
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
        }
        Source::Description => ticket.description.clone(),
    }
}

/// The document of a comment event; `None` for any other event.
pub fn comment(event: &Event) -> Option<Document> {
    match &event.data {
        EventData::Commented { body, .. } => Some(Document {
            source: format!("comment:{}", event.id),
            tier: COMMENT_TIER,
            text: body.clone(),
        }),
        _ => None,
    }
}

/// A phone number as the fast path keys it: its digits, when there are
/// enough of them and nothing but separators around them.
pub fn phone_key(phone: &str) -> Option<String> {
    let separators = |c: char| matches!(c, ' ' | '-' | '+' | '(' | ')' | '.');
    if !phone.chars().all(|c| c.is_ascii_digit() || separators(c)) {
        return None;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= MIN_PHONE_DIGITS).then_some(digits)
}

/// A query, ready for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The text to find, trimmed, at most [`MAX_QUERY_CHARS`] characters.
    pub text: String,
    /// What the fast path looks up among serials and phone numbers.
    pub keys: Vec<String>,
}

impl Query {
    /// `None` for a query with nothing but spaces.
    pub fn parse(q: &str) -> Option<Query> {
        let text: String = q.trim().chars().take(MAX_QUERY_CHARS).collect();
        if text.is_empty() {
            return None;
        }
        let mut keys = vec![text.clone()];
        if let Some(phone) = phone_key(&text).filter(|p| *p != text) {
            keys.push(phone);
        }
        Some(Query { text, keys })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{Category, Channel, Customer, Priority, Product};

    /// A ticket with a customer and a unit (the serial with spaces around).
    pub(crate) fn ticket() -> Ticket {
        Ticket {
            id: uuid::Uuid::now_v7(),
            tenant_id: uuid::Uuid::now_v7(),
            kind: "repair".into(),
            title: "空调不制冷".into(),
            description: "外机不转".into(),
            channel: Channel::Phone,
            customer: Customer {
                name: "王芳".into(),
                phone: Some("138 0013 8000".into()),
                email: Some("wang@example.com".into()),
                address: None,
            },
            product: Some(Product {
                model: Some("KFR-35GW".into()),
                serial: Some(" SN-2026-0001 ".into()),
                ..Product::default()
            }),
            priority: Priority::P3,
            state: "new".into(),
            category: Category::New,
            assignee: None,
            team: None,
            attributes: serde_json::Map::new(),
            version: 1,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_ticket_has_one_document_per_source_ranked_by_tier() {
        let docs = documents(&ticket());
        let by = |s: &str| docs.iter().find(|d| d.source == s).cloned();
        assert_eq!(docs.len(), 5);
        assert_eq!(
            by("serial").map(|d| (d.tier, d.text)),
            Some((0, "SN-2026-0001".into()))
        );
        assert_eq!(by("phone").map(|d| d.text), Some("13800138000".into()));
        assert_eq!(by("title").map(|d| d.tier), Some(1));
        assert_eq!(
            by("party").map(|d| d.text),
            Some("王芳 138 0013 8000 wang@example.com KFR-35GW SN-2026-0001".into())
        );
    }

    #[test]
    fn a_ticket_without_a_phone_or_unit_has_no_such_documents() {
        let mut t = ticket();
        t.customer.phone = None;
        t.product = None;
        let sources: Vec<_> = documents(&t).into_iter().map(|d| d.source).collect();
        assert_eq!(sources, ["title", "party", "description"]);
    }

    #[test]
    fn a_phone_key_is_its_digits_and_words_are_no_phone() {
        assert_eq!(
            phone_key("+86 (138) 0013-8000").as_deref(),
            Some("8613800138000")
        );
        assert_eq!(phone_key("1234"), None);
        assert_eq!(phone_key("SN-12345"), None);
    }

    #[test]
    fn a_query_is_trimmed_cut_and_keyed() {
        assert_eq!(Query::parse("   "), None);
        let q = Query::parse(" 138-0013-8000 ").unwrap();
        assert_eq!(q.text, "138-0013-8000");
        assert_eq!(q.keys, ["138-0013-8000", "13800138000"]);
        assert_eq!(Query::parse("SN-1").unwrap().keys, ["SN-1"]);
        let long = "长".repeat(300);
        assert_eq!(
            Query::parse(&long).unwrap().text.chars().count(),
            MAX_QUERY_CHARS
        );
    }
}
