//! Technicians: the people who go on site. A technician is a console
//! account of the tenant with what it is skilled for (product categories),
//! certified for (each certification with its expiry), where it is based
//! (a service point) and works (GB/T 2260 regions), when it works (a
//! business calendar; its service point's, else the tenant's, when absent)
//! and how many jobs a day it takes.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{Calendar, CalendarSpec};

/// The most jobs a technician may take in a day.
pub const MAX_DAILY_CAPACITY: u32 = 50;

/// A certification, e.g. a refrigerant-handling licence (制冷作业证).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub name: String,
    /// The last day it is valid; `None` when it does not expire.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<Date>,
}

impl Certification {
    /// Whether it is valid on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.expires_on.is_none_or(|last| day <= last)
    }
}

/// A technician of the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Technician {
    #[serde(skip)]
    pub tenant_id: Uuid,
    /// The console account's login.
    pub login: String,
    /// The service point it is based at.
    pub home_point: Option<Uuid>,
    /// Product categories it is skilled for, e.g. `air_conditioner`.
    pub categories: Vec<String>,
    pub certifications: Vec<Certification>,
    /// GB/T 2260 codes (province, city or county) it works in.
    pub regions: Vec<String>,
    /// Working hours as a business calendar.
    #[schema(value_type = Option<Object>)]
    pub hours: Option<CalendarSpec>,
    pub daily_capacity: u32,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Technician {
    /// Check every field but the account and the service point, which
    /// the service checks against the tenant; the first problem found.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=MAX_DAILY_CAPACITY).contains(&self.daily_capacity) {
            return Err(format!(
                "daily_capacity is jobs a day, 1 to {MAX_DAILY_CAPACITY}; {} is not",
                self.daily_capacity
            ));
        }
        for category in &self.categories {
            if category.trim().is_empty() || category.chars().count() > 200 {
                return Err(format!("`{category}` is not a product category"));
            }
        }
        for c in &self.certifications {
            if c.name.trim().is_empty() || c.name.chars().count() > 200 {
                return Err("a certification needs a name of at most 200 characters".into());
            }
        }
        for code in &self.regions {
            if !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())) {
                return Err(format!(
                    "`{code}` is not a GB/T 2260 region code (six digits, e.g. 450100)"
                ));
            }
        }
        if let Some(hours) = &self.hours {
            Calendar::new(hours).map_err(|e| format!("hours: {e}"))?;
        }
        Ok(())
    }

    /// Whether it is skilled for `category` and holds every certification
    /// named in `required` valid on `day`.
    pub fn qualified(&self, category: &str, required: &[&str], day: Date) -> bool {
        self.categories.iter().any(|c| c == category)
            && required.iter().all(|name| {
                self.certifications
                    .iter()
                    .any(|c| c.name == *name && c.valid_on(day))
            })
    }

    /// Whether it works in the region with this GB/T 2260 code: one of its
    /// regions is the code or contains it (a province `450000` contains the
    /// city `450100` and its counties).
    pub fn works_in(&self, code: &str) -> bool {
        self.regions.iter().any(|own| contains(own, code))
    }
}

/// Whether GB/T 2260 region `outer` is or contains `inner`.
fn contains(outer: &str, inner: &str) -> bool {
    let significant = outer.trim_end_matches("00");
    !significant.is_empty() && inner.starts_with(significant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn wang() -> Technician {
        Technician {
            tenant_id: Uuid::nil(),
            login: "wang@acme.test".into(),
            home_point: None,
            categories: vec!["air_conditioner".into()],
            certifications: vec![Certification {
                name: "refrigerant".into(),
                expires_on: Some(date(2026, 12, 31)),
            }],
            regions: vec!["450100".into()],
            hours: None,
            daily_capacity: 6,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_certification_counts_until_its_last_day() {
        let wang = wang();
        assert!(wang.qualified("air_conditioner", &["refrigerant"], date(2026, 12, 31)));
        assert!(!wang.qualified("air_conditioner", &["refrigerant"], date(2027, 1, 1)));
        assert!(wang.qualified("air_conditioner", &[], date(2027, 1, 1)));
        assert!(!wang.qualified("washing_machine", &[], date(2026, 6, 1)));
        assert!(!wang.qualified("air_conditioner", &["high_voltage"], date(2026, 6, 1)));
    }

    #[test]
    fn a_city_contains_its_counties_and_a_province_its_cities() {
        let mut wang = wang();
        assert!(wang.works_in("450100") && wang.works_in("450103"));
        assert!(!wang.works_in("450200") && !wang.works_in("450000"));
        wang.regions = vec!["450000".into()];
        assert!(wang.works_in("450200") && wang.works_in("450103"));
        assert!(!wang.works_in("440100"));
    }

    #[test]
    fn capacity_and_region_codes_are_checked() {
        let mut wang = wang();
        assert_eq!(wang.check(), Ok(()));
        wang.daily_capacity = 0;
        assert!(wang.check().unwrap_err().contains("daily_capacity"));
        wang.daily_capacity = 6;
        wang.regions = vec!["Nanning".into()];
        assert!(wang.check().unwrap_err().contains("GB/T 2260"));
    }
}
