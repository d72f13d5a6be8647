//! The console's message catalogues (Fluent), one per language, embedded in
//! the binary. Templates take every string from here.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// `(locale, catalogue source)`; the first is the fallback.
pub const SOURCES: [(&str, &str); 2] = [
    ("zh-CN", include_str!("../../locales/zh-CN/console.ftl")),
    ("en", include_str!("../../locales/en/console.ftl")),
];

/// One language's messages.
pub struct Catalog {
    pub locale: &'static str,
    bundle: FluentBundle<FluentResource>,
}

fn load(locale: &'static str, source: &'static str) -> Catalog {
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!("the {locale} catalogue has syntax errors: {errors:?}");
            partial
        });
    let id = locale.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Bidi isolation marks only get in the way of CJK and Latin text.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!("the {locale} catalogue has duplicate messages: {errors:?}");
    }
    Catalog { locale, bundle }
}

fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| SOURCES.iter().map(|(l, s)| load(l, s)).collect())
}

/// The catalogue of a locale, the default language when it is unknown.
pub fn catalog(locale: &str) -> &'static Catalog {
    let all = catalogs();
    all.iter()
        .find(|c| c.locale.eq_ignore_ascii_case(locale))
        .unwrap_or(&all[0])
}

/// The catalogue best matching an `Accept-Language` header.
pub fn negotiate(accept_language: Option<&str>) -> &'static Catalog {
    let Some(header) = accept_language else {
        return catalog("");
    };
    for part in header.split(',') {
        let tag = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("zh") {
            return catalog("zh-CN");
        }
        if tag.starts_with("en") {
            return catalog("en");
        }
    }
    catalog("")
}

impl Catalog {
    /// The message `id`; the id itself when the catalogue lacks it (a test
    /// keeps that from happening).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with arguments.
    pub fn ta(&self, id: &str, args: &[(&str, String)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, FluentValue::from(value.clone()));
        }
        self.format(id, Some(&fluent))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(
                "message `{id}` is missing from the {} catalogue",
                self.locale
            );
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::warn!("message `{id}` ({}): {errors:?}", self.locale);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn ids(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    /// Every `t("…")`/`ta("…"` in the console's sources.
    fn used() -> BTreeSet<String> {
        let sources = [
            include_str!("mod.rs"),
            include_str!("layout.rs"),
            include_str!("session.rs"),
            include_str!("signin.rs"),
            include_str!("queue.rs"),
            include_str!("ticket.rs"),
            include_str!("timeline.rs"),
            include_str!("form.rs"),
            include_str!("new_ticket.rs"),
            include_str!("dashboard.rs"),
            include_str!("plugins.rs"),
            include_str!("users.rs"),
            include_str!("survey.rs"),
            include_str!("sla.rs"),
        ];
        let mut used = BTreeSet::new();
        for source in sources {
            for marker in [".t(\"", ".ta(\""] {
                for piece in source.split(marker).skip(1) {
                    if let Some((id, _)) = piece.split_once('"')
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !id.is_empty()
                    {
                        used.insert(id.to_string());
                    }
                }
            }
        }
        used
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let zh = ids(SOURCES[0].1);
        let en = ids(SOURCES[1].1);
        assert!(!zh.is_empty());
        assert_eq!(
            zh.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in zh-CN only"
        );
        assert_eq!(
            en.difference(&zh).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in en only"
        );
    }

    #[test]
    fn every_message_the_templates_use_is_in_the_catalogues() {
        let zh = ids(SOURCES[0].1);
        let missing: Vec<_> = used().into_iter().filter(|id| !zh.contains(id)).collect();
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }

    #[test]
    fn catalogues_parse_and_format_arguments() {
        for (locale, source) in SOURCES {
            assert!(
                FluentResource::try_new(source.to_string()).is_ok(),
                "{locale} has syntax errors"
            );
        }
        assert_eq!(catalog("en").ta("page-of", &[("n", "2".into())]), "Page 2");
        assert_eq!(catalog("fr").locale, "zh-CN");
        assert_eq!(negotiate(Some("en-GB,en;q=0.9")).locale, "en");
    }
}
